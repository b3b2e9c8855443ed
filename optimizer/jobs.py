"""Jobs: a generation that runs once, in the background, and that any number of viewers follow.

A job is an Optimization row. It starts at the first follow() (or start()), claimed atomically
in the database (pending -> running), so a reconnect or a second tab never calls the LLM again.
Its events go to one Redis Stream per job as they are produced (XADD, bounded by MAXLEN and a
TTL), with stream ids 0-<event id>, so an SSE Last-Event-ID is a stream position. Viewers on any
worker XREAD BLOCK from there: a new event reaches every viewer at once, with no polling. The
job's keys share a Redis Cluster hash tag (job:{<id>}:...). Viewers refresh a "seen" timestamp
while connected; when nobody has looked for JOB_ORPHAN_GRACE_SECONDS the job is cancelled, its
upstream stream closed, and it is marked cancelled.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import os
import time
import uuid
from collections.abc import AsyncGenerator, Callable
from contextvars import Context
from datetime import timedelta
from typing import Any, cast

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from optimizer import batch_events, db, drain, redis_client, review, services, slots
from optimizer.events import Event
from optimizer.llm.client import Provider
from optimizer.models import Optimization
from optimizer.redis_client import REDIS_ERRORS

logger = logging.getLogger(__name__)

EVENTS_TTL_SECONDS = 24 * 3600
EVENTS_MAX_LENGTH = 20_000  # far more than one generation's events; bounds a runaway one
READ_COUNT = 1000  # events per XREAD at the most
# An idle viewer wakes this often (to say it is still there and to look at the record): at
# most VIEWER_WAIT_SECONDS, and well inside the orphan grace period.
VIEWER_WAIT_SECONDS = 5.0
RECORD_CHECK_SECONDS = 10.0
TERMINAL = ("done", "error")
EVENTS_UNAVAILABLE_MESSAGE = (
    "The optimization stopped: its progress could not be stored (the cache is unavailable). "
    "Start it again in a moment."
)
MAX_EVENT_ID = 2**62  # a stream id's sequence part is 64 bits: clamp what clients send

# Jobs this worker is running.
_running: dict[uuid.UUID, asyncio.Future[str]] = {}


def _key(job_id: uuid.UUID, part: str) -> str:
    # {job_id}: a Redis Cluster hash tag, so one job's keys live in one slot.
    return redis_client.connection().full_key(f"job:{{{job_id}}}:{part}")


def _stream_id(event_id: int) -> str:
    return f"0-{min(event_id, MAX_EVENT_ID)}"


def _decode(entries: list[Any]) -> list[Event]:
    return [Event.from_dict(json.loads(fields[b"e"])) for _, fields in entries]


def _redis() -> Any:
    return redis_client.connection().async_client()


async def touch(job_id: uuid.UUID) -> None:
    """Record that somebody is looking at the job (viewer heartbeat or result poll)."""
    try:
        await _redis().set(_key(job_id, "seen"), time.time(), ex=EVENTS_TTL_SECONDS)
    except REDIS_ERRORS as error:
        logger.warning("Could not record a viewer for job %s: %s", job_id, error)


async def start(job: Optimization) -> bool:
    """Claim a pending job and have it run: on a Celery worker when a broker is configured,
    else in this process. False when it was already claimed."""
    if not await services.claim(job):
        return False
    await touch(job.pk)
    await _launch(job.pk, job)
    return True


async def _launch(job_id: uuid.UUID, job: Optimization | None = None) -> None:
    if settings.CELERY_BROKER_URL:
        from optimizer.tasks import run_job

        # kombu publishes with blocking sockets: in a thread, never on the event loop.
        await sync_to_async(run_job.delay, thread_sensitive=False)(str(job_id))
    else:
        # A context of its own: the generation's record writes must not run on the thread
        # (and hold the database connection) of the request that happened to start it.
        task = asyncio.get_running_loop().create_task(run(job_id, job), context=Context())
        _running[job_id] = task


async def run(
    job_id: uuid.UUID, job: Optimization | None = None, *, provider: Provider | None = None
) -> str:
    """The task body, on a Celery worker or in-process: run the job under its lease.
    provider: an answer already in hand (a Message Batches result, optimizer/batches.py).

    "held": another live process holds the lease (a redelivered task: try again later);
    "finished": nothing to do; "ran": this call ran it (to an end, or until it died here).
    """
    if job is None:
        job = await Optimization.objects.filter(pk=job_id).afirst()
    if job is None or job.is_finished:
        return "finished"
    token = f"{os.getpid()}:{uuid.uuid4().hex}"  # the runner's pid: for operators (and tests)
    redis = _redis()
    lease_ms = int(settings.JOB_LEASE_SECONDS * 1000)
    try:
        async with redis.pipeline(transaction=False) as pipe:
            pipe.set(_key(job_id, "lease"), token, nx=True, px=lease_ms)
            pipe.incr(_key(job_id, "runs"))
            pipe.expire(_key(job_id, "runs"), EVENTS_TTL_SECONDS)
            won, runs, _ = await pipe.execute()
        if not won:
            await redis.decr(_key(job_id, "runs"))
            return "held"
    except REDIS_ERRORS as error:
        logger.error("Job %s cannot take its lease: %s", job_id, error)
        await services.record_failure(job_id, "events_unavailable", EVENTS_UNAVAILABLE_MESSAGE)
        return "ran"
    renew = asyncio.ensure_future(_keep_lease(job_id, token))
    try:
        await _run(job, attempt=int(runs), provider=provider)
    finally:
        renew.cancel()
        try:
            if await redis.get(_key(job_id, "lease")) == token.encode():
                await redis.delete(_key(job_id, "lease"))
        except REDIS_ERRORS as error:
            logger.warning("Could not release the lease of job %s: %s", job_id, error)
    return "ran"


async def finish_running(seconds: float) -> int:
    """Wait up to `seconds` for the generations this process runs (in-process mode) to end;
    a worker that is stopping calls it last. Returns how many were still running."""
    running = [future for future in _running.values() if not future.done()]
    if running:
        logger.info("Waiting up to %s s for %d running job(s)", seconds, len(running))
        _, pending = await asyncio.wait(running, timeout=seconds)
        return len(pending)
    return 0


async def _keep_lease(job_id: uuid.UUID, token: str) -> None:
    lease = settings.JOB_LEASE_SECONDS
    while True:
        await asyncio.sleep(lease / 3)
        try:
            await _redis().set(_key(job_id, "lease"), token, xx=True, px=int(lease * 1000))
        except REDIS_ERRORS as error:
            logger.warning("Could not renew the lease of job %s: %s", job_id, error)


async def revive_if_orphaned(job: Optimization) -> None:
    """A viewer's look at its running job: a runner that died (no live lease for a while) is
    replaced, also in-process mode where no Celery worker sweeps."""
    stale = timezone.now() - timedelta(seconds=settings.JOB_LEASE_SECONDS)
    if job.status != Optimization.Status.RUNNING or job.updated_at > stale:
        return
    if not await _redis().exists(_key(job.pk, "lease")):
        logger.warning("Job %s lost its runner: a viewer runs it again", job.pk)
        await _launch(job.pk)


async def sweep() -> int:
    """Run again the jobs whose runner died: running, untouched for a lease, no live lease.
    Called every JOB_LEASE_SECONDS by each Celery worker (resumesite/celery.py)."""
    stale = timezone.now() - timedelta(seconds=settings.JOB_LEASE_SECONDS)
    relaunched = 0
    async for job_id in Optimization.objects.filter(
        status=Optimization.Status.RUNNING, updated_at__lt=stale
    ).values_list("pk", flat=True):
        if not await _redis().exists(_key(job_id, "lease")):
            logger.warning("Job %s lost its runner: running it again", job_id)
            await _launch(job_id)
            relaunched += 1
    return relaunched


async def _append(job_id: uuid.UUID, *events: Event) -> None:
    """Store events in the job's stream: one round trip however many there are."""
    redis = _redis()
    key = _key(job_id, "events")
    async with redis.pipeline(transaction=False) as pipe:
        for event in events:
            pipe.xadd(
                key,
                {"e": json.dumps(event.to_dict(), ensure_ascii=False)},
                id=_stream_id(event.id),
                maxlen=EVENTS_MAX_LENGTH,
                approximate=True,
            )
        pipe.expire(key, EVENTS_TTL_SECONDS)
        await pipe.execute()


