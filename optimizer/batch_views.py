"""Pages for a batch (one resume, several jobs): the form, the table of jobs and its live stream.

The form creates the batch (its items start at once) and redirects to the batch's page: a table
of its jobs with the match before and after, sortable by match with plain links (no JavaScript
needed). The table fills in live: its SSE stream sends a row each time an item starts or ends
(named events item-<id>, the row's cells as HTML, for the htmx SSE extension), then
batch-done. Without JavaScript, reloading the page shows the same table, up to date.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncGenerator
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from optimizer import accounts, batch_events, batches
from optimizer.events import Event, render_named
from optimizer.forms import BatchPageForm
from optimizer.http import HtmxHttpRequest
from optimizer.models import Batch, Optimization
from optimizer.sse import sse_response, with_heartbeats
from optimizer.views import _owned_job, _page_context

# ?sort= values: (label, key). Items without a match yet go last, whichever the direction.
SORTS = {
    "position": "As entered",
    "-after": "Match after, best first",
    "after": "Match after, lowest first",
    "-delta": "Gain, largest first",
    "-before": "Match before, best first",
}
DEFAULT_SORT = "position"


async def _owned_batch(request: HttpRequest, pk: uuid.UUID) -> Batch:
    """The batch when the asker owns it (or is staff); 404 for everyone else
    (optimizer/accounts.py: the one ownership rule)."""
    return await accounts.owned(request, Batch.objects.all(), pk)


def _form_context(form: BatchPageForm) -> dict[str, Any]:
    return _page_context(
        form=form,
        job_boxes=form.job_boxes(),
        max_jobs=settings.BATCH_MAX_JOBS,
        message_batches=batches.message_batches_enabled(),
    )


@require_http_methods(["GET", "POST"])
async def batch_new(request: HtmxHttpRequest) -> HttpResponseBase:
    """The form (GET), or a new batch from it (POST: redirected to the batch's page)."""
    if request.method == "GET":
        return render(request, "optimizer/batch_new.html", _form_context(BatchPageForm()))
    form = BatchPageForm(request.POST, request.FILES)
    if request.FILES:  # reading a PDF or DOCX is CPU work: off the event loop
        valid = await sync_to_async(form.is_valid, thread_sensitive=False)()
    else:
        valid = form.is_valid()
    if not valid:
        return render(request, "optimizer/batch_new.html", _form_context(form), status=422)
    batch = await batches.create_batch(
        batches.BatchRequest(
            form.cleaned_data["resume_raw_text"],
            form.job_descriptions,
            form.cleaned_data.get("output_language") or "",
            resume_filename=form.resume_filename,
            deferred=bool(form.cleaned_data.get("deferred")),
        ),
        source=Optimization.Source.PAGE,
        **(await accounts.owner(request, create=True)).stamp(),
    )
    url = reverse("batch", args=[batch.pk])
    if request.htmx:  # a boosted form: htmx follows this header to the batch's page
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url, status=303)


@require_GET
async def batch_from(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The batch form with this optimization's resume filled in (the session's own only:
    anyone else's, or an unknown id, is a 404). Nothing runs yet."""
    job = await _owned_job(request, pk)
    form = BatchPageForm(initial={"resume_raw_text": job.resume_text})
    context = _form_context(form)
    context["from_job"] = job
    return render(request, "optimizer/batch_new.html", context)


def sort_items(items: list[Optimization], sort: str) -> list[Optimization]:
    """The items in the order asked for; those without a match yet last, in entered order."""
    if sort not in SORTS or sort == "position":
        return sorted(items, key=lambda item: item.batch_position or 0)
    field = sort.lstrip("-")
    descending = sort.startswith("-")

    def key(item: Optimization) -> tuple[int, float, int]:
        value = (item.score or {}).get(field)
        if not isinstance(value, int | float):
            return (1, 0.0, item.batch_position or 0)
        return (0, -value if descending else value, item.batch_position or 0)

    return sorted(items, key=key)


def _row(item: Optimization, writing: set[str]) -> dict[str, Any]:
    """What a row shows; writing: the items holding an upstream slot (the others that run
    wait for their turn)."""
    running = item.status == Optimization.Status.RUNNING
    return {"item": item, "score": item.score, "writing": running and str(item.pk) in writing}


@require_GET
async def batch_detail(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    batch = await _owned_batch(request, pk)
    await batches.poll_if_due(batch)
    items = await batches.items_of(batch)
    writing = await batch_events.writing(batch.pk)
    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort not in SORTS:
        sort = DEFAULT_SORT
    context = {
        "batch": batch,
        "rows": [_row(item, writing) for item in sort_items(items, sort)],
        "sort": sort,
        "sort_label": SORTS[sort],
        "finished": batches.is_finished(items),
        "counts": batches.counts(items),
        "total": len(items),
    }
    return render(request, "optimizer/batch.html", context)


@require_GET
async def batch_stream(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """The table's rows as they change, as named SSE messages of HTML (htmx SSE extension)."""
    batch = await _owned_batch(request, pk)
    return sse_response(with_heartbeats(_row_events(batch), _render))


async def _row_events(batch: Batch) -> AsyncGenerator[Event, None]:
    ids = itertools.count(1)
    items: list[Optimization] = []
    async for changed in batches.follow(batch):
        by_pk = {item.pk: item for item in items} | {item.pk: item for item in changed}
        items = sorted(by_pk.values(), key=lambda item: item.batch_position or 0)
        writing = await batch_events.writing(batch.pk)
        if not changed:
            continue
        for item in changed:
            cells = render_to_string("optimizer/batch.html#cells", _row(item, writing))
            yield Event(next(ids), {"type": f"item-{item.pk}", "html": cells})
        summary = render_to_string(
            "optimizer/batch.html#summary",
            {
                "counts": batches.counts(items),
                "total": len(items),
                "finished": batches.is_finished(items),
                "batch": batch,
            },
        )
        yield Event(next(ids), {"type": "summary", "html": summary})
    if batches.is_finished(items):  # else this worker is stopping: the page reconnects
        yield Event(next(ids), {"type": "batch-done", "html": ""})


def _render(event: Event) -> bytes:
    return render_named(event.type, event.id, event.data["html"])
