"""LLMCache against the embedded cache (fakeredis) and the real Redis server."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from conftest import use_redis
from django.core.cache import caches
from samples import JOB, RESUME

from optimizer import services
from optimizer.llm.cache import LLMCache

ARGS = ("prompt text", "system text", "claude-sonnet-4-20250514", 1024, None)


@pytest.fixture(params=["embedded", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "redis":
        request.getfixturevalue("real_redis")
    else:
        request.getfixturevalue("embedded_cache")
    return str(request.param)


async def test_it_shares_keys_between_django_cache_and_the_async_read(backend: str) -> None:
    cache = LLMCache(ttl_seconds=120)
    assert cache.redis.embedded is (backend == "embedded")
    key = cache.make_key(*ARGS)
    # Written through Django's cache framework (the store of record)...
    caches["default"].set(key, {"written": "by django"}, timeout=120)
    # ...read by the native asyncio client on the same key and encoding.
    assert await cache.get(*ARGS) == {"written": "by django"}
    # And the other way round.
    await cache.set(*ARGS[:4], 0.5, {"written": "by LLMCache"})
    assert caches["default"].get(cache.make_key(*ARGS[:4], 0.5)) == {"written": "by LLMCache"}


async def test_it_applies_the_ttl(backend: str) -> None:
    cache = LLMCache(ttl_seconds=90)
    await cache.set(*ARGS, {"a": 1})
    ttl = await cache.redis.async_client().ttl(cache.full_key(cache.make_key(*ARGS)))
    assert 85 <= ttl <= 90


async def test_it_clears_only_its_own_prefix(backend: str) -> None:
    cache = LLMCache()
    client = cache.redis.async_client()
    await client.set("foreign:key", "keep me")
    await client.set(cache.full_key("other:prefix"), "keep me too")
    for n in range(25):
        await cache.set(f"prompt {n}", *ARGS[1:], {"n": n})
    assert (await cache.get_stats())["total_keys"] == 25
    assert await cache.clear_all() == 25
    assert (await cache.get_stats())["total_keys"] == 0
    assert await client.get("foreign:key") == b"keep me"
    assert await client.get(cache.full_key("other:prefix")) == b"keep me too"


async def test_it_invalidates_one_entry(backend: str) -> None:
    cache = LLMCache()
    await cache.set(*ARGS, {"a": 1})
    await cache.set("other", *ARGS[1:], {"b": 2})
    assert await cache.invalidate(*ARGS) is True
    assert await cache.get(*ARGS) is None
    assert await cache.get("other", *ARGS[1:]) == {"b": 2}


async def test_it_counts_hits_and_misses_in_the_store(backend: str) -> None:
    first, second = LLMCache(), LLMCache()  # two workers share the counters
    await first.set(*ARGS, {"a": 1})
    await first.get(*ARGS)
    await second.get(*ARGS)
    await second.get("missing", *ARGS[1:])
    await second.record_saving(0.0255)
    stats = await first.get_stats()
    assert (stats["hits"], stats["misses"], stats["hit_rate"]) == (2, 1, round(2 / 3, 4))
    assert stats["saved_usd"] == pytest.approx(0.0255)
    assert stats["available"] is True


async def test_it_treats_whitespace_variants_as_one_entry(backend: str) -> None:
    cache = LLMCache()
    await cache.set("Jane  Doe\n\nPython ", *ARGS[1:], {"a": 1})
    assert await cache.get("Jane Doe Python", *ARGS[1:]) == {"a": 1}


@pytest.mark.django_db
async def test_the_pipeline_survives_a_dead_redis(settings: Any, use_anthropic: Any) -> None:
    from tests.conftest import free_port

    use_redis(settings, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    request = services.OptimizeRequest(RESUME, JOB)
    first = await services.generate(request)
    second = await services.generate(request)
    assert first["usage_stats"]["cached"] is False and second["usage_stats"]["cached"] is False
    assert use_anthropic.calls == 2  # no cache, but no failure either


async def test_it_estimates_the_count_on_a_large_database(backend: str, monkeypatch: Any) -> None:
    from optimizer.llm import cache as cache_module

    cache = LLMCache()
    client = cache.redis.async_client()
    for n in range(60):
        await client.set(cache.full_key(cache.make_key(f"p{n}", *ARGS[1:])), b"{}")
        await client.set(f"foreign:{n}", b"x")
    exact = await cache.get_stats()
    assert (exact["total_keys"], exact["total_keys_estimated"]) == (60, False)
    monkeypatch.setattr(cache_module, "EXACT_COUNT_LIMIT", 10)
    estimated = await cache.get_stats()
    assert estimated["total_keys_estimated"] is True
    assert estimated["total_keys"] == 60  # the sample covers every key: the share is exact


class RoundTrips:
    """Counts commands and pipelines sent by redis.asyncio: one each is one round trip."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import redis.asyncio.client as client

        self.count = 0
        execute_command = client.Redis.execute_command
        pipeline_execute = client.Pipeline.execute

        async def counted_command(this: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await execute_command(this, *args, **kwargs)

        async def counted_pipeline(this: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await pipeline_execute(this, *args, **kwargs)

        monkeypatch.setattr(client.Redis, "execute_command", counted_command)
        monkeypatch.setattr(client.Pipeline, "execute", counted_pipeline)


async def saved_in_store(cache: LLMCache) -> float:
    return float(await cache.redis.async_client().get(cache._stat_key("saved_usd")) or 0)


async def test_a_hit_saving_rides_on_the_next_lookup(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = LLMCache()
    await cache.set(*ARGS, {"a": 1})
    trips = RoundTrips(monkeypatch)
    cache.add_saving(0.0255)
    assert trips.count == 0  # no round trip of its own on the hot path
    assert await saved_in_store(cache) == 0.0
    assert await cache.get(*ARGS) == {"a": 1}
    assert trips.count == 2  # the saved_in_store() read, then the one lookup pipeline
    assert await saved_in_store(cache) == pytest.approx(0.0255)


async def test_a_held_saving_is_flushed_without_lookups_and_by_get_stats(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from optimizer.llm import cache as cache_module

    monkeypatch.setattr(cache_module, "SAVING_FLUSH_SECONDS", 0.01)
    idle = LLMCache()
    flushed = asyncio.Event()
    flush = idle.flush_savings

    async def flush_and_tell() -> None:
        await flush()
        flushed.set()

    idle.flush_savings = flush_and_tell  # type: ignore[method-assign]
    idle.add_saving(0.5)
    await asyncio.wait_for(flushed.wait(), timeout=5)
    assert await saved_in_store(idle) == pytest.approx(0.5)

    monkeypatch.setattr(cache_module, "SAVING_FLUSH_SECONDS", 3600)
    reader = LLMCache()
    reader.add_saving(0.25)
    assert (await reader.get_stats())["saved_usd"] == pytest.approx(0.75)


async def test_a_pipeline_hit_costs_one_round_trip(
    backend: str, use_anthropic: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = services.OptimizeRequest(RESUME, JOB)
    first = await services.generate(request)
    trips = RoundTrips(monkeypatch)
    second = await services.generate(request)
    # Let anything the hit left running in the background finish before counting.
    await asyncio.gather(*(asyncio.all_tasks() - {asyncio.current_task()}))
    assert second["usage_stats"]["cached"] is True
    assert second["usage_stats"]["saved_usd"] == first["usage_stats"]["cost_usd"]
    assert trips.count == 1


# -- the seed's cache tests (a floor), against the default cache ----------------------------------

SEED_ARGS = ("Tailor this resume", "You are an expert", "claude-sonnet-4-20250514", 4096, 0.2)


async def test_it_stores_and_retrieves(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="optimizer.llm.cache")
    cache = LLMCache(ttl_seconds=60)
    assert await cache.get(*SEED_ARGS) is None
    assert await cache.set(*SEED_ARGS, {"content": "answer"})
    assert await cache.get(*SEED_ARGS) == {"content": "answer"}
    digest = cache.make_key(*SEED_ARGS).removeprefix("llm:")
    assert f"Cache HIT for key: {digest[:8]}..." in caplog.text
    stats = await cache.get_stats()
    assert stats["total_keys"] == 1 and stats["ttl_seconds"] == 60
    assert stats["hits"] == 1 and stats["misses"] == 1 and stats["hit_rate"] == 0.5


def test_it_generates_consistent_keys() -> None:
    cache = LLMCache()
    key = cache.make_key(*SEED_ARGS)
    assert key == cache.make_key(*SEED_ARGS)
    assert key.startswith("llm:") and len(key) == len("llm:") + 64
    assert cache.make_key("  Tailor   this\nresume ", *SEED_ARGS[1:]) == key
    assert cache.make_key("Tailor this résumé", *SEED_ARGS[1:]) == cache.make_key(
        "Tailor this re\u0301sume\u0301", *SEED_ARGS[1:]
    )
    for changed in (
        ("Other",),
        (SEED_ARGS[0], "Other"),
        (*SEED_ARGS[:2], "m"),
        (*SEED_ARGS[:3], 1),
        (*SEED_ARGS[:4], 0.3),
    ):
        assert cache.make_key(*changed, *SEED_ARGS[len(changed) :]) != key


async def test_it_degrades_gracefully_when_redis_is_down() -> None:
    from tests.conftest import free_port

    cache = LLMCache(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    assert await cache.connect() is False
    cache.retry_interval = 0  # try the dead server on every call
    assert await cache.get(*SEED_ARGS) is None
    assert await cache.set(*SEED_ARGS, {"content": "x"}) is False
    assert await cache.invalidate(*SEED_ARGS) is False
    assert await cache.clear_all() == 0
    stats = await cache.get_stats()
    assert stats["available"] is False and stats["total_keys"] == 0