async def _batches(events: AsyncGenerator[Event, None]) -> AsyncGenerator[list[Event], None]:
    """events, in lists of those that came while the caller stored the previous list.

    A runner that keeps up stores each event alone, at once; one that falls behind (a busy
    worker, a follower handed a flight's events in bursts) stores what waits in one round
    trip instead of one per event. The source is read by a task of its own; closing this
    generator cancels that task, which closes the source (the pipeline records the cancel)."""
    waiting: collections.deque[Event | BaseException | None] = collections.deque()
    arrived = asyncio.Event()

    async def pump() -> None:
        try:
            async for event in events:
                waiting.append(event)
                arrived.set()
        except BaseException as error:  # the caller raises it, in order, after the rest
            waiting.append(error)
            if isinstance(error, asyncio.CancelledError):
                raise
        else:
            waiting.append(None)
        finally:
            arrived.set()

    reader = asyncio.ensure_future(pump())
    try:
        while True:
            if not waiting:
                arrived.clear()
                await arrived.wait()
                continue
            batch: list[Event] = []
            while waiting and isinstance(waiting[0], Event):
                batch.append(cast(Event, waiting.popleft()))
            if batch:
                yield batch
                continue
            end = waiting.popleft()
            if end is None:
                return
            raise cast(BaseException, end)
    finally:
        if not reader.done():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader


