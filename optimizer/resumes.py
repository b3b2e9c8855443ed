"""Base resumes and their tailored versions (issue 16, item 4).

A base resume is the text a person keeps; every optimization started from it (or from one of
its versions) is a version, listed on the resume's page with the job it was made for and the
letters written from it. Ownership is optimizer/accounts.py's, as for everything else.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from optimizer import accounts
from optimizer.forms import InputTextField, PageOptimizeForm
from optimizer.http import HtmxHttpRequest
from optimizer.models import RESUME_NAME_MAX_CHARS, Optimization, Resume
from optimizer.views import _page_context

RESUMES_LIMIT = 200


class ResumeForm(forms.Form):
    name = forms.CharField(
        max_length=RESUME_NAME_MAX_CHARS,
        help_text="Yours only, to tell your resumes apart (e.g. “Backend, 2026”).",
    )
    text = InputTextField(
        max_chars_setting="RESUME_MAX_CHARS",
        label="Resume text",
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="The full text of your resume: every version is tailored from it.",
    )

    def clean_name(self) -> str:
        return " ".join(str(self.cleaned_data["name"]).split())


def _versions(resume: Resume) -> Any:
    """The resume versions made from this base, newest first, each with its letters."""
    letters = Optimization.objects.exclude(kind=Optimization.Kind.RESUME).order_by("created_at")
    rows = Optimization.objects.filter(base_resume=resume, kind=Optimization.Kind.RESUME)
    return (
        accounts.same_owner_as(resume, rows)
        .select_related("application")
        .prefetch_related(Prefetch("letters", queryset=accounts.same_owner_as(resume, letters)))
        .order_by("-created_at")
    )


@require_http_methods(["GET", "POST"])
async def resumes(request: HtmxHttpRequest) -> HttpResponse:
    """The person's base resumes; a POST adds one (from the form, or from an optimization's
    input resume with `from_job`)."""
    who = await accounts.owner(request)
    form = ResumeForm()
    status = 200
    if request.method == "POST":
        if from_job := request.POST.get("from_job"):
            job = await accounts.owned(request, Optimization.objects.all(), from_job)
            data = {"name": request.POST.get("name") or job.display_title, "text": job.resume_text}
        else:
            data = request.POST.dict()
        form = ResumeForm(data)
        if form.is_valid():
            who = await accounts.owner(request, create=True)
            resume = await Resume.objects.acreate(**who.stamp(), **form.cleaned_data)
            if from_job and not job.is_letter and job.base_resume_id is None and who.owns(job):
                # The optimization it was saved from is its first version.
                job.base_resume = resume
                await job.asave(update_fields=["base_resume", "updated_at"])
            return HttpResponseRedirect(reverse("resume", args=[resume.pk]))
        status = 422
    rows = who.rows(Resume.objects.all()).annotate(
        version_count=Count("versions", filter=Q(versions__kind=Optimization.Kind.RESUME))
    )
    items = [row async for row in rows.order_by("-updated_at")[:RESUMES_LIMIT]]
    return render(request, "optimizer/resumes.html", {"items": items, "form": form}, status=status)


async def _owned_resume(request: HtmxHttpRequest, pk: uuid.UUID) -> Resume:
    return await accounts.owned(request, Resume.objects.all(), pk)


@require_GET
async def resume(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A base resume: its text (editable), and every version made from it."""
    row = await _owned_resume(request, pk)
    versions = [job async for job in _versions(row)]
    form = ResumeForm(initial={"name": row.name, "text": row.text})
    return render(request, "optimizer/resume.html", _context(row, versions, form))


def _context(row: Resume, versions: list[Optimization], form: ResumeForm) -> dict[str, Any]:
    return {"resume": row, "versions": versions, "form": form}


@require_POST
async def resume_edit(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Change the base's name or text; versions made before keep the text they were made from."""
    row = await _owned_resume(request, pk)
    form = ResumeForm(request.POST)
    if not form.is_valid():
        versions = [job async for job in _versions(row)]
        return render(request, "optimizer/resume.html", _context(row, versions, form), status=422)
    row.name, row.text = form.cleaned_data["name"], form.cleaned_data["text"]
    await row.asave(update_fields=["name", "text", "updated_at"])
    return HttpResponseRedirect(reverse("resume", args=[row.pk]))


@require_POST
async def resume_delete(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Delete the base; its versions stay in the history (they hold their own copy of the text)."""
    row = await _owned_resume(request, pk)
    await row.adelete()
    return HttpResponseRedirect(reverse("resumes"))


@require_GET
async def resume_optimize(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The optimize form filled with the base resume, for a new job ad (nothing runs yet)."""
    row = await _owned_resume(request, pk)
    form = PageOptimizeForm(initial={"resume_raw_text": row.text})
    return render(request, "optimizer/home.html", _page_context(form=form, base=row))
