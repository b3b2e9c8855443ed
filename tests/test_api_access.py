"""Keys, admin-only, rate limit, usage counts, methods, unknown paths, health, cache endpoints."""

from __future__ import annotations

import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from conftest import use_redis
from django.contrib.auth.models import User
from django.core.cache import cache as django_cache
from django.test import AsyncClient
from django.utils import timezone

from optimizer import api_keys, redis_client
from optimizer.api_keys import flush_usage
from optimizer.background import drain_background
from optimizer.llm.cache import get_llm_cache
from optimizer.models import ApiKey, hash_api_key

pytestmark = pytest.mark.django_db(transaction=True)


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]


# -- keys --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic dXNlcjpwYXNz"}],
    ids=["none", "empty-bearer", "basic"],
)
async def test_a_missing_key_is_401(use_anthropic: Any, headers: dict[str, str]) -> None:
    response = await AsyncClient().get("/api/v1/cache/stats", headers=headers)
    assert error_of(response, 401)["code"] == "missing_api_key"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("raw", ["ats_not-a-real-key", "x" * 5000])
async def test_an_invalid_key_is_401(api_key: str, raw: str) -> None:
    response = await AsyncClient().get("/api/v1/cache/stats", headers={"X-API-Key": raw})
    assert error_of(response, 401)["code"] == "invalid_api_key"


@pytest.mark.parametrize("header", ["Authorization", "X-API-Key"])
async def test_both_key_headers_are_accepted(api_key: str, header: str) -> None:
    value = f"Bearer {api_key}" if header == "Authorization" else api_key
    response = await AsyncClient().get("/api/v1/cache/stats", headers={header: value})
    assert response.status_code == 200
    assert {"total_keys", "ttl_seconds", "hits", "misses", "hit_rate"} <= set(response.json())


async def test_a_revoked_key_is_refused_at_once_in_this_worker(api_key: str) -> None:
    headers = {"X-API-Key": api_key}
    assert (await AsyncClient().get("/api/v1/cache/stats", headers=headers)).status_code == 200
    record = await ApiKey.objects.aget(key_hash=hash_api_key(api_key))
    record.revoked_at = timezone.now()
    await record.asave()
    response = await AsyncClient().get("/api/v1/cache/stats", headers=headers)
    assert error_of(response, 401)["code"] == "invalid_api_key"


@pytest.mark.parametrize("remember_seconds", [30.0, 0.0])
async def test_a_known_key_is_remembered_for_api_key_cache_seconds(
    api_key: str, settings: Any, remember_seconds: float
) -> None:
    # The hot path does no DB query for a key seen recently: a revocation written behind the
    # ORM's back (no signal, like one from another worker) shows only once the memory expires.
    settings.API_KEY_CACHE_SECONDS = remember_seconds
    headers = {"X-API-Key": api_key}
    assert (await AsyncClient().get("/api/v1/cache/stats", headers=headers)).status_code == 200
    await ApiKey.objects.filter(key_hash=hash_api_key(api_key)).aupdate(revoked_at=timezone.now())
    response = await AsyncClient().get("/api/v1/cache/stats", headers=headers)
    assert response.status_code == (200 if remember_seconds else 401)


async def test_a_logged_in_staff_session_is_not_an_api_credential(
    use_anthropic: Any, api_body: dict[str, str]
) -> None:
    user = await sync_to_async(User.objects.create_superuser)("boss", "b@example.com", "pw")
    client = AsyncClient()
    await client.aforce_login(user)
    response = await client.post("/api/v1/generate", api_body, content_type="application/json")
    assert error_of(response, 401)["code"] == "missing_api_key"
    assert use_anthropic.calls == 0


