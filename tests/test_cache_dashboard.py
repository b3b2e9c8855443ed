"""The admin's live cache dashboard: per-minute buckets every worker shares, the figures read
from them, and the SSE stream that sends a new `stats` event when a hit happens."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient
from samples import JOB, RESUME

from optimizer import cache_dashboard, redis_client, services
from optimizer.llm import cache as llm_cache
from optimizer.llm.cache import MINUTE_BUCKET_SECONDS, LLMCache, get_llm_cache

NOW = 29_000_000  # a fixed minute (2025-02-20), so that no test straddles a minute boundary


@pytest.fixture(autouse=True)
def _fixed_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llm_cache, "current_minute", lambda: NOW)


@pytest.fixture(params=["embedded", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    request.getfixturevalue("real_redis" if request.param == "redis" else "embedded_cache")
    return str(request.param)


# -- the figures, on known inputs -------------------------------------------------------------


def test_percentiles_interpolate_within_the_bucket() -> None:
    # 10 calls: 4 up to 250 ms, 4 in (250, 500], 2 in (1000, 2000].
    histogram = {"250": 4, "500": 4, "2000": 2}
    assert cache_dashboard.percentile(histogram, 0.5) == pytest.approx(250 + 250 * (1 / 4))
    assert cache_dashboard.percentile(histogram, 0.95) == pytest.approx(1000 + 1000 * (1.5 / 2))
    assert cache_dashboard.percentile({}, 0.5) is None
    assert cache_dashboard.percentile({"inf": 3}, 0.5) == 60000  # the last finite bound


async def test_a_lookup_counts_in_this_minutes_shared_bucket(backend: str) -> None:
    first, second = LLMCache(), LLMCache()  # two workers
    await first.set_by_key("llm:" + "a" * 64, {"x": 1})
    await first.get_by_key("llm:" + "a" * 64)
    await second.get_by_key("llm:" + "a" * 64)
    await second.get_by_key("llm:" + "b" * 64)  # a miss
    await second.record_upstream_latency(420.0)
    await second.record_saving(0.25)
    client = redis_client.connection().async_client()
    bucket = await client.hgetall(first.minute_key())
    assert bucket == {
        b"lookups": b"3",
        b"misses": b"1",
        b"lat:500": b"1",
        b"saved_usd": b"0.25",
    }
    assert (
        MINUTE_BUCKET_SECONDS - 5 <= await client.ttl(first.minute_key()) <= MINUTE_BUCKET_SECONDS
    )


async def test_the_snapshot_reads_the_last_hour_per_minute(backend: str) -> None:
    cache = get_llm_cache()
    client = redis_client.connection().async_client()
    now = NOW
    # Three minutes of known traffic: 10 minutes ago, 5 minutes ago, and one over an hour ago
    # (outside the window), with gauge samples whose eviction totals differ by 7.
    await client.hset(
        cache.minute_key(now - 10),
        mapping={"lookups": 8, "misses": 2, "evicted_total": 100, "lat:1000": 3},
    )
    await client.hset(
        cache.minute_key(now - 5),
        mapping={
            "lookups": 4,
            "misses": 4,
            "evicted_total": 107,
            "lat:5000": 1,
            "saved_usd": "0.5",
        },
    )
    await client.hset(cache.minute_key(now - 61), mapping={"lookups": 1000})
    gauges = {"info": {"used_memory": 1}, "entries": {"count": 0}, "memory": {"bytes": 0}}
    data = await cache_dashboard.snapshot(cache, gauges)
    rows = {row["minute"]: row for row in data["minutes"]}
    assert len(data["minutes"]) == 60 and now - 61 not in rows
    assert (rows[now - 10]["hits"], rows[now - 10]["misses"]) == (6, 2)
    assert rows[now - 10]["hit_rate"] == 75.0 and rows[now - 5]["hit_rate"] == 0.0
    assert rows[now - 1]["hit_rate"] is None  # no lookups: no rate, not 0%
    assert rows[now - 5]["evictions"] == 7 and rows[now - 10]["evictions"] is None
    assert data["last_hour"] == {"hits": 6, "misses": 6, "saved_usd": 0.5, "evictions": 7}
    assert data["latency"]["calls"] == 4
    assert 500 < data["latency"]["p50"] <= 1000 and 2000 < data["latency"]["p95"] <= 5000


async def test_gauges_are_measured_and_shared_through_the_bucket(backend: str) -> None:
    cache = get_llm_cache()
    for n in range(3):
        await cache.set_by_key(f"llm:{n:064d}", {"n": n})
    gauges = await sync_to_async(cache_dashboard.measure_gauges)(cache)
    assert gauges["entries"]["count"] == 3
    bucket = await redis_client.connection().async_client().hgetall(cache.minute_key())
    assert int(bucket[b"entries"]) == 3 and int(bucket[b"memory_bytes"]) > 0
    # The embedded server has no INFO (no maxmemory, no evictions); real Redis reports both.
    assert (b"evicted_total" in bucket) is (backend == "redis")
    assert bool(gauges["info"]) is (backend == "redis")


# -- the stream --------------------------------------------------------------------------------


async def next_stats(stream: AsyncIterator[bytes]) -> str:
    """The HTML of the next `stats` event (heartbeats skipped); fails after 10 s, never hangs."""
    async with asyncio.timeout(10):
        async for part in stream:
            text = part.decode()
            if text.startswith("event: stats"):
                return "\n".join(line[6:] for line in text.split("\n") if line.startswith("data: "))
    raise AssertionError("the stream ended")


def figure(html: str, name: str) -> str:
    match = re.search(rf'id="live-{name}">([^<]*)<', html)
    assert match, f"no live-{name} in the event"
    return match.group(1)


@pytest.mark.django_db(transaction=True)
async def test_an_event_arrives_when_a_hit_happens(
    backend: str, use_anthropic: Any, admin_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_dashboard, "POLL_SECONDS", 0.05)
    request = services.OptimizeRequest(RESUME, JOB)
    await services.generate(request)  # a miss, stored
    client = AsyncClient()
    await client.aforce_login(admin_user)
    response = await client.get("/admin/cache/live/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert (
        response["Cache-Control"].startswith("no-cache") or "no-cache" in response["Cache-Control"]
    )
    stream = aiter(response.streaming_content)
    try:
        first = await next_stats(stream)
        assert (figure(first, "hits"), figure(first, "misses")) == ("0", "1")
        assert figure(first, "entries") == "1"
        assert "p50" in figure(first, "latency")  # the miss's upstream call
        assert "<svg" in first and 'aria-label="Hits and misses' in first

        hit = await services.generate(request)
        assert hit["usage_stats"]["cached"] is True
        second = await next_stats(stream)
        assert (figure(second, "hits"), figure(second, "misses")) == ("1", "1")
        assert figure(second, "hit-rate") == "50.0%"
        # The hit's saving rides on the next lookup (or a flush a second later): it shows too.
        await get_llm_cache().flush_savings()
        third = await next_stats(stream)
        assert figure(third, "saved") != "$0.0000"
    finally:
        await stream.aclose()  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
async def test_the_stream_is_staff_only_and_rejects_bad_input(
    embedded_cache: None, admin_user: Any, django_user_model: Any
) -> None:
    anonymous = await AsyncClient().get("/admin/cache/live/")
    assert anonymous.status_code == 403 and anonymous.json()["error"]["code"] == "forbidden"
    user = await django_user_model.objects.acreate(username="visitor")
    visitor = AsyncClient()
    await visitor.aforce_login(user)
    assert (await visitor.get("/admin/cache/live/")).status_code == 403
    staff = AsyncClient()
    await staff.aforce_login(admin_user)
    assert (await staff.post("/admin/cache/live/")).status_code == 405
    bad = await staff.get("/admin/cache/live/", headers={"Last-Event-ID": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()["error"] == {
        "code": "invalid_last_event_id",
        "message": "Last-Event-ID must be a non-negative integer",
        "field": "Last-Event-ID",
    }


@pytest.mark.django_db
def test_the_cache_page_renders_the_dashboard_and_connects_it(
    embedded_cache: None, admin_client: Any
) -> None:
    page = admin_client.get("/admin/cache/").content.decode()
    assert 'sse-connect="/admin/cache/live/"' in page and 'sse-swap="stats"' in page
    assert 'id="live-hits">0<' in page and "htmx" in page
    assert page.count('class="chart-bg"') == 6  # one per chart
