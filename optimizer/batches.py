"""One resume, several jobs: a batch of up to BATCH_MAX_JOBS optimizations of the same resume.

Each item is an ordinary job (an Optimization with batch set) through the one pipeline
(optimizer/jobs.py, services.stream()): cached, retried, validated, recorded like any other.
What a batch adds:

- Items start when the batch is created, not when someone opens their stream, and they run
  whether or not anybody watches (no orphan cancel); each upstream call waits for one of the
  BATCH_MAX_CONCURRENCY slots that every worker shares (optimizer/slots.py).
- deferred=True with ANTHROPIC_BATCH (and Claude as the provider): the items' requests go to
  Anthropic's Message Batches API in one call, at half price, answered within 24 hours. The
  items wait as "queued"; a background poller (poll_upstream(): every Celery worker's sweeper
  thread, or a task in the web process without a broker, or any look at the batch that is due)
  reads the results when the batch has ended and runs each item through the pipeline with its
  answer in hand (BatchAnswer), so that it is analysed, cached and recorded as any other, at
  its real, discounted, cost.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from optimizer import batch_events, db, drain, jobs, redis_client, services
from optimizer.background import in_background
from optimizer.llm import budget
from optimizer.llm.client import (
    SDK_ERRORS,
    AnthropicProvider,
    LLMRequest,
    LLMResponse,
    LLMUsage,
    get_provider,
    translate_error,
    usage_of,
)
from optimizer.llm.errors import LLMError
from optimizer.models import Batch, Optimization
from optimizer.redis_client import REDIS_ERRORS

logger = logging.getLogger(__name__)

POLL_LOCK_SECONDS = 120  # one poller at a time per batch; a dead one's lock lapses


@dataclass(frozen=True)
class BatchRequest:
    """What a batch asks for: one resume, the job descriptions, who owns it."""

    resume: str
    job_descriptions: list[str]
    output_language: str = ""
    resume_filename: str = ""
    deferred: bool = False


def message_batches_enabled() -> bool:
    """ANTHROPIC_BATCH is on and Claude answers (the offline engine has no batches)."""
    return bool(settings.ANTHROPIC_BATCH) and settings.LLM_PROVIDER == "anthropic"


async def create_batch(
    request: BatchRequest,
    *,
    source: str = Optimization.Source.API,
    session_key: str = "",
    user_id: int | None = None,
    api_key_id: int | None = None,
) -> Batch:
    """The batch and its items, started (or sent to the Message Batches API when deferred)."""
    upstream = request.deferred and message_batches_enabled()
    batch = await Batch.objects.acreate(
        source=source,
        session_key=session_key,
        user_id=user_id,
        api_key_id=api_key_id,
        resume_filename=request.resume_filename,
        deferred=upstream,
    )
    items = [
        await services.create_optimization(
            resume=request.resume,
            job_description=job_description,
            source=source,
            session_key=session_key,
            user_id=user_id,
            api_key_id=api_key_id,
            resume_filename=request.resume_filename,
            output_language=request.output_language,
            batch_id=batch.pk,
            batch_position=position,
        )
        for position, job_description in enumerate(request.job_descriptions)
    ]
    if upstream:
        await _submit(batch, items)
    else:
        for item in items:
            await jobs.start(item)
    return batch


async def items_of(batch: Batch) -> list[Optimization]:
    return [item async for item in batch.items.order_by("batch_position")]


async def _fail(item: Optimization | uuid.UUID, code: str, message: str, batch_id: Any) -> None:
    item_id = item.pk if isinstance(item, Optimization) else item
    await services.record_failure(item_id, code, message)
    await batch_events.notify(batch_id, item_id)


async def follow(batch: Batch) -> AsyncGenerator[list[Optimization], None]:
    """The batch's items as they change: all of them first, then each time some changed (a
    list of those: a new status, or one that took or gave back an upstream slot), until every
    item has finished (or this worker stops). Blocks on the batch's wake-ups, and looks again
    at least every lease/2 all the same (and polls a Message Batch that is due)."""
    after = await batch_events.position(batch.pk)
    items = await items_of(batch)
    writing = await batch_events.writing(batch.pk)
    await db.release_connections()
    yield items
    quiet = max(0.05, min(jobs.VIEWER_WAIT_SECONDS, settings.JOB_LEASE_SECONDS / 2))
    while not is_finished(items):
        after = await batch_events.wait(batch.pk, after, quiet)
        if drain.draining():
            return  # this worker is stopping: the page reconnects to another one
        if batch.upstream_status == Batch.UpstreamStatus.IN_PROGRESS:
            await batch.arefresh_from_db(fields=["upstream_status", "upstream_checked_at"])
            await poll_if_due(batch)
        fresh = await items_of(batch)
        await db.release_connections()
        now_writing = await batch_events.writing(batch.pk)
        before = {item.pk: _state(item, writing) for item in items}
        changed = [item for item in fresh if before.get(item.pk) != _state(item, now_writing)]
        items, writing = fresh, now_writing
        if changed:
            yield changed
        elif not any(item.status == Optimization.Status.QUEUED for item in items):
            # Quiet: a viewer of the batch watches its items, so one whose runner died (a web
            # process restarted, with no Celery worker to sweep) is run again, as for a job.
            for item in items:
                await jobs.revive_if_orphaned(item)


def _state(item: Optimization, writing: set[str]) -> tuple[Any, ...]:
    """What a viewer shows of an item: a change in any part is a new row."""
    return (item.status, item.updated_at, str(item.pk) in writing)


def is_finished(items: list[Optimization]) -> bool:
    return all(item.is_finished for item in items)


def batch_status(items: list[Optimization]) -> str:
    """done: every item finished; queued: waiting for the Message Batches API; else running."""
    if is_finished(items):
        return "done"
    if any(item.status == Optimization.Status.QUEUED for item in items):
        return "queued"
    return "running"


def counts(items: list[Optimization]) -> dict[str, int]:
    """How many items are in each status (every status named, 0 included)."""
    tally = {status: 0 for status in Optimization.Status.values}
    for item in items:
        tally[item.status] += 1
    return tally


# -- the Message Batches API ------------------------------------------------------------------


def _provider() -> AnthropicProvider:
    provider = get_provider()
    if not isinstance(provider, AnthropicProvider):
        raise LLMError("The Message Batches API needs Claude", code="llm_not_configured")
    return provider


async def _submit(batch: Batch, items: list[Optimization]) -> None:
    """Queue the items and send their requests as one Message Batch (custom_id = item id).

    The built-in prompt (no experiment variant): the answer is recorded under it. A refusal
    fails every item with the upstream's error, at once, as a live call would."""
    await Optimization.objects.filter(pk__in=[item.pk for item in items]).aupdate(
        status=Optimization.Status.QUEUED
    )
    try:
        provider = _provider()
        requests = []
        for item in items:
            llm_request = services.build_llm_request(await jobs.request_for(item))
            if await _over_budget(item, llm_request, batch.pk):
                continue
            requests.append({"custom_id": str(item.pk), "params": provider.wire_body(llm_request)})
        if not requests:
            return  # every item refused by a budget: nothing to send
        client = provider.client()
        created = await client.messages.batches.create(requests=requests)  # type: ignore[arg-type]
    except (LLMError, *SDK_ERRORS) as failure:
        error = translate_error(failure)
        logger.error("Message Batch refused for batch %s: %s", batch.pk, error.message)
        for item in items:
            await _fail(item, error.code, error.message, batch.pk)
        return
    batch.upstream_id = created.id
    batch.upstream_status = Batch.UpstreamStatus.IN_PROGRESS
    batch.upstream_checked_at = timezone.now()
    await batch.asave(update_fields=["upstream_id", "upstream_status", "upstream_checked_at"])
    logger.info("Batch %s sent as Message Batch %s (%d requests)", batch.pk, created.id, len(items))
    if not settings.CELERY_BROKER_URL:  # no worker sweeps: this process polls it
        in_background(_poll_until_ended(batch.pk))


