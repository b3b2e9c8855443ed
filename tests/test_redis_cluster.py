"""The cache, the pipeline, the rate limit and the admin's cache page on a 3-master Redis Cluster.

The cluster is started for the session by the `redis_cluster` fixture (tests/conftest.py) on
spare ports; `cluster_redis` points the project's Redis at it (REDIS_CLUSTER=True).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import redis.cluster
from asgiref.sync import async_to_sync, sync_to_async
from conftest import use_redis
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import AsyncClient, Client
from django.urls import reverse
from samples import JOB, RESUME

from optimizer import admin_cache, redis_client, services
from optimizer.api_keys import flush_usage
from optimizer.llm.cache import LLMCache, get_llm_cache
from optimizer.models import ApiKey

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ARGS = ("system text", "claude-sonnet-4-20250514", 1024, None)


def nodes_of(keys: list[str]) -> set[str]:
    """The primary node (host:port) that holds each Redis key."""
    client = redis_client.connection().sync_client()
    assert isinstance(client, redis.cluster.RedisCluster)
    return {client.get_node_from_key(key).name for key in keys}


def entry(job: str) -> dict[str, Any]:
    return {"model": "claude-sonnet-4-20250514", "job_excerpt": job, "result": {"n": job}}


async def test_the_seed_cache_api_works_across_all_shards(cluster_redis: str) -> None:
    cache = LLMCache(ttl_seconds=120)
    assert cache.redis.cluster and not cache.redis.embedded
    prompts = [f"prompt {n}" for n in range(30)]
    for prompt in prompts:
        assert await cache.set(prompt, *ARGS, entry(prompt))
    keys = [cache.full_key(cache.make_key(prompt, *ARGS)) for prompt in prompts]
    assert len(nodes_of(keys)) == 3  # the entries really are sharded

    assert await cache.get("prompt 0", *ARGS) == entry("prompt 0")
    assert await cache.get("no such prompt", *ARGS) is None
    # What django-redis wrote (its JSONSerializer) is what the async read decodes, and back.
    key = cache.make_key("prompt 1", *ARGS)
    assert caches["default"].get(key) == entry("prompt 1")

    assert await cache.invalidate("prompt 0", *ARGS) is True
    assert await cache.get("prompt 0", *ARGS) is None
    stats = await cache.get_stats()
    assert stats["available"] is True and stats["backend"] == "redis-cluster"
    assert (stats["total_keys"], stats["hits"], stats["misses"]) == (29, 1, 2)
    # The stats keys share one slot (one MGET); they are not counted as entries.
    assert len(nodes_of([cache._stat_key(name) for name in ("lookups", "misses")])) == 1

    assert await cache.clear_all() == 29
    assert (await cache.get_stats())["total_keys"] == 0
    assert await cache.get("prompt 2", *ARGS) is None


async def test_a_second_identical_generation_is_a_cache_hit(
    cluster_redis: str, use_anthropic: Any
) -> None:
    request = services.OptimizeRequest(RESUME, JOB)
    first = await services.generate(request)
    second = await services.generate(request)
    assert first["usage_stats"]["cached"] is False
    assert second["usage_stats"]["cached"] is True
    assert second["optimized_resume"] == first["optimized_resume"]
    assert use_anthropic.calls == 1
    stats = await get_llm_cache().get_stats()
    assert (stats["total_keys"], stats["hits"], stats["misses"]) == (1, 1, 1)


async def test_the_rate_limit_and_usage_counters_work_on_the_cluster(
    cluster_redis: str, settings: Any
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    key, raw = await sync_to_async(ApiKey.create_key)("cluster")
    client = AsyncClient()
    statuses = [
        (await client.get("/api/v1/cache/stats", headers={"X-API-Key": raw})).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    # One key's counters share a hash tag: one slot, so one node answers the pipeline.
    counters = [
        redis_client.connection().full_key(f"api:{{key:{key.pk}}}:{name}")
        for name in ("usage", "usage-flush", "rate:0")
    ]
    assert len(nodes_of(counters)) == 1
    # The usage count lives in Redis until flushed (a flush may already have taken some).
    await flush_usage(key.pk)
    await key.arefresh_from_db()
    assert key.request_count == 4


def test_the_admin_cache_page_lists_and_pages_through_every_shard(
    cluster_redis: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin_cache, "PAGE_SIZE", 7)
    monkeypatch.setattr(admin_cache, "SCAN_COUNT", 5)
    cache = get_llm_cache()
    digests = set()
    for n in range(40):
        digest = hashlib.sha256(f"job {n}".encode()).hexdigest()
        assert async_to_sync(cache.set_by_key)(cache.key_prefix + digest, entry(f"job {n}"))
        digests.add(digest)
    assert len(nodes_of([cache.full_key(cache.key_prefix + d) for d in digests])) == 3

    staff = Client()
    staff.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw"))
    seen: list[str] = []
    query: dict[str, Any] = {}
    for _ in range(20):
        response = staff.get(reverse("admin:cache"), query)
        assert response.status_code == 200
        page = response.context["page"]
        assert len(page.rows) <= 7
        seen.extend(row.digest for row in page.rows)
        if page.next_cursor is None:
            break
        assert len(page.rows) == 7  # every page but the last is full, across node boundaries
        query = {"cursor": page.next_cursor, "skip": page.next_skip}
    assert sorted(seen) == sorted(digests)  # every entry once, from all three nodes
    assert response.context["entries"]["count"] == 40
    memory = response.context["memory"]
    assert memory["method"] == "MEMORY USAGE" and memory["bytes"] > 0

    one = sorted(digests)[0]
    assert staff.get(reverse("admin:cache_entry", args=[one])).status_code == 200
    staff.post(reverse("admin:cache_invalidate", args=[one]))
    assert staff.get(reverse("admin:cache")).context["entries"]["count"] == 39
    staff.post(reverse("admin:cache_clear"))
    assert staff.get(reverse("admin:cache")).context["entries"]["count"] == 0


async def test_a_saturated_cluster_client_waits_then_says_busy(
    cluster_redis: str, settings: Any
) -> None:
    settings.REDIS_MAX_CONNECTIONS = 1
    settings.REDIS_POOL_TIMEOUT = 0.05
    redis_client.reset_connection()
    client: Any = redis_client.connection().async_client()
    cache = LLMCache()
    async with client.gate():  # the one connection is taken
        with pytest.raises(redis_client.RedisBusy):
            await cache.get("prompt", *ARGS)
    assert await cache.get("prompt", *ARGS) is None  # busy is not down: the next call asks


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"REDIS_CLUSTER": "True"}, "REDIS_CLUSTER=True needs REDIS_URL"),
        (
            {"REDIS_CLUSTER": "True", "REDIS_URL": "redis://127.0.0.1:7000/3"},
            "a Redis Cluster has only database 0",
        ),
        ({"REDIS_CLUSTER": "yes"}, "REDIS_CLUSTER"),
    ],
)
def test_a_misconfigured_cluster_fails_at_start_naming_the_variable(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REDIS_")}
    clean.update(VAR_DIR=str(tmp_path), **env)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parent.parent,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert message in result.stderr


async def test_a_cluster_that_is_away_is_a_logged_miss(settings: Any) -> None:
    from tests.conftest import free_port

    url = f"redis://127.0.0.1:{free_port()}"
    settings.REDIS_SOCKET_TIMEOUT = settings.REDIS_CONNECT_TIMEOUT = 0.2
    use_redis(settings, url, cluster=True, SOCKET_CONNECT_TIMEOUT=0.2)
    cache = LLMCache(retry_interval=0)
    assert await cache.get("prompt", *ARGS) is None
    assert await cache.set("prompt", *ARGS, entry("x")) is False
    assert await cache.clear_all() == 0
    assert (await cache.get_stats())["available"] is False


async def test_the_first_commands_of_a_new_client_may_go_out_together(cluster_redis: str) -> None:
    """Viewers arriving at once on a fresh worker: 25 blocking reads are the client's first
    commands (redis-py 8.1 broke some of them before _AsyncCluster learned the layout first)."""
    redis_client.reset_connection()
    blocking = redis_client.connection().blocking_client()
    key = "flight:{first-commands}:events"

    async def read() -> Any:
        return await blocking.xread({key: "0"}, count=10, block=2000)

    async def append() -> None:
        await redis_client.connection().async_client().xadd(key, {"e": "1"})

    readers = [asyncio.ensure_future(read()) for _ in range(25)]
    await asyncio.sleep(0)  # let the reads go out first (a later one still reads from "0")
    await append()
    replies = await asyncio.gather(*readers, return_exceptions=True)
    assert [r for r in replies if isinstance(r, BaseException)] == []
    assert all(reply[0][1][0][1] == {b"e": b"1"} for reply in replies)
