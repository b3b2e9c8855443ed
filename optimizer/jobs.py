"""Jobs: a generation that runs once, in the background, and that any number of viewers follow.

A job is an Optimization row. It starts at the first follow() (or start()), claimed atomically
in the database (pending -> running), so a reconnect or a second tab never calls the LLM again.
Its events are appended to a Redis list as they are produced (the shared cache, so a viewer on
any worker can replay them and resume after Last-Event-ID). Viewers refresh a "seen" timestamp
while connected; when nobody has looked for JOB_ORPHAN_GRACE_SECONDS the job is cancelled, its
upstream stream closed, and it is marked cancelled.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncGenerator
from typing import Any

from django.conf import settings

from optimizer import redis_client, services
from optimizer.events import Event
from optimizer.models import Optimization
from optimizer.redis_client import REDIS_ERRORS

logger = logging.getLogger(__name__)

EVENTS_TTL_SECONDS = 24 * 3600
POLL_SECONDS = 0.05  # how often a viewer on another worker looks for new events
SEEN_REFRESH_SECONDS = 1.0
TERMINAL = ("done", "error")
MAX_EVENT_ID = 2**62

# Jobs this worker is running, and a notifier per job so local viewers wake up at once.
_running: dict[uuid.UUID, asyncio.Task[None]] = {}
_notify: dict[uuid.UUID, asyncio.Event] = {}


def _key(job_id: uuid.UUID, part: str) -> str:
    return redis_client.connection().full_key(f"job:{job_id}:{part}")


def _redis() -> Any:
    return redis_client.connection().async_client()


async def touch(job_id: uuid.UUID) -> None:
    """Record that somebody is looking at the job (viewer heartbeat or result poll)."""
    try:
        await _redis().set(_key(job_id, "seen"), time.time(), ex=EVENTS_TTL_SECONDS)
    except REDIS_ERRORS as error:
        logger.warning("Could not record a viewer for job %s: %s", job_id, error)


async def start(job: Optimization) -> bool:
    """Claim a pending job and run it in this worker. False when it was already claimed."""
    if not await services.claim(job):
        return False
    await touch(job.pk)
    _notify[job.pk] = asyncio.Event()
    _running[job.pk] = asyncio.ensure_future(_run(job))
    return True


async def _append(job_id: uuid.UUID, event: Event) -> None:
    redis = _redis()
    key = _key(job_id, "events")
    async with redis.pipeline(transaction=False) as pipe:
        pipe.rpush(key, json.dumps(event.to_dict(), ensure_ascii=False))
        pipe.expire(key, EVENTS_TTL_SECONDS)
        await pipe.execute()
    if notifier := _notify.get(job_id):
        notifier.set()


async def _run(job: Optimization) -> None:
    request = services.OptimizeRequest(job.resume_text, job.job_description)
    pipeline = services.stream(request, optimization=job)
    watchdog = asyncio.ensure_future(_watch_for_orphan(job.pk, asyncio.current_task()))
    last_id = 0
    try:
        async for event in pipeline:
            last_id = event.id
            await _append(job.pk, event)
    except asyncio.CancelledError:
        await pipeline.aclose()  # the pipeline records the cancel
        message = "This optimization was cancelled because nobody was watching it. Start it again."
        cancelled = Event(last_id + 1, {"type": "error", "message": message, "code": "cancelled"})
        await asyncio.shield(_append(job.pk, cancelled))
        logger.info("Job %s cancelled after %d events", job.pk, last_id)
    except Exception as error:
        # Storing an event failed (Redis away): the record says so first, so that viewers
        # reading it see a failed job rather than one "running" forever.
        logger.exception("Job %s failed", job.pk)
        await services.record_failure(job.pk, "internal_error", str(error))
        await pipeline.aclose()  # closes upstream; a cancel never overwrites the failure
        failure = Event(
            last_id + 1,
            {"type": "error", "message": services.INTERNAL_ERROR_MESSAGE, "code": "internal_error"},
        )
        try:
            await _append(job.pk, failure)
        except REDIS_ERRORS as again:
            logger.warning("Could not store the failure of job %s: %s", job.pk, again)
    finally:
        watchdog.cancel()
        _running.pop(job.pk, None)
        if notifier := _notify.pop(job.pk, None):
            notifier.set()


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
    # A client may send any Last-Event-ID; Redis refuses indexes past 64 bits.
    start = min(last_event_id, MAX_EVENT_ID)
    raw = await _redis().lrange(_key(job_id, "events"), start, -1)
    return [Event.from_dict(json.loads(item)) for item in raw]


async def final_event(job_id: uuid.UUID) -> Event | None:
    """The job's last stored event; None when there is none or Redis cannot say."""
    try:
        raw = await _redis().lindex(_key(job_id, "events"), -1)
    except REDIS_ERRORS as error:
        logger.warning("Could not read the last event of job %s: %s", job_id, error)
        return None
    return None if raw is None else Event.from_dict(json.loads(raw))


async def follow(job: Optimization, *, last_event_id: int = 0) -> AsyncGenerator[Event, None]:
    """Every event of the job after last_event_id: stored ones first, then live ones.

    Starts the job when it is still pending. Ends after a done or error event, or at once,
    with no event, when last_event_id is already at or past a finished job's last stored event.
    A job that ended without stored events (e.g. they expired) is answered from its record.
    """
    if job.status == Optimization.Status.PENDING:
        await start(job)
    last_touch = last_check = 0.0
    while True:
        now = time.monotonic()
        if now - last_touch >= SEEN_REFRESH_SECONDS:
            await touch(job.pk)
            last_touch = now
        notifier = _notify.get(job.pk)
        if notifier is not None:
            notifier.clear()  # before reading, so an append after the read still wakes us
        events = await events_after(job.pk, last_event_id)
        for event in events:
            last_event_id = event.id
            yield event
            if event.type in TERMINAL:
                return
        if events:
            continue
        if notifier is None and now - last_check >= SEEN_REFRESH_SECONDS:
            # Not running here: the record says whether it ended without leaving events.
            last_check = now
            await job.arefresh_from_db(fields=["status", "result", "error_code", "error_message"])
            if job.is_finished and not await events_after(job.pk, last_event_id):
                final = await final_event(job.pk)
                if final is None:  # its events expired: the record still has the outcome
                    yield _from_record(job, last_event_id + 1)
                return  # else the client has every event up to the last: nothing to send
        if notifier is not None:
            try:
                await asyncio.wait_for(notifier.wait(), timeout=SEEN_REFRESH_SECONDS)
            except TimeoutError:
                pass
        else:
            await asyncio.sleep(POLL_SECONDS)


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