async def _over_budget(item: Optimization, llm_request: LLMRequest, batch_id: uuid.UUID) -> bool:
    """Whether the item's worst case would cross a spend budget now (it then fails with
    budget_exceeded and is not sent). Only asked: the answer's real cost counts on the
    budgets when it is recorded (services._budgeted)."""
    page = item.source == Optimization.Source.PAGE
    try:
        reservation = await budget.reserve(
            llm_request, item.api_key_id, page_session=item.session_key if page else None
        )
    except budget.BudgetExceeded as refused:
        await _fail(item, refused.code, refused.message, batch_id)
        return True
    await budget.settle(reservation, 0.0)
    return False


async def _poll_until_ended(batch_id: uuid.UUID) -> None:
    while True:
        await asyncio.sleep(settings.ANTHROPIC_BATCH_POLL_SECONDS)
        batch = await Batch.objects.filter(pk=batch_id).afirst()
        if batch is None or batch.upstream_status != Batch.UpstreamStatus.IN_PROGRESS:
            return
        try:
            await poll(batch)
        except Exception:  # the next round may succeed; a worker's sweeper polls it too
            logger.exception("Polling Message Batch %s failed", batch.upstream_id)


async def poll_upstream() -> int:
    """Poll every Message Batch still in progress; returns how many ended in this round.
    Called by each Celery worker's sweeper thread every ANTHROPIC_BATCH_POLL_SECONDS."""
    ended = 0
    async for batch in Batch.objects.filter(upstream_status=Batch.UpstreamStatus.IN_PROGRESS):
        try:
            ended += await poll(batch)
        except Exception:
            logger.exception("Polling Message Batch %s failed", batch.upstream_id)
    return ended


