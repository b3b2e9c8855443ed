"""Pages: the form, a job's live stream and result, downloads and the session's history.

One path for every page: a submit creates an Optimization (a job) owned by the browser session;
the stream endpoint follows that job (jobs.follow runs it once, replays it to any later viewer)
and renders its events as named SSE messages of escaped HTML for the htmx SSE extension. Without
JavaScript the submit follows the same job to its end and redirects to the result page.
"""

from __future__ import annotations

import uuid
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from optimizer import accounts, jobs, letters, review, services
from optimizer.documents import export
from optimizer.documents.export import PAGE_SIZES
from optimizer.downloads import FORMATS, download_response
from optimizer.events import Event, render_named
from optimizer.forms import DOCUMENTS_AVAILABLE, UPLOAD_EXTENSIONS, PageOptimizeForm
from optimizer.health import health
from optimizer.http import HtmxHttpRequest
from optimizer.llm.prompts import DEFAULT_TONE, LETTER_KINDS, TONES
from optimizer.models import TITLE_MAX_CHARS, Application, Optimization, Resume
from optimizer.sample_inputs import SAMPLE_JOB, SAMPLE_RESUME
from optimizer.sse import InvalidLastEventId, last_event_id, sse_response, with_heartbeats

HISTORY_LIMIT = 100
DOWNLOAD_FORMATS = tuple(FORMATS)
# What a person waiting sees, step by step. The pipeline's `start` event (stage checking_cache)
# is step 1, the first chunk step 2; facts are checked sentence by sentence while the text is
# written (step 3 runs with step 2), and scoring takes milliseconds once the writing ends.
STEPS = (
    ("reading", "Reading your resume and the job ad"),
    ("writing", "Writing your tailored resume"),
    ("checking", "Checking every fact against your resume, as it is written"),
    ("scoring", "Scoring the match with the job"),
)
STAGE_STEPS = {"checking_cache": ("reading",), "writing": ("writing", "checking")}
# A letter's steps say what is written, and it has no score: the last step counts its words.
LETTER_STEPS = {"writing": "Writing your {kind}", "scoring": "Counting the words"}
RESTARTED = "The writer stopped, so another one started again from the top."


# -- ownership ---------------------------------------------------------------------------------


async def _owned_job(request: HttpRequest, pk: uuid.UUID) -> Optimization:
    """The job when the asker owns it (or is staff); 404 for everyone else (optimizer/accounts.py).
    Its base resume comes in the same query: templates rendered from async views may name it."""
    return await accounts.owned(request, Optimization.objects.select_related("base_resume"), pk)


# -- context -----------------------------------------------------------------------------------


def _steps(current: tuple[str, ...], kind: str = letters.KIND_RESUME) -> list[dict[str, Any]]:
    """The steps with their state (done, current, to do) for the live panel's list."""
    names = [name for name, _label in STEPS]
    first = min((names.index(name) for name in current), default=0)
    labels = {}
    if kind != letters.KIND_RESUME:
        labels = {
            name: label.format(kind=LETTER_KINDS[kind]) for name, label in LETTER_STEPS.items()
        }
    return [
        {
            "label": labels.get(name, label),
            "state": "current" if name in current else ("done" if i < first else "todo"),
        }
        for i, (name, label) in enumerate(STEPS)
    ]


def _page_context(**extra: Any) -> dict[str, Any]:
    return {
        "offline": settings.LLM_PROVIDER == "offline",
        "documents_available": DOCUMENTS_AVAILABLE,
        "upload_extensions": ", ".join(UPLOAD_EXTENSIONS),
        "upload_max_mb": settings.UPLOAD_MAX_BYTES / 1024 / 1024,
        "download_formats": DOWNLOAD_FORMATS,
        "letter_tones": [(tone, tone.capitalize()) for tone in TONES],
        **extra,
    }


def _elapsed_seconds(job: Optimization) -> float:
    return max(0.0, (timezone.now() - job.created_at).total_seconds())