async def request_for(job: Optimization) -> services.OptimizeRequest:
    """What the job's row asks for. A letter from an optimization also gets that one's final
    text (the user's edits included) for wording; its facts are checked against resume_text."""
    tailored = ""
    if job.is_letter and job.parent_id is not None:
        parent = await Optimization.objects.filter(pk=job.parent_id).afirst()
        tailored = review.final_text(parent) if parent is not None else ""
    return services.OptimizeRequest(
        job.resume_text,
        job.job_description,
        job.output_language,
        kind=job.kind,
        tone=job.tone,
        tailored_resume=tailored,
        parent_id=job.parent_id,
    )


async def _run(job: Optimization, attempt: int = 1, provider: Provider | None = None) -> None:
    request = await request_for(job)
    in_batch = job.batch_id is not None
    last_id = 0
    if attempt > 1:  # a restart after its runner died: go on after the events already sent
        with contextlib.suppress(*REDIS_ERRORS):
            stored = await _redis().xrevrange(_key(job.pk, "events"), count=1)
            last_id = int(stored[0][0].split(b"-")[1]) if stored else 0
    pipeline = services.stream(
        request,
        optimization=job,
        first_event_id=last_id + 1,
        attempt=attempt,
        provider=provider,
        # A Message Batches answer was asked with the built-in prompt: it is recorded as such.
        choose_variant=provider is None,
        # A batch item calls upstream only in one of BATCH_MAX_CONCURRENCY shared slots.
        upstream_gate=_batch_gate(job) if in_batch else None,
    )
    # A batch runs whether or not anybody watches its items (the owner reads the batch).
    watchdog = (
        None
        if in_batch
        else asyncio.ensure_future(_watch_for_orphan(job.pk, asyncio.current_task()))
    )
    batches = _batches(pipeline)
    if job.batch_id is not None:
        await batch_events.notify(job.batch_id, job.pk)  # its row says "running" now
    try:
        async for batch in batches:
            await _append(job.pk, *batch)
            last_id = batch[-1].id
    except asyncio.CancelledError:
        await batches.aclose()  # cancels the reader: the pipeline records the cancel
        await pipeline.aclose()
        message = "This optimization was cancelled because nobody was watching it. Start it again."
        cancelled = Event(last_id + 1, {"type": "error", "message": message, "code": "cancelled"})
        await asyncio.shield(_append(job.pk, cancelled))
        logger.info("Job %s cancelled after %d events", job.pk, last_id)
    except Exception as error:
        # Storing an event failed (Redis away) or a bug: the record says so first, so that
        # viewers reading it see a failed job rather than one "running" forever.
        logger.exception("Job %s failed", job.pk)
        if isinstance(error, REDIS_ERRORS):
            code, message = "events_unavailable", EVENTS_UNAVAILABLE_MESSAGE
        else:
            code, message = "internal_error", services.INTERNAL_ERROR_MESSAGE
        await services.record_failure(job.pk, code, message)
        await batches.aclose()
        await pipeline.aclose()  # closes upstream; a cancel never overwrites the failure
        failure = Event(last_id + 1, {"type": "error", "message": message, "code": code})
        try:
            await _append(job.pk, failure)
        except REDIS_ERRORS as again:
            logger.warning("Could not store the failure of job %s: %s", job.pk, again)
    finally:
        if watchdog is not None:
            watchdog.cancel()
        _running.pop(job.pk, None)
        if job.batch_id is not None:
            await asyncio.shield(batch_events.notify(job.batch_id, job.pk))


def _batch_gate(job: Optimization) -> Callable[[], contextlib.AbstractAsyncContextManager[None]]:
    """A batch item's upstream gate: one of the shared slots, and its batch's viewers told
    when it has one (its row: "Writing") and when it gives it back."""

    @contextlib.asynccontextmanager
    async def gate() -> AsyncGenerator[None, None]:
        assert job.batch_id is not None
        async with slots.upstream_slot():
            await batch_events.mark_writing(job.batch_id, job.pk, True)
            try:
                yield
            finally:
                await asyncio.shield(batch_events.mark_writing(job.batch_id, job.pk, False))

    return gate


