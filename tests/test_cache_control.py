"""Per-request cache control on /api/v1/generate and /api/v1/generate/stream: Cache-Control
no-cache / no-store / max-age, X-Cache-TTL and cache_ttl, and the X-Cache answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import AsyncClient
from samples import JOB, RESUME

from optimizer import redis_client, services
from optimizer.llm.cache import get_llm_cache
from optimizer.testing.fake_anthropic import DEFAULT_REPLY_TEXT, FakeReply

pytestmark = pytest.mark.django_db(transaction=True)

BODY = {"resume_raw_text": RESUME, "job_description_text": JOB}


async def generate(key: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    return await AsyncClient().post(
        "/api/v1/generate",
        body or BODY,
        content_type="application/json",
        headers={"X-API-Key": key, **headers},
    )


async def stored_ttl() -> int:
    llm = services.build_llm_request(services.OptimizeRequest(RESUME, JOB))
    cache = get_llm_cache()
    key = cache.make_key(llm.prompt, llm.system_prompt, llm.model, llm.max_tokens, llm.temperature)
    return int(await redis_client.connection().async_client().ttl(cache.full_key(key)))


async def test_a_miss_then_a_hit_say_so(use_anthropic: Any, api_key: str) -> None:
    first, second = await generate(api_key), await generate(api_key)
    assert first["X-Cache"] == "MISS" and first.json()["usage_stats"]["cache"] == "MISS"
    assert second["X-Cache"] == "HIT" and second.json()["usage_stats"]["cached"] is True
    assert use_anthropic.calls == 1


async def test_no_cache_skips_the_lookup_and_stores_the_new_answer(
    use_anthropic: Any, api_key: str
) -> None:
    assert (await generate(api_key))["X-Cache"] == "MISS"
    newer = DEFAULT_REPLY_TEXT.replace("Jane Doe", "Jane Q. Doe", 1)
    use_anthropic.enqueue(FakeReply(text=newer))
    fresh = await generate(api_key, **{"Cache-Control": "no-cache"})
    assert fresh["X-Cache"] == "BYPASS" and fresh.json()["usage_stats"]["cached"] is False
    assert use_anthropic.calls == 2
    hit = await generate(api_key)
    assert hit["X-Cache"] == "HIT"
    assert "Jane Q. Doe" in hit.json()["optimized_resume"]  # the new answer replaced the old


async def test_no_store_answers_but_keeps_nothing(use_anthropic: Any, api_key: str) -> None:
    first = await generate(api_key, **{"Cache-Control": "no-store"})
    assert first.status_code == 200 and first["X-Cache"] == "MISS"
    assert (await generate(api_key))["X-Cache"] == "MISS"
    assert use_anthropic.calls == 2


async def test_max_age_accepts_only_a_young_enough_answer(use_anthropic: Any, api_key: str) -> None:
    await generate(api_key)
    assert (await generate(api_key, **{"Cache-Control": "max-age=3600"}))["X-Cache"] == "HIT"
    assert use_anthropic.calls == 1
    # Any stored answer is older than 0 s: this one is generated again (and stored).
    again = await generate(api_key, **{"Cache-Control": "public, max-age=0"})
    assert again["X-Cache"] == "MISS" and use_anthropic.calls == 2


async def test_a_per_request_ttl_from_the_header_or_the_body(
    use_anthropic: Any, api_key: str
) -> None:
    await generate(api_key, **{"X-Cache-TTL": "120"})
    assert 100 < await stored_ttl() <= 120
    await generate(api_key, {**BODY, "cache_ttl": 45}, **{"Cache-Control": "no-cache"})
    assert 30 < await stored_ttl() <= 45
    await generate(api_key, **{"Cache-Control": "no-cache"})
    # No per-request TTL: the quality tier's again. The fake's reply has grounding flags
    # against RESUME, so that is CACHE_TTL_FLAGGED_SECONDS (tests/test_cache_ttl.py).
    assert 500 < await stored_ttl() <= 600


@pytest.mark.parametrize(
    ("headers", "extra", "field"),
    [
        ({"Cache-Control": "max-age=soon"}, {}, "Cache-Control max-age"),
        ({"Cache-Control": "max-age=-1"}, {}, "Cache-Control max-age"),
        ({"X-Cache-TTL": "0"}, {}, "X-Cache-TTL"),
        ({"X-Cache-TTL": "1.5"}, {}, "X-Cache-TTL"),
        ({"X-Cache-TTL": "99999999"}, {}, "X-Cache-TTL"),
        ({}, {"cache_ttl": True}, "cache_ttl"),
        ({}, {"cache_ttl": -3}, "cache_ttl"),
        ({}, {"cache_ttl": [60]}, "cache_ttl"),
        ({"X-Cache-TTL": "60"}, {"cache_ttl": 61}, "cache_ttl"),
        ({"Cache-Control": "no-store", "X-Cache-TTL": "60"}, {}, "ttl"),
    ],
)
async def test_a_bad_value_is_a_clear_400_and_costs_no_llm_call(
    use_anthropic: Any, api_key: str, headers: dict[str, str], extra: dict[str, Any], field: str
) -> None:
    for path in ("/api/v1/generate", "/api/v1/generate/stream"):
        response = await AsyncClient().post(
            path,
            {**BODY, **extra},
            content_type="application/json",
            headers={"X-API-Key": api_key, **headers},
        )
        assert response.status_code == 400
        problem = response.json()["error"]
        assert problem["code"] == "invalid_cache_control" and problem["field"] == field
        assert (
            "seconds" in problem["message"]
            or "one" in problem["message"]
            or ("stores nothing" in problem["message"])
        )
    assert use_anthropic.calls == 0


async def _done(response: Any) -> dict[str, Any]:
    body = b"".join([part async for part in response.streaming_content]).decode()
    events = [json.loads(line[5:]) for line in body.splitlines() if line.startswith("data:")]
    assert events[-1]["type"] == "done", events[-1]
    return dict(events[-1]["result"]["usage_stats"])


async def test_the_stream_tells_it_in_the_done_event_and_bypass_in_a_header(
    use_anthropic: Any, api_key: str
) -> None:
    async def stream(**headers: str) -> Any:
        return await AsyncClient().post(
            "/api/v1/generate/stream",
            BODY,
            content_type="application/json",
            headers={"X-API-Key": api_key, **headers},
        )

    first = await stream()
    assert (await _done(first))["cache"] == "MISS" and "X-Cache" not in first
    assert (await _done(await stream()))["cache"] == "HIT"
    bypass = await stream(**{"Cache-Control": "no-cache"})
    assert bypass["X-Cache"] == "BYPASS" and (await _done(bypass))["cache"] == "BYPASS"
    assert use_anthropic.calls == 2
