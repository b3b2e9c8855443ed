"""Backpressure on SSE responses: a reader that falls behind gets the waiting chunks as one
event, and one that falls too far behind is closed with an error it can resume from."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from optimizer import jobs, services
from optimizer.events import Event, render_json
from optimizer.sse import RECONNECT_SOON, with_heartbeats
from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db(transaction=True)


def _events(*kinds_and_content: tuple[str, str]) -> list[Event]:
    out = []
    for number, (kind, content) in enumerate(kinds_and_content, start=1):
        data: dict[str, Any] = {"type": kind}
        if kind == "chunk":
            data["content"] = content
        elif kind == "warning":
            data["issues"] = [content]
        elif kind == "done":
            data.update(message="Optimization complete", result={})
        out.append(Event(number, data))
    return out


class Source:
    """Yields the given events as fast as they are asked for; `drained` is set once the last
    one was taken, `closed` once the response closed it."""

    def __init__(self, events: list[Event], *, drained_after: int | None = None) -> None:
        self.events = events
        self.drained_after = len(events) if drained_after is None else drained_after
        self.drained = asyncio.Event()
        self.closed = False

    async def run(self) -> AsyncIterator[Event]:
        try:
            for taken, event in enumerate(self.events, start=1):
                if taken == self.drained_after:
                    self.drained.set()  # set before the yield: the taker runs on at once
                yield event
        finally:
            self.closed = True


def _parse(frame: bytes) -> tuple[int, dict[str, Any]]:
    lines = dict(line.split(": ", 1) for line in frame.decode().strip().split("\n"))
    return int(lines["id"]), json.loads(lines["data"])


async def test_chunks_waiting_behind_a_slow_reader_go_out_as_one_event() -> None:
    events = _events(
        ("start", ""),
        *[("chunk", f"part {n}. ") for n in range(5)],
        ("warning", "Check: a claim"),
        ("chunk", "tail one "),
        ("chunk", "tail two"),
        ("done", ""),
    )
    source = Source(events)
    response = with_heartbeats(source.run(), render_json, interval=30)
    first = await response.__anext__()  # the reader now waits in yield: the "slow client"
    assert _parse(first)[1]["type"] == "start"
    await source.drained.wait()  # everything else is waiting in the response's buffer
    rest = [_parse(frame) async for frame in response]

    assert [(eid, data["type"]) for eid, data in rest] == [
        (6, "chunk"),  # chunks 2-6, joined, with the last one's id
        (7, "warning"),  # order kept: a chunk never jumps over another event
        (9, "chunk"),
        (10, "done"),
    ]
    assert rest[0][1]["content"] == "".join(f"part {n}. " for n in range(5))
    assert rest[2][1]["content"] == "tail one tail two"
    assert set(rest[0][1]) == {"type", "content"}  # the seed's chunk shape


async def test_a_reader_that_keeps_up_gets_every_chunk_as_its_own_event() -> None:
    events = _events(("start", ""), ("chunk", "a"), ("chunk", "b"), ("chunk", "c"), ("done", ""))
    frames = [_parse(frame) async for frame in with_heartbeats(_paced(events), render_json)]
    assert [eid for eid, _ in frames] == [1, 2, 3, 4, 5]


async def _paced(events: list[Event]) -> AsyncIterator[Event]:
    """One event per loop pass after the reader took the last one (a reader keeping up)."""
    for event in events:
        yield event
        for _ in range(5):
            await asyncio.sleep(0)


async def test_a_reader_too_far_behind_is_closed_with_where_to_resume(settings: Any) -> None:
    settings.SSE_MAX_PENDING_BYTES = 1024
    events = _events(("start", ""), *[("chunk", "x" * 300) for _ in range(10)], ("done", ""))
    # The 4th chunk takes what waits past 1,024 bytes: the response stops reading there.
    source = Source(events, drained_after=5)
    response = with_heartbeats(source.run(), render_json, interval=30)
    assert _parse(await response.__anext__())[1]["type"] == "start"
    await source.drained.wait()
    frames = [frame async for frame in response]

    assert frames[-1] == RECONNECT_SOON  # EventSource reconnects at once
    event_id, error = _parse(frames[0])
    assert len(frames) == 2
    assert error["type"] == "error" and error["code"] == "client_too_slow"
    assert event_id == error["last_event_id"] == 1  # nothing past the start was delivered
    assert "Last-Event-ID: 1" in error["message"]
    assert source.closed  # the source was closed: nothing more is read or buffered


async def test_a_job_stream_closed_for_slowness_resumes_with_nothing_lost(
    settings: Any, use_anthropic: Any
) -> None:
    text = "".join(f"Line {n}: built and shipped a thing people used.\n" for n in range(120))
    use_anthropic.enqueue(FakeReply(chunks=[text[i : i + 50] for i in range(0, len(text), 50)]))
    job = await services.create_optimization(resume="r" * 40, job_description="j" * 40)
    stored = [event async for event in jobs.follow(job)]  # the whole job, in Redis
    assert stored[-1].type == "done"

    settings.SSE_MAX_PENDING_BYTES = 2048
    past_the_limit = asyncio.Event()
    response = with_heartbeats(_flag_past(jobs.follow(job), 2048, past_the_limit), render_json)
    frames = [await response.__anext__()]
    await past_the_limit.wait()  # read ahead from Redis while its client did not read
    frames += [frame async for frame in response]
    assert frames[-1] == RECONNECT_SOON
    last_id, error = _parse(frames[-2])
    assert error["code"] == "client_too_slow"

    delivered = [_parse(frame)[1] for frame in frames[:-2]]
    resumed = [event.data async for event in jobs.follow(job, last_event_id=last_id)]
    content = "".join(d.get("content", "") for d in delivered + resumed if d["type"] == "chunk")
    assert content == text
    assert resumed[-1]["type"] == "done"
    assert use_anthropic.calls == 1


async def _flag_past(events: AsyncIterator[Event], limit: int, flag: asyncio.Event) -> Any:
    """events, setting flag as the chunk that takes their text past limit is handed over."""
    total = 0
    async for event in events:
        total += len(event.data.get("content", "")) if event.type == "chunk" else 0
        if total > limit:
            flag.set()
        yield event


async def test_the_page_reconnects_instead_of_showing_a_failure() -> None:
    from optimizer.views import PageRenderer

    job = await services.create_optimization(resume="r" * 40, job_description="j" * 40)
    renderer = PageRenderer(job, csrf_token="t")
    too_slow = {"type": "error", "code": "client_too_slow", "message": "behind"}
    assert await sync_to_async(renderer.render)(Event(4, too_slow)) == b""
    failed = {"type": "error", "code": "upstream_timeout", "message": "slow model"}
    assert b"event: failed" in await sync_to_async(renderer.render)(Event(5, failed))