async def _watch_for_orphan(job_id: uuid.UUID, runner: asyncio.Task[Any] | None) -> None:
    grace = settings.JOB_ORPHAN_GRACE_SECONDS
    while True:
        await asyncio.sleep(min(1.0, max(grace / 4, 0.05)))
        try:
            seen = await _redis().get(_key(job_id, "seen"))
        except REDIS_ERRORS:
            continue
        if seen is not None and time.time() - float(seen) > grace and runner is not None:
            logger.info("Job %s has had no viewer for %s s: cancelling it", job_id, grace)
            runner.cancel()
            return


async def events_after(job_id: uuid.UUID, last_event_id: int) -> list[Event]:
    """The stored events after last_event_id (no waiting)."""
    entries = await _redis().xrange(_key(job_id, "events"), min=_stream_id(last_event_id + 1))
    return _decode(entries)


async def final_event(job_id: uuid.UUID) -> Event | None:
    """The job's last stored event; None when there is none or Redis cannot say."""
    try:
        entries = await _redis().xrevrange(_key(job_id, "events"), count=1)
    except REDIS_ERRORS as error:
        logger.warning("Could not read the last event of job %s: %s", job_id, error)
        return None
    events = _decode(entries)
    return events[0] if events else None


async def _ended(job: Optimization, last_event_id: int) -> list[Event] | None:
    """For a finished job with nothing stored after last_event_id: what is left to send ([]:
    the client has every event; [done or error]: its events expired, from the record)."""
    if await events_after(job.pk, last_event_id):
        return None  # more to read
    if await final_event(job.pk) is None:
        return [_from_record(job, last_event_id + 1)]
    return []


async def follow(job: Optimization, *, last_event_id: int = 0) -> AsyncGenerator[Event, None]:
    """Every event of the job after last_event_id: stored ones first, then live ones.

    Starts the job when it is still pending. Ends after a done or error event, or at once,
    with no event, when last_event_id is already at or past a finished job's last stored event.
    A job that ended without stored events (e.g. they expired) is answered from its record.
    """
    if job.status == Optimization.Status.PENDING:
        await start(job)
        await db.release_connections()  # the claim's: a viewer holds none while it waits
    elif job.is_finished and (ended := await _ended(job, last_event_id)) is not None:
        for event in ended:  # a finished job and a client that has it all: answer at once
            yield event
        return
    key = _key(job.pk, "events")
    # Quiet waits end often enough to notice, within about one lease, a runner that died.
    lease = settings.JOB_LEASE_SECONDS
    wait = min(VIEWER_WAIT_SECONDS, max(settings.JOB_ORPHAN_GRACE_SECONDS / 3, 0.05), lease / 2)
    blocking = redis_client.connection().blocking_client()
    next_check = 0.0  # the record is looked at on the first quiet wait, then now and then
    # "Still watching" at most this often: not one SET per event a viewer is sent.
    touch_every = min(1.0, settings.JOB_ORPHAN_GRACE_SECONDS / 4)
    touched = 0.0
    while True:
        if time.monotonic() - touched >= touch_every:
            await touch(job.pk)
            touched = time.monotonic()
        # RESP2's reply: [[key, [(id, fields), ...]]], or [] when nothing came within `wait`.
        reply: Any = await blocking.xread(
            {key: _stream_id(last_event_id)}, count=READ_COUNT, block=int(wait * 1000)
        )
        events = _decode(reply[0][1]) if reply else []
        for event in events:
            last_event_id = event.id
            yield event
            if event.type in TERMINAL:
                return
        if drain.draining():
            return  # this worker is stopping: the client resumes from here on another one
        if events or time.monotonic() < next_check:
            continue
        # Quiet for a while: the record says whether the job ended without leaving events.
        next_check = time.monotonic() + min(RECORD_CHECK_SECONDS, lease / 2)
        await job.arefresh_from_db(
            fields=["status", "result", "error_code", "error_message", "updated_at"]
        )
        await db.release_connections()  # not held until the viewer leaves
        if job.is_finished and (ended := await _ended(job, last_event_id)) is not None:
            if ended:
                yield ended[0]
            return
        await revive_if_orphaned(job)


def _from_record(job: Optimization, event_id: int) -> Event:
    if job.status == Optimization.Status.DONE and job.result:
        return Event(
            event_id, {"type": "done", "message": "Optimization complete", "result": job.result}
        )
    if job.status == Optimization.Status.CANCELLED:
        message = "This optimization was cancelled. Start it again."
        return Event(event_id, {"type": "error", "message": message, "code": "cancelled"})
    message = job.error_message or "The optimization failed"
    return Event(
        event_id, {"type": "error", "message": message, "code": job.error_code or "failed"}
    )