def _job_context(job: Optimization, result: dict[str, Any] | None = None) -> dict[str, Any]:
    result = result if result is not None else (job.result or {})
    if job.is_letter:
        return _letter_context(job, result)
    usage = result.get("usage_stats") or {}
    if job.edited_at:
        checked, final = review.analysis(job), review.final_text(job)
    else:  # the model's rewrite as it came (also while the stream sends the result panel)
        checked = {
            "ats_score": result.get("ats_score"),
            "grounding": result.get("grounding") or [],
            "confirmed": [],
            "diff": result.get("diff") or [],
        }
        final = str(result.get("optimized_resume") or "")
    page_size = export.page_size_for(final)
    # Unsupported claims are in the warnings too (the API's shape): the page lists them once,
    # with their sentence, in the claims box, and only the other warnings under "Warnings".
    flagged = {str(flag.get("message")) for flag in result.get("grounding") or []}
    return _page_context(
        job=job,
        result=result,
        usage=usage,
        steps=_steps(("reading",)),
        review=checked,
        passages=review.changed_passages(job, final),
        final_text=final,
        final_lines=review.marked_lines(job, final),
        edit_max_chars=settings.RESUME_MAX_CHARS,
        editor_target="review",
        editor_label="The text your downloads and the copy button take; the score and the "
        "claims follow it.",
        other_warnings=[w for w in result.get("warnings") or [] if w not in flagged],
        page_size=page_size,
        other_page_size="a4" if page_size == "letter" else "letter",
        elapsed=round(_elapsed_seconds(job), 1),
        offline_answer=usage.get("provider") == "offline",
    )


def _letter_context(job: Optimization, result: dict[str, Any]) -> dict[str, Any]:
    """A letter's panels: its text (the user's once edited), its claims and its warnings."""
    usage = result.get("usage_stats") or {}
    if job.edited_at:
        checked, final = review.analysis(job), review.final_text(job)
    else:
        checked = {"grounding": result.get("grounding") or [], "confirmed": []}
        final = str(result.get("text") or "")
    flagged = {str(flag.get("message")) for flag in result.get("grounding") or []}
    return _page_context(
        job=job,
        result=result,
        usage=usage,
        steps=_steps(("reading",), job.kind),
        review=checked,
        final_text=final,
        word_count=letters.word_count(final),
        letter_name=LETTER_KINDS[job.kind],
        edit_max_chars=settings.RESUME_MAX_CHARS,
        editor_target="letter-review",
        editor_label=f"Your {LETTER_KINDS[job.kind]}: edit it here. The downloads take your "
        "version, and its claims are checked again against your original resume.",
        other_warnings=[w for w in result.get("warnings") or [] if w not in flagged],
        elapsed=round(_elapsed_seconds(job), 1),
        offline_answer=usage.get("provider") == "offline",
    )


# -- pages -------------------------------------------------------------------------------------


@require_GET
async def home(request: HtmxHttpRequest) -> HttpResponse:
    # Content negotiation: browsers get the page, API clients and curl the health JSON.
    if not (request.accepts("text/html") and "text/html" in request.headers.get("Accept", "")):
        return JsonResponse(await health())
    # "Try it with a sample": a link (works without JavaScript) that fills the form.
    initial = (
        {"resume_raw_text": SAMPLE_RESUME, "job_description_text": SAMPLE_JOB}
        if request.GET.get("sample")
        else None
    )
    form = PageOptimizeForm(initial=initial)
    await accounts.owner(request)  # the header says who is signed in
    return render(request, "optimizer/home.html", _page_context(form=form))


@require_http_methods(["GET", "POST"])
async def optimize(request: HtmxHttpRequest) -> HttpResponseBase:
    """Create a job from the form. htmx gets the live panel; a plain POST waits for the result."""
    if request.method == "GET":
        return HttpResponseRedirect(reverse("home"))
    await accounts.owner(request)  # the form page (on an error) says who is signed in
    # A version of a base resume (started from the resume's page or one of its versions): the
    # base must be the asker's own, else 404 before anything runs.
    base = None
    if base_id := request.POST.get("base_resume"):
        base = await accounts.owned(request, Resume.objects.all(), base_id)
    form = PageOptimizeForm(request.POST, request.FILES)
    # Reading an uploaded PDF or DOCX is CPU work: off the event loop when there is one.
    if request.FILES:
        valid = await sync_to_async(form.is_valid, thread_sensitive=False)()
    else:
        valid = form.is_valid()
    if not valid:
        # 422 is swapped by htmx (see the htmx-config meta tag) and shown by plain browsers.
        template = "optimizer/home.html#form" if request.htmx else "optimizer/home.html"
        return render(request, template, _page_context(form=form, base=base), status=422)
    who = await accounts.owner(request, create=True)
    job = await services.create_optimization(
        resume=form.cleaned_data["resume_raw_text"],
        job_description=form.cleaned_data["job_description_text"],
        source=Optimization.Source.PAGE,
        **who.stamp(),
        base_resume_id=base.pk if base else None,
        resume_filename=form.resume_filename,
        output_language=form.cleaned_data.get("output_language") or "",
    )
    return await _started(request, job, form=form, base=base)


