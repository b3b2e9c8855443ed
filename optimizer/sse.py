"""Server-Sent Events plumbing shared by the API and the page.

Heartbeats: events are pumped from the producer into a queue by a task, and the response reads
the queue with a timeout, sending `: ping` when nothing came. Never wait_for() on the generator
itself: a timeout would cancel it mid-token. When the client goes away Django cancels the
response; the pump task is cancelled too, which closes the pipeline and the upstream stream.

Backpressure: a response that is resumed only once its last send went out (a slow client, or a
worker behind on its other streams) finds several chunks waiting, and sends them as one chunk
event (the joined text, the last one's id) instead of one event per delta. What waits is bounded
by SSE_MAX_PENDING_BYTES: past it, the waiting events are dropped and the stream ends with an
`error` event (code `client_too_slow`) carrying the last delivered id, from which a job stream
resumes with Last-Event-ID (its events are in Redis); a slow client never holds up the others.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, StreamingHttpResponse

from optimizer import db, drain
from optimizer.events import HEARTBEAT, Event

logger = logging.getLogger(__name__)
_END = object()
# Sent when a stream ends because this worker is stopping: EventSource reconnects (with
# Last-Event-ID) after this many milliseconds instead of its default of about 3 s.
RECONNECT_SOON = b"retry: 250\n\n"


async def with_heartbeats(
    events: AsyncIterator[Event],
    render: Callable[[Event], bytes],
    interval: float | None = None,
) -> AsyncIterator[bytes]:
    interval = interval or settings.SSE_HEARTBEAT_SECONDS
    limit = settings.SSE_MAX_PENDING_BYTES
    await db.release_connections()  # the view has read what it needs; a stream lasts minutes
    # A deque, not an asyncio.Queue: the reader looks at what waits behind a chunk to merge it.
    pending: collections.deque[Any] = collections.deque()
    ready = asyncio.Event()
    pending_bytes = 0  # the text of the chunks waiting in pending
    overflow = False

    async def pump() -> None:
        nonlocal pending_bytes, overflow
        try:
            async for event in events:
                pending.append(event)
                pending_bytes += _chunk_size(event)
                ready.set()
                if pending_bytes > limit:
                    overflow = True
                    return
                # Let the response send this event before the producer works on the next one
                # (the pipeline's per-chunk grounding check, the SDK's parsing).
                await asyncio.sleep(0)
        except Exception as error:  # surfaced to the reader, which ends the stream cleanly
            pending.append(error)
        finally:
            pending.append(_END)
            ready.set()

    task = asyncio.ensure_future(pump())
    last_id = 0
    try:
        while True:
            if overflow:
                pending.clear()
                logger.warning("Client too slow: stream closed after event %d", last_id)
                yield render(Event(last_id, _too_slow(last_id)))
                yield RECONNECT_SOON
                return
            if not pending:
                ready.clear()
                try:
                    # asyncio.timeout, not wait_for: on Python 3.11 wait_for wraps every wait in
                    # a new task, an extra loop pass on each event's way to the client.
                    async with asyncio.timeout(interval):
                        await ready.wait()
                except TimeoutError:
                    yield HEARTBEAT
                continue
            item = pending.popleft()
            if item is _END:
                if drain.draining():
                    yield RECONNECT_SOON
                return
            if isinstance(item, Exception):
                # After the 200 an exception would just cut the connection: say what happened.
                logger.exception("Event stream failed", exc_info=item)
                message = "Internal error while streaming; please try again"
                failure = {"type": "error", "message": message, "code": "internal_error"}
                yield render(Event(last_id + 1, failure))
                return
            if item.type == "chunk":
                item = _merge_waiting_chunks(item, pending)
                pending_bytes -= len(item.data["content"])
            last_id = item.id
            yield render(item)
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()


def _chunk_size(item: Any) -> int:
    return len(item.data["content"]) if _is_chunk(item) else 0


def _merge_waiting_chunks(first: Event, pending: collections.deque[Any]) -> Event:
    """The chunk events waiting right behind first, joined into one (the last one's id)."""
    if not (pending and _is_chunk(pending[0])):
        return first
    parts = [first.data["content"]]
    last = first
    while pending and _is_chunk(pending[0]):
        last = pending.popleft()
        parts.append(last.data["content"])
    return Event(last.id, {**first.data, "content": "".join(parts)})


def _is_chunk(item: Any) -> bool:
    return isinstance(item, Event) and item.type == "chunk"


def _too_slow(last_id: int) -> dict[str, Any]:
    return {
        "type": "error",
        "code": "client_too_slow",
        "message": (
            "The connection fell too far behind the text and was closed; "
            f"reconnect with Last-Event-ID: {last_id} to go on from there"
        ),
        "last_event_id": last_id,
    }


def sse_response(stream: AsyncIterator[bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


class InvalidLastEventId(ValueError):
    """A Last-Event-ID that is not a non-negative integer (answered with a 400)."""


def last_event_id(request: HttpRequest) -> int:
    """Where a reconnecting client resumes: the Last-Event-ID header that EventSource sends, or
    the lastEventId (or last_event_id) query parameter of clients that cannot set headers.
    0 when none is given; InvalidLastEventId when the value is not a non-negative integer."""
    raw = (
        request.headers.get("Last-Event-ID")
        or request.GET.get("lastEventId")
        or request.GET.get("last_event_id")
        or "0"
    )
    try:
        value = int(raw.strip())
    except ValueError:
        value = -1
    if value < 0:
        raise InvalidLastEventId("Last-Event-ID must be a non-negative integer")
    return value
