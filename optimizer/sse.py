"""Server-Sent Events plumbing shared by the API and the page.

Heartbeats: events are pumped from the producer into a queue by a task, and the response reads
the queue with a timeout, sending `: ping` when nothing came. Never wait_for() on the generator
itself: a timeout would cancel it mid-token. When the client goes away Django cancels the
response; the pump task is cancelled too, which closes the pipeline and the upstream stream.
"""

from __future__ import annotations

import asyncio
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
    await db.release_connections()  # the view has read what it needs; a stream lasts minutes
    queue: asyncio.Queue[Any] = asyncio.Queue()

    async def pump() -> None:
        try:
            async for event in events:
                await queue.put(event)
                # Let the response send this event before the producer works on the next one
                # (the pipeline's per-chunk grounding check, the SDK's parsing).
                await asyncio.sleep(0)
        except Exception as error:  # surfaced to the reader, which ends the stream cleanly
            await queue.put(error)
        finally:
            await queue.put(_END)

    task = asyncio.ensure_future(pump())
    last_id = 0
    try:
        while True:
            try:
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for wraps every get() in
                # a new task, an extra loop pass on each event's way to the client.
                async with asyncio.timeout(interval):
                    item = await queue.get()
            except TimeoutError:
                yield HEARTBEAT
                continue
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
