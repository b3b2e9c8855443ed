"""POST /api/v1/generate/stream through AsyncClient: events, order, replay, errors, heartbeats."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import AsyncClient
from sse_helpers import parse_sse, seed_onmessage_client

from optimizer.background import drain_background
from optimizer.models import Optimization
from optimizer.testing.fake_anthropic import DEFAULT_REPLY_TEXT, FakeReply

pytestmark = pytest.mark.django_db(transaction=True)


async def open_stream(body: dict[str, str], key: str) -> Any:
    return await AsyncClient().post(
        "/api/v1/generate/stream",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


async def read_all(response: Any) -> str:
    return b"".join([part async for part in response.streaming_content]).decode()


async def test_it_streams_start_chunks_and_done_with_the_generate_result(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    response = await open_stream(api_body, api_key)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-cache"
    assert response["X-Accel-Buffering"] == "no"
    events, _ = parse_sse(await read_all(response))
    types = [e.type for e in events]
    assert types[0] == "start" and types[-1] == "done"
    assert set(types[1:-1]) <= {"chunk", "warning"}
    ids = [e.id for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    chunks = [e.data["content"] for e in events if e.type == "chunk"]
    assert len(chunks) > 10  # one event per upstream delta, not one blob
    assert "".join(chunks) == DEFAULT_REPLY_TEXT
    result = events[-1].data["result"]
    assert {"optimized_resume", "changes_made", "expected_improvement", "usage_stats"} <= set(
        result
    )
    assert result["usage_stats"]["cached"] is False
    assert use_anthropic.calls == 1


async def test_a_cache_hit_replays_the_same_chunks_without_upstream(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    first, _ = parse_sse(await read_all(await open_stream(api_body, api_key)))
    second, _ = parse_sse(await read_all(await open_stream(api_body, api_key)))
    assert use_anthropic.calls == 1

    def chunks(events: list[Any]) -> list[str]:
        return [e.data["content"] for e in events if e.type == "chunk"]

    assert chunks(second) == chunks(first)
    assert second[-1].data["result"]["usage_stats"]["cached"] is True


async def test_the_stream_and_generate_share_one_cache(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    await read_all(await open_stream(api_body, api_key))
    response = await AsyncClient().post(
        "/api/v1/generate",
        api_body,
        content_type="application/json",
        headers={"X-API-Key": api_key},
    )
    assert response.json()["usage_stats"]["cached"] is True
    assert use_anthropic.calls == 1


async def test_an_upstream_failure_is_an_error_event_that_ends_the_stream(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    use_anthropic.fail(529, times=4)
    response = await open_stream(api_body, api_key)
    assert response.status_code == 200
    events, _ = parse_sse(await read_all(response))
    assert [e.type for e in events] == ["start", "error"]
    assert events[-1].data["code"] == "upstream_overloaded"
    assert events[-1].data["message"]
    assert use_anthropic.calls == 4
    await drain_background()
    row = await Optimization.objects.aget()
    assert row.status == "failed"


async def test_a_mid_stream_failure_is_reported_not_retried(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    use_anthropic.enqueue(FakeReply(error_after_chunks=3))
    events, _ = parse_sse(await read_all(await open_stream(api_body, api_key)))
    assert [e.type for e in events] == ["start", "chunk", "chunk", "chunk", "error"]
    assert use_anthropic.calls == 1


async def test_it_sends_comment_heartbeats_while_waiting_upstream(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], settings: Any
) -> None:
    settings.SSE_HEARTBEAT_SECONDS = 0.05
    use_anthropic.enqueue(FakeReply(first_token_delay=0.4))
    text = await read_all(await open_stream(api_body, api_key))
    before_first_chunk = text.split('"type":"chunk"')[0]
    assert ": ping" in before_first_chunk
    events, pings = parse_sse(text)
    assert pings >= 1 and events[-1].type == "done"


async def test_the_seeds_onmessage_client_works_unchanged(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    text = await read_all(await open_stream(api_body, api_key))
    state = seed_onmessage_client(text.splitlines())
    assert state["started"] is True
    assert state["error"] is None
    assert state["display"] == DEFAULT_REPLY_TEXT
    assert state["done"]["message"] == "Optimization complete"


async def test_a_finished_stream_is_recorded_after_it_ends(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    await read_all(await open_stream(api_body, api_key))
    await drain_background()
    row = await Optimization.objects.aget()
    assert (row.source, row.status, row.cached) == ("api", "done", False)