async def poll_if_due(batch: Batch) -> None:
    """A look at the batch: poll it when nobody has for ANTHROPIC_BATCH_POLL_SECONDS (a web
    process that restarted has lost its poller task; a look finds the results anyway)."""
    if batch.upstream_status != Batch.UpstreamStatus.IN_PROGRESS:
        return
    due = timezone.now() - timedelta(seconds=settings.ANTHROPIC_BATCH_POLL_SECONDS)
    if batch.upstream_checked_at is None or batch.upstream_checked_at < due:
        try:
            await poll(batch)
        except Exception:
            logger.exception("Polling Message Batch %s failed", batch.upstream_id)


async def poll(batch: Batch) -> int:
    """Ask Anthropic about one Message Batch; when it has ended, record every item from its
    results. 1 when it ended now, else 0. One poller at a time per batch (a lock in Redis)."""
    client = redis_client.connection().async_client()
    lock = redis_client.connection().full_key(f"batch:{{{batch.pk}}}:poll")
    token = uuid.uuid4().hex
    try:
        if not await client.set(lock, token, nx=True, ex=POLL_LOCK_SECONDS):
            return 0
    except REDIS_ERRORS as error:
        logger.warning("Cannot lock batch %s for polling: %s", batch.pk, error)
        return 0
    try:
        sdk = _provider().client()
        upstream = await sdk.messages.batches.retrieve(batch.upstream_id)
        await Batch.objects.filter(pk=batch.pk).aupdate(upstream_checked_at=timezone.now())
        if upstream.processing_status != "ended":
            return 0
        results: AsyncGenerator[Any, None] = await sdk.messages.batches.results(batch.upstream_id)  # type: ignore[assignment]
        async for line in results:
            await _record_result(line, batch.pk)
        # Items the results did not name (should not happen): failed, not queued for ever.
        async for item in batch.items.filter(status=Optimization.Status.QUEUED):
            message = "The Message Batch returned no result for it"
            await _fail(item, "upstream_batch_error", message, batch.pk)
        batch.upstream_status = Batch.UpstreamStatus.ENDED
        await batch.asave(update_fields=["upstream_status"])
        return 1
    finally:
        try:
            if await client.get(lock) == token.encode():
                await client.delete(lock)
        except REDIS_ERRORS as error:
            logger.warning("Could not unlock batch %s: %s", batch.pk, error)


_NOT_ANSWERED = {
    "expired": "The Message Batch expired before this job was answered (24 hours). Start it again.",
    "canceled": "The Message Batch was cancelled before this job was answered. Start it again.",
}


async def _record_result(line: Any, batch_id: uuid.UUID) -> None:
    """One line of a batch's results: the item run through the pipeline with its answer, or
    failed with the upstream's reason. Only a queued item: a second poller records nothing."""
    try:
        item_id = uuid.UUID(line.custom_id)
    except ValueError:
        return
    claimed = await Optimization.objects.filter(
        pk=item_id, status=Optimization.Status.QUEUED
    ).aupdate(status=Optimization.Status.RUNNING)
    if not claimed:
        return
    result = line.result
    if result.type == "succeeded":
        await jobs.run(item_id, provider=BatchAnswer(result.message))
    elif result.type == "errored":
        detail = getattr(getattr(result.error, "error", None), "message", "") or "an error"
        message = f"The Message Batch could not answer it: {detail}"
        await _fail(item_id, "upstream_batch_error", message, batch_id)
    else:
        message = _NOT_ANSWERED.get(result.type, "The Message Batch did not answer it.")
        await _fail(item_id, f"upstream_batch_{result.type}", message, batch_id)


class BatchAnswer:
    """A provider that hands the pipeline one Message Batches answer, already generated and
    paid for: no upstream call, breaker, rate limit or budget (services._prepaid)."""

    name = "anthropic"  # the same cache keys as a live Claude call
    prepaid = True

    def __init__(self, message: Any) -> None:
        self.text = "".join(block.text for block in message.content if block.type == "text")
        self.usage = dataclasses.replace(usage_of(message), service_tier="batch")

    async def generate(self, request: LLMRequest) -> LLMResponse:
        return LLMResponse(self.text, self.usage)

    async def stream(self, request: LLMRequest) -> AsyncGenerator[str | LLMUsage, None]:
        # Line by line, as a live answer arrives: a viewer of the item sees it written.
        for line in self.text.splitlines(keepends=True):
            yield line
        yield self.usage