async def _started(
    request: HtmxHttpRequest,
    job: Optimization,
    *,
    form: PageOptimizeForm | None = None,
    base: Resume | None = None,
) -> HttpResponseBase:
    if request.htmx:
        context = _job_context(job, {})
        if form is not None:
            # The form stays filled in (to tweak and resubmit); the panel arrives out of band.
            context["form"] = form
            context["base"] = base
            return render(request, "optimizer/home.html#submitted", context)
        return render(request, "optimizer/job.html#live", context)
    # No JavaScript: follow the same job to its end, then show the permalink.
    async for _event in jobs.follow(job):
        pass
    return HttpResponseRedirect(reverse("result", args=[job.pk]))


@require_POST
async def retry(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Run a failed job again: a new job with the same inputs (the old one stays in history)."""
    old = await _owned_job(request, pk)
    job = await services.create_optimization(
        resume=old.resume_text,
        job_description=old.job_description,
        source=Optimization.Source.PAGE,
        session_key=old.session_key,
        user_id=old.user_id,
        base_resume_id=old.base_resume_id,
        resume_filename=old.resume_filename,
        output_language=old.output_language,
        kind=old.kind,
        tone=old.tone,
        parent_id=old.parent_id,
    )
    return await _started(request, job)


@require_POST
async def letter(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Write a cover letter or an outreach note from a finished resume optimization: a job of
    its own, streamed into the page like the resume (a plain POST waits for it, as optimize())."""
    parent = await _reviewable(request, pk)
    if parent.is_letter:
        raise Http404("Letters are written from a resume optimization")
    kind = request.POST.get("kind", "")
    tone = request.POST.get("tone") or DEFAULT_TONE
    if kind not in LETTER_KINDS:
        return HttpResponseBadRequest(f"Unknown kind: use one of {', '.join(LETTER_KINDS)}.")
    if tone not in TONES:
        return HttpResponseBadRequest(f"Unknown tone: use one of {', '.join(TONES)}.")
    job = await services.create_optimization(
        resume=parent.resume_text,
        job_description=parent.job_description,
        source=Optimization.Source.PAGE,
        **(await accounts.owner(request, create=True)).stamp(),
        output_language=parent.output_language,
        kind=kind,
        tone=tone,
        parent_id=parent.pk,
    )
    return await _started(request, job)


@require_GET
async def result(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = await _owned_job(request, pk)
    context = _job_context(job)
    # The letters written from this optimization, listed under it (its owner's only).
    context["letters"] = [
        row async for row in accounts.same_owner_as(job, job.letters.all()).order_by("created_at")
    ]
    if request.htmx:
        return render(request, f"optimizer/job.html#{_panel_name(job)}", context)
    context["base"] = job.base_resume  # loaded above (select_related): no query here
    context["application"] = await Application.objects.filter(optimization=job).afirst()
    context["application_statuses"] = Application.Status.choices
    return render(request, "optimizer/result.html", {**context, "panel": _panel_name(job)})


def _panel_name(job: Optimization) -> str:
    if job.status == Optimization.Status.DONE and job.result:
        return "done"
    if job.is_finished:
        return "failed"
    return "live"


@require_GET
async def stream(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """The job's events as named SSE messages of escaped HTML (htmx SSE extension)."""
    job = await _owned_job(request, pk)
    renderer = PageRenderer(job, csrf_token=get_token(request))
    try:
        resume_after = last_event_id(request)
    except InvalidLastEventId as problem:
        return HttpResponseBadRequest(str(problem))
    events = jobs.follow(job, last_event_id=resume_after)
    return sse_response(with_heartbeats(events, renderer.render))


class PageRenderer:
    """Renders pipeline events as the page's named SSE messages.

    chunk -> `chunk` (escaped text, appended) + `progress`; start and first chunk -> `stage`;
    a restart (its runner died, another runs it again) -> `restart` (clears the text) + `stage`;
    warning -> `warning` (list items); done -> `done` (the result panel); error -> `failed`
    (message and a retry button). Not `error`: that name is EventSource's own error event.
    """

    def __init__(self, job: Optimization, *, csrf_token: str) -> None:
        self.job = job
        self.csrf_token = csrf_token
        self.words = 0
        self.mid_word = False  # the text so far ends inside a word (a chunk split it)
        self.stage = ""

    def render(self, event: Event) -> bytes:
        kind = event.type
        data = event.data
        out = b""
        if kind == "start" and data.get("restart"):
            self.words, self.mid_word = 0, False
            out += render_named("restart", event.id, "")  # clears the text written so far
            self.stage = ""
            out += self._stage(event.id, "checking_cache", note=RESTARTED)
        elif kind == "start":
            out += self._stage(event.id, data.get("stage") or "checking_cache")
        elif kind == "chunk":
            content = str(data.get("content", ""))
            self._count_words(content)
            out += self._stage(event.id, "writing")
            out += render_named("chunk", event.id, escape(content))
            out += render_named("progress", event.id, self._progress())
        elif kind == "warning":
            # Grounding warnings arrive while the text is still being written: no stage change.
            items = "".join(f"<li>{escape(issue)}</li>" for issue in data.get("issues") or [])
            out += render_named("warning", event.id, items)
        elif kind == "done":
            html = render_to_string("optimizer/job.html#done", self._context(data["result"]))
            out += render_named("done", event.id, html)
        elif kind == "error" and data.get("code") == "client_too_slow":
            pass  # not a failure: EventSource reconnects with Last-Event-ID and goes on
        elif kind == "error":
            html = render_to_string(
                "optimizer/job.html#failed",
                {
                    **self._context({}),
                    "error_message": data.get("message", "The optimization failed"),
                    "error_code": data.get("code", ""),
                    "retry_after": data.get("retry_after"),
                },
            )
            out += render_named("failed", event.id, html)
        return out

    def _context(self, result: dict[str, Any]) -> dict[str, Any]:
        return {**_job_context(self.job, result), "csrf_token": self.csrf_token}

    def _stage(self, event_id: int, stage: str, *, note: str = "") -> bytes:
        if stage == self.stage:
            return b""
        self.stage = stage
        html = render_to_string(
            "optimizer/job.html#steps",
            {"steps": _steps(STAGE_STEPS.get(stage, ("reading",)), self.job.kind), "note": note},
        )
        return render_named("stage", event_id, html)

    def _count_words(self, content: str) -> None:
        """Words written so far, counted chunk by chunk (a chunk may end inside a word)."""
        parts = content.split()
        if not parts:
            self.mid_word = False
            return
        starts_inside = self.mid_word and not content[0].isspace()
        self.words += len(parts) - (1 if starts_inside else 0)
        self.mid_word = not content[-1].isspace()

    def _progress(self) -> str:
        plural = "" if self.words == 1 else "s"
        return f"{self.words} word{plural} written so far"


# -- downloads ---------------------------------------------------------------------------------


@require_GET
async def download(request: HtmxHttpRequest, pk: uuid.UUID, fmt: str) -> HttpResponse:
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404("Unknown format")
    job = await _owned_job(request, pk)
    if job.status != Optimization.Status.DONE or not job.result:
        raise Http404("This optimization has no result yet")
    page = request.GET.get("page") or None
    if page is not None and page not in PAGE_SIZES:
        return HttpResponseBadRequest(f"Unknown page size: use one of {', '.join(PAGE_SIZES)}")
    return await download_response(job, fmt, page=page)


# -- history -----------------------------------------------------------------------------------


@require_GET
async def history(request: HtmxHttpRequest) -> HttpResponse:
    who = await accounts.owner(request)
    records = who.rows(Optimization.objects.select_related("base_resume"))
    items = [job async for job in records.order_by("-created_at")[:HISTORY_LIMIT]]
    template = "optimizer/history.html#list" if request.htmx else "optimizer/history.html"
    return render(request, template, _page_context(items=items))


# -- review: edit in place, confirm or remove a flagged claim, revert -----------------------------


async def _reviewable(request: HtmxHttpRequest, pk: uuid.UUID) -> Optimization:
    job = await _owned_job(request, pk)
    if job.status != Optimization.Status.DONE or not job.result:
        raise Http404("This optimization has no result yet")
    return job


async def _reviewed(request: HtmxHttpRequest, job: Optimization, partial: str) -> HttpResponse:
    """Save the review; htmx gets the updated part of the panel, a plain post the result page."""
    await job.asave(update_fields=review.REVIEW_FIELDS)
    if request.htmx:
        context = {**_job_context(job), "csrf_token": get_token(request)}
        return render(request, f"optimizer/job.html#{partial}", context)
    return HttpResponseRedirect(reverse("result", args=[job.pk]) + "#review")


@require_POST
async def edit(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The user's text replaces the rewrite (scores and flags follow it); htmx saves as they type."""
    job = await _reviewable(request, pk)
    text = str(request.POST.get("text", ""))
    what = LETTER_KINDS[job.kind] if job.is_letter else "resume"
    if not text.strip():
        return HttpResponseBadRequest(f"The {what} cannot be empty: revert to the text instead.")
    if len(text) > settings.RESUME_MAX_CHARS:
        return HttpResponseBadRequest(
            f"The {what} is at most {settings.RESUME_MAX_CHARS} characters."
        )
    await sync_to_async(review.save_text)(job, text)
    return await _reviewed(request, job, "letter_review" if job.is_letter else "review")


@require_POST
async def claim(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A flagged claim: `confirm` it ("I did this") or `remove` its sentence from the text."""
    job = await _reviewable(request, pk)
    action = request.POST.get("action")
    flags = (await sync_to_async(review.analysis)(job))["grounding"]
    flag = next((f for f in flags if f.get("message") == request.POST.get("message")), None)
    if action not in ("confirm", "remove") or flag is None:
        return HttpResponseBadRequest("Unknown claim or action.")
    if action == "confirm":
        review.confirm_claim(job, str(flag["message"]))
    elif not review.remove_sentence(job, str(flag.get("sentence") or "")):
        return HttpResponseBadRequest("That sentence is no longer in the text: edit it instead.")
    return await _reviewed(request, job, "done")


@require_POST
async def passage(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A changed passage: `accept` the rewrite's wording or `revert` to the original's."""
    job = await _reviewable(request, pk)
    action = request.POST.get("action")
    passages = review.changed_passages(job)
    found = next(
        (
            p
            for p in passages
            if str(p["line"]) == request.POST.get("line") and p["text"] == request.POST.get("text")
        ),
        None,
    )
    if action not in ("accept", "revert") or found is None:
        return HttpResponseBadRequest("That passage has changed since: reload the page.")
    if action == "accept":
        review.accept_passage(job, found["text"])
    else:
        review.revert_passage(job, found["line"], found["original"])
    return await _reviewed(request, job, "done")


@require_POST
async def revert(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Back to the model's rewrite: the edits and confirmations are dropped."""
    job = await _reviewable(request, pk)
    review.revert(job)
    return await _reviewed(request, job, "done")


@require_POST
async def rename(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Give an optimization a name of one's own in the history; an empty name restores the job's."""
    job = await _owned_job(request, pk)
    title = " ".join(str(request.POST.get("title", "")).split())
    if len(title) > TITLE_MAX_CHARS:
        return HttpResponseBadRequest(f"A name is at most {TITLE_MAX_CHARS} characters.")
    job.title = title
    await job.asave(update_fields=["title", "updated_at"])
    if request.htmx:
        return render(request, "optimizer/history.html#item", _page_context(job=job))
    return HttpResponseRedirect(reverse("history") + f"#history-{job.pk}")


@require_GET
async def duplicate(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The form again with this optimization's resume, for a new job ad (nothing runs yet)."""
    job = await _owned_job(request, pk)
    form = PageOptimizeForm(initial={"resume_raw_text": job.resume_text})
    context = _page_context(form=form, duplicate_of=job, base=job.base_resume)
    return render(request, "optimizer/home.html", context)


@require_GET
async def start_from_version(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The form with a tailored version's final text (the user's review of it), to tailor it
    again for another job; the new version keeps the same base resume."""
    job = await _owned_job(request, pk)
    if job.is_letter or job.status != Optimization.Status.DONE or not job.result:
        raise Http404("Only a finished resume version can be tailored again")
    form = PageOptimizeForm(initial={"resume_raw_text": review.final_text(job)})
    context = _page_context(form=form, from_version=job, base=job.base_resume)
    return render(request, "optimizer/home.html", context)


@require_POST
async def delete(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = await _owned_job(request, pk)
    await job.adelete()
    if request.htmx:
        return HttpResponse("")  # the row is swapped out
    return HttpResponseRedirect(reverse("history"))