async def test_key_authenticated_posts_need_no_csrf_token(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    client = AsyncClient(enforce_csrf_checks=True)
    response = await client.post(
        "/api/v1/generate",
        api_body,
        content_type="application/json",
        headers={"X-API-Key": api_key},
    )
    assert response.status_code == 200


async def test_clearing_the_cache_needs_an_admin_key(api_key: str, admin_api_key: str) -> None:
    response = await AsyncClient().delete("/api/v1/cache", headers={"X-API-Key": api_key})
    assert error_of(response, 403)["code"] == "forbidden"
    response = await AsyncClient().delete("/api/v1/cache", headers={"X-API-Key": admin_api_key})
    assert response.status_code == 200
    assert response.json()["success"] is True and response.json()["message"] == "Cache cleared"


# -- rate limit and usage ----------------------------------------------------------------------


async def test_the_per_key_rate_limit_answers_429_with_retry_after(
    use_anthropic: Any, api_key: str, admin_api_key: str, api_body: dict[str, str], settings: Any
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    client = AsyncClient()
    for _ in range(2):
        assert (
            await client.get("/api/v1/cache/stats", headers={"X-API-Key": api_key})
        ).status_code == 200
    limited = await client.post(
        "/api/v1/generate",
        api_body,
        content_type="application/json",
        headers={"X-API-Key": api_key},
    )
    assert error_of(limited, 429)["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert use_anthropic.calls == 0
    # Another key has its own budget.
    other = await client.get("/api/v1/cache/stats", headers={"X-API-Key": admin_api_key})
    assert other.status_code == 200


async def test_a_rate_window_is_given_its_expiry_by_its_first_request_only(
    api_key: str, settings: Any, monkeypatch: Any
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 100
    client = redis_client.connection().async_client()
    key = await ApiKey.objects.aget(key_hash=hash_api_key(api_key))

    def window() -> str:
        return api_keys._counter_key(key.id, f"rate:{int(time.time() // 60)}")

    before = window()
    await client.delete(before)
    expired: list[str] = []
    real_expire = client.expire

    async def counted(name: str, seconds: int) -> Any:
        expired.append(name)
        return await real_expire(name, seconds)

    monkeypatch.setattr(client, "expire", counted)  # the direct command, not a pipeline's
    for _ in range(3):
        response = await AsyncClient().get("/api/v1/cache/stats", headers={"X-API-Key": api_key})
        assert response.status_code == 200
    after = window()
    assert 0 < await client.ttl(after) <= 120
    if after == before:  # no minute boundary in between: one window, one EXPIRE
        assert expired == [before]


async def generate(api_key: str, body: dict[str, str]) -> Any:
    return await AsyncClient().post(
        "/api/v1/generate", body, content_type="application/json", headers={"X-API-Key": api_key}
    )


async def window_count(api_key: str) -> int:
    key = await ApiKey.objects.aget(key_hash=hash_api_key(api_key))
    name = api_keys._counter_key(key.id, f"rate:{int(time.time() // 60)}")
    return int(await redis_client.connection().async_client().get(name) or 0)


async def test_a_cache_hit_counts_its_rate_limit_in_its_one_redis_round_trip(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], settings: Any, monkeypatch: Any
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 100
    for _ in range(2):  # a miss, then a hit: the window has its expiry, the flush its claim
        assert (await generate(api_key, api_body)).status_code == 200
    await drain_background()
    before = await window_count(api_key)
    client = redis_client.connection().async_client()
    trips: list[str] = []
    real_pipeline, real_command = client.pipeline, client.execute_command

    def pipeline(*args: Any, **kwargs: Any) -> Any:
        pipe = real_pipeline(*args, **kwargs)
        real_execute = pipe.execute

        async def execute(*a: Any, **k: Any) -> Any:
            trips.append(f"pipeline of {len(pipe)}")  # len(): a Redis Cluster's pipeline too
            return await real_execute(*a, **k)

        pipe.execute = execute
        return pipe

    async def command(*args: Any, **kwargs: Any) -> Any:
        trips.append(str(args[0]))
        return await real_command(*args, **kwargs)

    monkeypatch.setattr(client, "pipeline", pipeline)
    monkeypatch.setattr(client, "execute_command", command)
    hit = await generate(api_key, api_body)
    assert hit.status_code == 200 and hit["X-Cache"] == "HIT"
    # One round trip: the lookup's pipeline (GET, its counters) carried the key's count (its
    # usage INCR, flush claim and window INCR), which went up by one.
    assert len(trips) == 1, trips
    assert int(trips[0].split()[-1]) >= 5
    monkeypatch.undo()
    assert await window_count(api_key) == before + 1
    assert use_anthropic.calls == 1


async def test_a_cache_hit_over_the_limit_is_refused_like_any_request(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], settings: Any
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    assert (await generate(api_key, api_body)).status_code == 200
    assert (await generate(api_key, api_body))["X-Cache"] == "HIT"
    limited = await generate(api_key, api_body)
    assert error_of(limited, 429)["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert use_anthropic.calls == 1


async def test_a_request_refused_before_its_lookup_is_counted_too(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], settings: Any
) -> None:
    # An invalid body never reaches the cache lookup: it is counted after its 400, and over
    # the limit its answer is the 429 it got when the count came first.
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    before = await window_count(api_key)
    invalid = await generate(api_key, {"resume_raw_text": ""})
    assert error_of(invalid, 400)["field"] is not None
    assert await window_count(api_key) == before + 1
    assert (await generate(api_key, api_body)).status_code == 200
    over = await generate(api_key, {"resume_raw_text": ""})
    assert error_of(over, 429)["code"] == "rate_limited"
    assert use_anthropic.calls == 1


async def test_with_the_lookup_bypassed_the_count_still_comes_before_the_upstream_call(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], settings: Any
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    bypass = {"X-API-Key": api_key, "Cache-Control": "no-cache"}
    client = AsyncClient()
    first = await client.post(
        "/api/v1/generate", api_body, content_type="application/json", headers=bypass
    )
    assert first.status_code == 200
    second = await client.post(
        "/api/v1/generate", api_body, content_type="application/json", headers=bypass
    )
    assert error_of(second, 429)["code"] == "rate_limited"
    assert use_anthropic.calls == 1


async def test_a_zero_rate_limit_turns_it_off(api_key: str, settings: Any) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    for _ in range(5):
        response = await AsyncClient().get("/api/v1/cache/stats", headers={"X-API-Key": api_key})
        assert response.status_code == 200


async def test_usage_is_counted_in_redis_and_flushed_at_most_once_a_minute(api_key: str) -> None:
    # The first request's flush runs in the background: let it finish before the next two,
    # or it may (on a real Redis) pick up their counts too.
    await AsyncClient().get("/api/v1/cache/stats", headers={"X-API-Key": api_key})
    await drain_background()
    for _ in range(2):
        await AsyncClient().get("/api/v1/cache/stats", headers={"X-API-Key": api_key})
    await drain_background()
    record = await ApiKey.objects.aget(key_hash=hash_api_key(api_key))
    # The first request claimed this minute's flush; the other two wait in Redis.
    assert record.request_count == 1
    assert record.last_used_at is not None
    assert await flush_usage(record.pk) == 2
    await record.arefresh_from_db()
    assert record.request_count == 3


# -- methods, paths ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("get", "/api/v1/generate", "POST"),
        ("put", "/api/v1/generate/stream", "POST"),
        ("delete", "/api/v1/jobs", "POST"),
        ("post", "/api/v1/health", "GET"),
        ("post", "/api/v1/cache/stats", "GET"),
        ("get", "/api/v1/cache", "DELETE"),
        ("post", "/api/v1/openapi.json", "GET"),
    ],
)
async def test_a_wrong_method_is_a_json_405_with_allow(method: str, path: str, allow: str) -> None:
    response = await getattr(AsyncClient(), method)(path)
    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert response["Allow"] == allow


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nope", "/api/v1/generate/", "/api/v1/a/b/c"])
async def test_an_unknown_api_path_is_a_json_404(path: str) -> None:
    for method in ("get", "post", "delete"):
        response = await getattr(AsyncClient(), method)(path)
        assert error_of(response, 404)["code"] == "not_found"


# -- health, cache -----------------------------------------------------------------------------

HEALTH_FIELDS = {
    "service",
    "version",
    "status",
    "phase",
    "llm_available",
    "cache_enabled",
    "cached_responses",
}


async def test_health_is_open_and_has_the_seed_fields() -> None:
    response = await AsyncClient().get("/api/v1/health")
    assert response.status_code == 200
    data = response.json()
    assert HEALTH_FIELDS <= set(data)
    assert data["service"] == "ATS Resume Builder API" and data["cache_enabled"] is True


@pytest.mark.parametrize(
    ("accept", "is_json"),
    [(None, True), ("application/json", True), ("*/*", True), ("text/html,*/*;q=0.8", False)],
)
async def test_the_root_negotiates_between_page_and_health(
    accept: str | None, is_json: bool
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = await AsyncClient().get("/", headers=headers)
    assert response.status_code == 200
    if is_json:
        assert HEALTH_FIELDS <= set(response.json())
    else:
        assert response["Content-Type"].startswith("text/html")


async def test_health_survives_redis_being_down(settings: Any) -> None:
    dead_redis(settings)
    response = await AsyncClient().get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["cache_enabled"] is False
    assert response.json()["cached_responses"] == 0


def dead_redis(settings: Any) -> None:
    """The project's Redis pointed at a port nobody listens on (an outage)."""
    use_redis(settings, "redis://127.0.0.1:1/0")


async def test_clearing_the_cache_during_a_redis_outage_is_a_503(
    admin_api_key: str, settings: Any
) -> None:
    dead_redis(settings)
    response = await AsyncClient().delete("/api/v1/cache", headers={"X-API-Key": admin_api_key})
    error = error_of(response, 503)
    assert error["code"] == "cache_unavailable"
    assert "not cleared" in error["message"]
    assert response["Retry-After"] == "2"


async def test_a_redis_failure_while_clearing_is_a_503(
    admin_api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = get_llm_cache()
    answers = iter([True, False])  # Redis answers, then fails during the clear

    async def connect() -> bool:
        return next(answers)

    async def clear_all() -> int:
        return 0  # what LLMCache.clear_all() reports when Redis fails

    monkeypatch.setattr(cache, "connect", connect)
    monkeypatch.setattr(cache, "clear_all", clear_all)
    response = await AsyncClient().delete("/api/v1/cache", headers={"X-API-Key": admin_api_key})
    assert error_of(response, 503)["code"] == "cache_unavailable"


async def test_clearing_an_empty_cache_is_a_success(admin_api_key: str) -> None:
    response = await AsyncClient().delete("/api/v1/cache", headers={"X-API-Key": admin_api_key})
    assert response.json() == {"success": True, "message": "Cache cleared", "deleted": 0}


async def test_cache_stats_and_clear_count_only_llm_entries(
    use_anthropic: Any, admin_api_key: str, api_body: dict[str, str]
) -> None:
    headers = {"X-API-Key": admin_api_key}
    client = AsyncClient()
    await sync_to_async(django_cache.set)("unrelated", "keep me", 60)
    for _ in range(2):  # one miss, one hit
        await client.post(
            "/api/v1/generate", api_body, content_type="application/json", headers=headers
        )
    stats = (await client.get("/api/v1/cache/stats", headers=headers)).json()
    assert stats["total_keys"] == 1
    assert (stats["hits"], stats["misses"], stats["hit_rate"]) == (1, 1, 0.5)
    assert stats["ttl_seconds"] == get_llm_cache().ttl_seconds
    cleared = (await client.delete("/api/v1/cache", headers=headers)).json()
    assert cleared == {"success": True, "message": "Cache cleared", "deleted": 1}
    assert (await client.get("/api/v1/cache/stats", headers=headers)).json()["total_keys"] == 0
    assert await sync_to_async(django_cache.get)("unrelated") == "keep me"
    # After the clear the same request goes upstream again.
    await client.post(
        "/api/v1/generate", api_body, content_type="application/json", headers=headers
    )
    assert use_anthropic.calls == 2


async def test_the_openapi_document_is_open_and_lists_every_endpoint() -> None:
    response = await AsyncClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {
        "/api/v1/health",
        "/api/v1/openapi.json",
        "/api/v1/generate",
        "/api/v1/generate/stream",
        "/api/v1/cover-letter",
        "/api/v1/cover-letter/stream",
        "/api/v1/jobs",
        "/api/v1/jobs/{job_id}/stream",
        "/api/v1/jobs/{job_id}/result",
        "/api/v1/jobs/{job_id}/download.{fmt}",
        "/api/v1/batches",
        "/api/v1/batches/{batch_id}",
        "/api/v1/cache/stats",
        "/api/v1/cache",
    }
    assert set(doc["components"]["securitySchemes"]) == {"bearerAuth", "apiKeyHeader"}


# -- create_api_key ----------------------------------------------------------------------------


@pytest.mark.parametrize("admin", [False, True])
def test_create_api_key_prints_the_raw_key_last_and_only_there(admin: bool) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_api_key", "ci bot", *(["--admin"] if admin else []), stdout=out)
    lines = out.getvalue().strip().splitlines()
    raw = lines[-1]
    assert all(raw not in line for line in lines[:-1])
    record = ApiKey.objects.get(key_hash=hash_api_key(raw))
    assert (record.name, record.is_admin) == ("ci bot", admin)
