"""What the API answers when something breaks that the client cannot fix, and what it logs."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import pytest
from django.db import OperationalError
from django.test import AsyncClient, RequestFactory

from optimizer import services
from optimizer.log_format import JsonLineFormatter

pytestmark = pytest.mark.django_db(transaction=True)


async def post_generate(body: dict[str, str], key: str) -> Any:
    return await AsyncClient().post(
        "/api/v1/generate",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


async def test_an_unhandled_error_is_a_json_500_with_a_request_id_in_the_log(
    api_key: str,
    api_body: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug with a secret inside")

    monkeypatch.setattr(services, "generate", broken)
    with caplog.at_level(logging.ERROR, logger="optimizer"):
        response = await post_generate(api_body, api_key)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    failure = response.json()["error"]
    assert failure["code"] == "internal_error"
    assert "secret" not in failure["message"]
    request_id = response["X-Request-ID"]
    assert request_id in failure["message"]
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the traceback is in the log


async def test_a_saturated_database_is_a_json_503_to_retry(
    api_key: str, api_body: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def saturated(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("FATAL: sorry, too many clients already")

    monkeypatch.setattr(services, "generate", saturated)
    response = await post_generate(api_body, api_key)
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["error"]["code"] == "database_unavailable"
    assert "too many clients" not in response.json()["error"]["message"]


def test_log_lines_are_one_json_object_each_with_the_traceback() -> None:
    try:
        raise ValueError("line one\nline two")
    except ValueError:
        record = logging.LogRecord(
            "optimizer.api", logging.ERROR, __file__, 1, "failed: %s", ("x\ny",), sys.exc_info()
        )
    line = JsonLineFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "optimizer.api"
    assert entry["message"] == "failed: x\ny"
    assert "ValueError: line one" in entry["exception"]


def test_production_logging_covers_django_request_and_the_app(settings: Any) -> None:
    loggers = settings.LOGGING["loggers"]
    assert loggers["django.request"]["level"] == "ERROR"
    assert loggers["django.request"]["handlers"] == ["console"]
    assert "optimizer" in loggers
    assert settings.LOGGING["handlers"]["console"]["formatter"] == settings.LOG_FORMAT


# -- pools that wait, and saturation told apart from an outage ---------------------------------


@pytest.fixture
def one_redis_connection(settings: Any) -> Any:
    """The project's Redis with a pool of one connection and a short wait."""
    from optimizer.llm import cache

    settings.REDIS_MAX_CONNECTIONS = 1
    settings.REDIS_POOL_TIMEOUT = 0.05
    cache.reset_llm_cache()
    return settings


async def test_a_saturated_redis_pool_answers_busy_instead_of_calling_upstream(
    one_redis_connection: Any, use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    from optimizer import redis_client
    from optimizer.api_keys import KeyInfo, count_request
    from optimizer.decorators import ApiError
    from optimizer.llm.cache import get_llm_cache

    if one_redis_connection.REDIS_CLUSTER:
        pytest.skip("a cluster client has a pool per node: tests/test_redis_cluster.py covers it")
    pool = redis_client.connection().async_client().connection_pool
    held = await pool.get_connection()  # the only connection, in use elsewhere
    try:
        with pytest.raises(redis_client.RedisBusy):
            await get_llm_cache().get_by_key("llm:whatever")
        events = [e async for e in services.stream(services.OptimizeRequest(*api_body.values()))]
        assert events[-1].data["code"] == "busy" and events[-1].data["retry_after"] == 1.0
        with pytest.raises(ApiError) as refused:
            await count_request(KeyInfo(1, "k", False))
        assert refused.value.status == 503 and refused.value.headers == {"Retry-After": "1"}
        assert use_anthropic.calls == 0  # nobody paid upstream for a possibly cached answer
    finally:
        await pool.release(held)
    # Saturation is not an outage: the cache was not marked down, it answers again at once.
    assert await get_llm_cache().get_by_key("llm:whatever") is None


async def test_a_burst_for_a_cached_answer_waits_for_connections_and_never_goes_upstream(
    settings: Any, use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    import asyncio

    from optimizer.llm import cache

    settings.REDIS_MAX_CONNECTIONS = 4  # far fewer than the requests at once
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    cache.reset_llm_cache()
    first = await post_generate(api_body, api_key)
    assert first.status_code == 200
    responses = await asyncio.gather(*(post_generate(api_body, api_key) for _ in range(200)))
    assert [r.status_code for r in responses] == [200] * 200
    assert all(r.json()["usage_stats"]["cached"] for r in responses)
    assert use_anthropic.calls == 1


async def test_a_burst_with_one_new_key_makes_one_key_query(
    api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from optimizer import api_keys

    calls = 0
    real_query = api_keys._query

    async def counted(key_hash: str) -> Any:
        nonlocal calls
        calls += 1
        return await real_query(key_hash)

    monkeypatch.setattr(api_keys, "_query", counted)
    api_keys._known_keys.clear()
    request = RequestFactory().get("/", headers={"Authorization": f"Bearer {api_key}"})
    infos = await asyncio.gather(*(api_keys.authenticate(request) for _ in range(50)))
    assert len({info.id for info in infos}) == 1
    assert calls == 1
