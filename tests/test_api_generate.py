"""POST /api/v1/generate through AsyncClient, with Claude served by the fake over the real SDK."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import AsyncClient
from sse_helpers import parse_sse

from optimizer import api
from optimizer.background import drain_background
from optimizer.models import Optimization
from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db(transaction=True)


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def post(body: Any, key: str, **headers: str) -> Any:
    return await AsyncClient().post(
        "/api/v1/generate", body, content_type="application/json", headers={**auth(key), **headers}
    )


async def test_it_returns_the_seed_shape_from_one_upstream_call(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    response = await post(api_body, api_key)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["optimized_resume"].startswith("Jane Doe")
    assert data["changes_made"] and all(isinstance(c, str) for c in data["changes_made"])
    assert "keyword coverage" in data["expected_improvement"]
    usage = data["usage_stats"]
    assert usage["cached"] is False
    assert usage["input_tokens"] == 2500
    assert usage["output_tokens"] > 0 and usage["cost_usd"] > 0
    assert usage["model"] == "claude-sonnet-4-20250514"
    assert isinstance(data["warnings"], list)
    assert use_anthropic.calls == 1


async def test_a_cache_hit_costs_no_upstream_call_and_says_cached(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    first = (await post(api_body, api_key)).json()
    # Whitespace differences share the entry (the cache key is canonical).
    spaced = {k: f"  {v}\n" for k, v in api_body.items()}
    second = await post(spaced, api_key)
    assert second.status_code == 200
    hit = second.json()
    assert use_anthropic.calls == 1
    assert hit["usage_stats"]["cached"] is True
    assert hit["usage_stats"]["cost_usd"] == 0.0
    assert hit["usage_stats"]["saved_usd"] == first["usage_stats"]["cost_usd"]
    assert hit["usage_stats"]["input_tokens"] == first["usage_stats"]["input_tokens"]
    assert hit["optimized_resume"] == first["optimized_resume"]


async def test_it_records_misses_and_not_hits_by_default(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    await post(api_body, api_key)
    await post(api_body, api_key)
    await drain_background()
    rows = [(r.source, r.status, r.cached) async for r in Optimization.objects.all()]
    assert rows == [("api", "done", False)]


async def test_it_records_hits_too_when_asked(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], settings: Any
) -> None:
    settings.API_RECORD_CACHE_HITS = True
    await post(api_body, api_key)
    await post(api_body, api_key)
    await drain_background()
    rows = [row async for row in Optimization.objects.order_by("created_at")]
    assert [(r.source, r.status, r.cached) for r in rows] == [
        ("api", "done", False),
        ("api", "done", True),
    ]
    assert rows[0].api_key_id is not None and rows[0].input_tokens == 2500
    assert float(rows[1].cost_usd) == 0.0


async def test_overloaded_twice_then_success_is_three_upstream_calls(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    use_anthropic.fail(529, times=2)
    response = await post(api_body, api_key)
    assert response.status_code == 200
    assert response.json()["usage_stats"]["attempts"] == 3
    assert use_anthropic.calls == 3


async def test_upstream_400_is_one_call_and_a_422_with_the_reason(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    use_anthropic.enqueue(
        FakeReply(status=400, error_message="prompt is too long: 250000 tokens > 200000 maximum")
    )
    response = await post(api_body, api_key)
    assert response.status_code == 422
    err = response.json()["error"]
    assert err["code"] == "upstream_bad_request"
    assert "prompt is too long" in err["message"]
    assert use_anthropic.calls == 1


async def test_retry_after_is_honoured_and_reported_when_exhausted(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], settings: Any
) -> None:
    # retry-after 0.3 s is under max_delay (1 s): the pipeline waits it out and retries.
    use_anthropic.fail(429, times=1, retry_after="0.3")
    ok = await post(api_body, api_key)
    assert ok.status_code == 200
    requests = use_anthropic.requests
    assert len(requests) == 2
    assert requests[1].received_at - requests[0].received_at >= 0.3
    # Exhausted: 1 try + 3 retries = 4 calls, then 503 with the upstream's Retry-After.
    use_anthropic.reset()
    use_anthropic.fail(503, times=4, retry_after="0.01")
    settings.CACHE_ENABLED = False
    failed = await post(api_body, api_key)
    assert failed.status_code == 503
    assert failed["Retry-After"] == "1"
    assert failed.json()["error"]["code"] == "upstream_error"
    assert use_anthropic.calls == 4


async def test_exhausted_overload_is_four_calls_and_a_503(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    use_anthropic.fail(529, times=4)
    response = await post(api_body, api_key)
    assert response.status_code == 503
    err = response.json()["error"]
    assert err["code"] == "upstream_overloaded"
    assert "retry attempts exhausted" in err["message"]
    assert use_anthropic.calls == 4


async def test_a_retry_after_beyond_max_delay_fails_at_once_with_it(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    use_anthropic.fail(529, times=1, retry_after="30")
    response = await post(api_body, api_key)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert use_anthropic.calls == 1


async def test_an_upstream_auth_failure_says_not_configured_and_leaks_no_key(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    use_anthropic.fail(401)
    response = await post(api_body, api_key)
    assert response.status_code == 503
    err = response.json()["error"]
    assert err["code"] == "llm_not_configured"
    assert "LLM not configured correctly" in err["message"]
    assert "fake-test-key" not in response.content.decode()
    assert api_key not in response.content.decode()
    assert use_anthropic.calls == 1


@pytest.mark.parametrize("status", [401, 403, 404])
async def test_the_stream_says_not_configured_like_generate(
    use_anthropic: Any,
    api_key: str,
    api_body: dict[str, str],
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    use_anthropic.fail(status)
    plain = (await post(api_body, api_key)).json()["error"]
    use_anthropic.fail(status)
    response = await AsyncClient().post(
        "/api/v1/generate/stream", api_body, content_type="application/json", headers=auth(api_key)
    )
    body = b"".join([part async for part in response.streaming_content]).decode()
    error = parse_sse(body)[0][-1]
    assert error.type == "error"
    assert {"code": error.data["code"], "message": error.data["message"]} == {
        "code": "llm_not_configured",
        "message": api.NOT_CONFIGURED_MESSAGE,
    }
    assert (plain["code"], plain["message"]) == (error.data["code"], error.data["message"])
    assert "upstream_status" not in error.data  # a 401 would say whose fault it is
    assert "fake-test-key" not in body
    # The operator's log keeps the real cause.
    causes = [r.getMessage() for r in caplog.records if r.name == "optimizer.services"]
    expected = "(llm_auth)" if status != 404 else "(upstream_not_found)"
    assert any(expected in cause for cause in causes)


async def test_a_failed_call_is_recorded_as_failed(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    use_anthropic.fail(400)
    await post(api_body, api_key)
    await drain_background()
    row = await Optimization.objects.aget()
    assert row.status == "failed" and row.error_code == "upstream_bad_request"
