"""LLM_FALLBACK_MODELS: when the model stays overloaded after its retries, or its circuit
breaker is open, the next model answers (before any text was streamed); the result and the
record name the model that answered, and its answer is not stored under the primary's key."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import AsyncClient
from samples import JOB, RESUME

from optimizer.background import drain_background
from optimizer.models import Optimization
from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db(transaction=True)

PRIMARY = "claude-sonnet-4-20250514"
FALLBACK = "claude-haiku-4-5"
BODY = {"resume_raw_text": RESUME, "job_description_text": JOB}


@pytest.fixture
def fallback(use_anthropic: Any, settings: Any) -> Any:
    settings.LLM_FALLBACK_MODELS = [FALLBACK]
    settings.LLM_RETRY_MAX_RETRIES = 1
    settings.BREAKER_FAILURES = 2
    return use_anthropic


async def generate(key: str) -> Any:
    return await AsyncClient().post(
        "/api/v1/generate", BODY, content_type="application/json", headers={"X-API-Key": key}
    )


async def test_an_overloaded_model_falls_back_and_the_record_says_which_answered(
    fallback: Any, api_key: str
) -> None:
    fallback.enqueue(FakeReply(status=529), FakeReply(status=529))  # the primary, retried
    response = await generate(api_key)
    assert response.status_code == 200
    usage = response.json()["usage_stats"]
    assert usage["model"] == FALLBACK and usage["fallback_from"] == PRIMARY
    assert [r.body["model"] for r in fallback.requests] == [PRIMARY, PRIMARY, FALLBACK]
    await drain_background()
    row = await Optimization.objects.aget()
    assert row.model == FALLBACK and row.status == Optimization.Status.DONE
    # Not stored under the primary's key: the same request asks the primary again.
    again = await generate(api_key)
    assert again["X-Cache"] == "MISS" and again.json()["usage_stats"]["model"] == PRIMARY


async def test_an_open_breaker_goes_straight_to_the_fallback(fallback: Any, api_key: str) -> None:
    # Two requests trip the primary's breaker (two tries each); each one's fallback answers.
    for _ in range(2):
        fallback.enqueue(FakeReply(status=529), FakeReply(status=529), FakeReply())
    for n in range(2):
        body = {**BODY, "resume_raw_text": f"{RESUME}\nReference {n}"}
        await AsyncClient().post(
            "/api/v1/generate",
            body,
            content_type="application/json",
            headers={"X-API-Key": api_key},
        )
    calls = fallback.calls
    response = await generate(api_key)
    assert response.json()["usage_stats"]["model"] == FALLBACK
    assert fallback.calls == calls + 1 and fallback.last_request.body["model"] == FALLBACK


async def test_a_bad_request_does_not_fall_back(fallback: Any, api_key: str) -> None:
    fallback.enqueue(FakeReply(status=400))
    response = await generate(api_key)
    assert response.status_code == 422 and fallback.calls == 1


async def test_when_every_model_fails_the_client_is_told(fallback: Any, api_key: str) -> None:
    fallback.set_default(FakeReply(status=529))
    response = await generate(api_key)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "upstream_overloaded"
    assert [r.body["model"] for r in fallback.requests] == [PRIMARY] * 2 + [FALLBACK] * 2
