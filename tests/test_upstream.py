"""The pipeline against the fake Anthropic server through the real SDK: retries and failures."""

from __future__ import annotations

from typing import Any

import anthropic
import httpx
import httpx2
import pytest
from samples import JOB, RESUME

from optimizer import services
from optimizer.llm.client import LLMRequest, get_provider, translate_error
from optimizer.llm.errors import LLMError
from optimizer.llm.retry import RetryConfig
from optimizer.testing.fake_anthropic import DEFAULT_REPLY_TEXT, FakeReply

pytestmark = pytest.mark.django_db

REQUEST = services.OptimizeRequest(RESUME, JOB)


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


async def run(**kwargs: Any) -> list[Any]:
    return [event async for event in services.stream(REQUEST, **kwargs)]


async def test_it_retries_529_twice_then_succeeds(use_anthropic: Any) -> None:
    use_anthropic.fail(529, times=2)
    events = await run()
    assert use_anthropic.calls == 3
    assert [r.retry_count for r in use_anthropic.requests] == [0, 0, 0]  # SDK retries are off
    assert events[-1].type == "done"
    chunks = "".join(e.data["content"] for e in events if e.type == "chunk")
    assert chunks == DEFAULT_REPLY_TEXT  # retried attempts sent no text


async def test_it_does_not_retry_a_bad_request(use_anthropic: Any) -> None:
    use_anthropic.fail(400)
    events = await run()
    assert use_anthropic.calls == 1
    assert events[-1].type == "error"
    assert events[-1].data["code"] == "upstream_bad_request"
    assert events[-1].data["upstream_status"] == 400


@pytest.mark.parametrize("status", [401, 403, 404, 413])
async def test_it_never_retries_permanent_errors(use_anthropic: Any, status: int) -> None:
    use_anthropic.fail(status)
    events = await run()
    assert use_anthropic.calls == 1
    assert events[-1].type == "error"


async def test_it_hides_credentials_on_auth_failure(use_anthropic: Any) -> None:
    use_anthropic.fail(401)
    error = (await run())[-1]
    assert error.data["code"] == "llm_auth"
    assert "not configured correctly" in error.data["message"]
    assert "fake-test-key" not in str(error.data)


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504, 529])
async def test_it_retries_transient_statuses(use_anthropic: Any, status: int) -> None:
    use_anthropic.fail(status)
    assert (await run())[-1].type == "done"
    assert use_anthropic.calls == 2


async def test_it_honours_retry_after(use_anthropic: Any) -> None:
    sleeps = Sleeps()
    use_anthropic.fail(429, **{"retry-after": "2"})
    use_anthropic.fail(529, **{"retry-after-ms": "1500"})
    events = await run(config=RetryConfig(sleep=sleeps, max_delay=60))
    assert events[-1].type == "done"
    assert sleeps.delays == [2.0, 1.5]


async def test_it_fails_at_once_when_retry_after_exceeds_max_delay(use_anthropic: Any) -> None:
    sleeps = Sleeps()
    use_anthropic.fail(429, **{"retry-after": "120"})
    error = (await run(config=RetryConfig(sleep=sleeps, max_delay=60)))[-1]
    assert use_anthropic.calls == 1 and sleeps.delays == []
    assert error.type == "error" and error.data["retry_after"] == 120
    assert "longer than the 60 s" in error.data["message"]


async def test_it_reports_exhausted_retries(use_anthropic: Any) -> None:
    sleeps = Sleeps()
    use_anthropic.fail(529, times=10)
    error = (await run(config=RetryConfig(max_retries=3, sleep=sleeps, jitter=False)))[-1]
    assert use_anthropic.calls == 4
    # Overloaded: the seed's 1, 2, 4 s, each times OVERLOADED_BACKOFF_FACTOR (3).
    assert sleeps.delays == [3.0, 6.0, 12.0]
    assert error.data["code"] == "upstream_overloaded"
    assert error.data["message"].startswith("All 3 retry attempts exhausted")


async def test_a_500_backs_off_on_the_seed_schedule_shorter_than_a_529(
    use_anthropic: Any,
) -> None:
    sleeps = Sleeps()
    use_anthropic.fail(500, times=10)
    error = (await run(config=RetryConfig(max_retries=3, sleep=sleeps, jitter=False)))[-1]
    assert sleeps.delays == [1.0, 2.0, 4.0]
    assert error.data["code"] == "upstream_error"


async def test_an_in_stream_error_after_text_is_reported_not_retried(use_anthropic: Any) -> None:
    use_anthropic.enqueue(
        FakeReply(chunks=["OPTIMIZED ", "RESUME\n", "Jane"], error_after_chunks=2)
    )
    events = await run()
    assert use_anthropic.calls == 1
    assert [e.type for e in events] == ["start", "chunk", "chunk", "error"]
    assert events[-1].data["code"] == "upstream_overloaded"


async def test_an_in_stream_error_before_any_text_is_retried(use_anthropic: Any) -> None:
    use_anthropic.enqueue(FakeReply(error_after_chunks=0))
    events = await run()
    assert use_anthropic.calls == 2
    assert events[-1].type == "done"


async def test_a_dropped_connection_mid_stream_is_an_error_event(use_anthropic: Any) -> None:
    use_anthropic.enqueue(FakeReply(chunks=["a ", "b ", "c"], drop_after_chunks=1))
    events = await run()
    assert [e.type for e in events] == ["start", "chunk", "error"]
    assert events[-1].data["code"] == "upstream_connection"
    assert use_anthropic.calls == 1


@pytest.fixture
def short_timeout(use_anthropic: Any, settings: Any) -> Any:
    """LLM_TIMEOUT_SECONDS small enough for the fake's delays to exceed it."""
    from optimizer.llm import client

    settings.LLM_TIMEOUT_SECONDS = 0.3
    client.reset_provider()
    return use_anthropic


async def test_a_slow_first_token_is_a_retried_timeout(short_timeout: Any) -> None:
    # The headers arrive at once, then the model stays silent: a read timeout mid-stream.
    short_timeout.enqueue(FakeReply(first_token_delay=2.0))
    events = await run()
    assert short_timeout.calls == 2  # retryable, and the retry answered
    assert events[-1].type == "done"


async def test_a_model_that_never_answers_fails_with_upstream_timeout(
    short_timeout: Any, settings: Any
) -> None:
    settings.LLM_RETRY_MAX_RETRIES = 1
    short_timeout.set_default(FakeReply(first_token_delay=2.0))
    error = (await run())[-1]
    assert short_timeout.calls == 2
    assert error.type == "error"
    assert error.data["code"] == "upstream_timeout"
    # the retry waited twice as long, and the message says so
    assert (
        "did not answer within 0.6 s (a retry; LLM_TIMEOUT_SECONDS is 0.3)" in error.data["message"]
    )
    assert "ReadTimeout" not in error.data["message"]


async def test_after_a_timeout_the_retry_waits_longer(short_timeout: Any) -> None:
    """A long prompt that needs 0.45 s for its first token: the retry gets 0.6 s and answers,
    instead of timing out at 0.3 s again (and again)."""
    short_timeout.enqueue(FakeReply(first_token_delay=0.45))
    short_timeout.enqueue(FakeReply(first_token_delay=0.45))
    short_timeout.enqueue(FakeReply(first_token_delay=0.45))
    events = await run()
    assert events[-1].type == "done"
    assert short_timeout.calls == 2


async def test_a_model_going_quiet_after_text_is_a_timeout_not_retried(
    short_timeout: Any,
) -> None:
    short_timeout.enqueue(FakeReply(chunks=["a ", "b ", "c"], chunk_delay=2.0))
    events = await run()
    assert short_timeout.calls == 1
    assert [e.type for e in events] == ["start", "chunk", "error"]
    assert events[-1].data["code"] == "upstream_timeout"


async def test_a_slow_non_streaming_answer_is_upstream_timeout(short_timeout: Any) -> None:
    short_timeout.enqueue(FakeReply(first_token_delay=2.0))
    with pytest.raises(LLMError) as raised:
        await get_provider().generate(services.build_llm_request(REQUEST))
    assert raised.value.code == "upstream_timeout"
    assert raised.value.retryable
    assert raised.value.message == "The model did not answer within 0.3 s (LLM_TIMEOUT_SECONDS)"


@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadTimeout("read timed out"),
        httpx2.ReadTimeout("read timed out"),
        anthropic.APITimeoutError(request=httpx.Request("POST", "http://upstream/v1/messages")),
    ],
    ids=["httpx", "httpx2", "sdk"],
)
def test_a_timeout_is_upstream_timeout_raw_or_wrapped(error: Exception) -> None:
    connection = anthropic.APIConnectionError(
        request=httpx.Request("POST", "http://upstream/v1/messages")
    )
    connection.__cause__ = error  # how the SDK wraps a transport error: raise ... from error
    for raised in (error, connection):
        translated = translate_error(raised, timeout=120)
        assert translated.code == "upstream_timeout"
        assert translated.retryable
        assert translated.message == "The model did not answer within 120 s (LLM_TIMEOUT_SECONDS)"


def test_a_refused_connection_is_still_upstream_connection() -> None:
    translated = translate_error(httpx.ConnectError("refused"))
    assert translated.code == "upstream_connection"
    assert translated.retryable


async def test_a_cache_hit_replays_the_same_chunks(use_anthropic: Any) -> None:
    use_anthropic.enqueue(FakeReply(chunks=["OPTIMIZED RESUME\n", DEFAULT_REPLY_TEXT[17:]]))
    first = await run()
    second = await run()
    chunks = [
        [e.data["content"] for e in events if e.type == "chunk"] for events in (first, second)
    ]
    assert chunks[0] == chunks[1] and len(chunks[0]) == 2
    hit = second[-1].data["result"]["usage_stats"]
    assert hit["cached"] is True and hit["cost_usd"] == 0.0
    assert hit["saved_usd"] == first[-1].data["result"]["usage_stats"]["cost_usd"]
    assert use_anthropic.calls == 1


async def test_generate_on_a_hit_returns_what_the_stream_returns(use_anthropic: Any) -> None:
    use_anthropic.enqueue(FakeReply(chunks=["OPTIMIZED RESUME\n", DEFAULT_REPLY_TEXT[17:]]))
    await run()
    streamed = (await run())[-1].data["result"]
    generated = await services.generate(REQUEST)
    quiet = [e.type async for e in services.stream(REQUEST, replay_chunks=False)]
    assert "chunk" not in quiet and quiet[0] == "start" and quiet[-1] == "done"
    timing = ("latency_ms", "time_to_first_chunk_ms")
    for result in (streamed, generated):
        assert result["usage_stats"]["cached"] is True
        assert result["usage_stats"]["time_to_first_chunk_ms"] is not None
        for name in timing:
            result["usage_stats"].pop(name)
    assert generated == streamed
    assert use_anthropic.calls == 1


async def test_it_sends_model_system_prompt_and_temperature(
    use_anthropic: Any, settings: Any
) -> None:
    settings.LLM_TEMPERATURE = 0.2
    settings.LLM_MAX_TOKENS = 2000
    await run()
    body = use_anthropic.last_request.body
    assert body["model"] == "claude-sonnet-4-20250514"
    assert body["max_tokens"] == 2000
    assert body["temperature"] == 0.2
    (system,) = body["system"]  # one text block, marked for the prompt cache
    assert "ATS" in system["text"] and system["cache_control"] == {"type": "ephemeral"}
    # a German, Spanish or French resume is rewritten in its own language (issue 16, item 2)
    assert "in the language the original resume is written in" in system["text"]
    assert "BERUFSERFAHRUNG" in system["text"]
    assert body["stream"] is True
    assert "<resume>" in body["messages"][0]["content"]


async def test_temperature_is_left_out_when_unset(use_anthropic: Any) -> None:
    await run()
    assert "temperature" not in use_anthropic.last_request.body


async def test_generate_is_non_streaming_through_the_sdk(use_anthropic: Any) -> None:
    provider = get_provider()
    response = await provider.generate(LLMRequest("hi", "sys", "claude-sonnet-4-20250514", 100))
    assert response.text == DEFAULT_REPLY_TEXT
    assert response.usage.input_tokens == 2500
    assert use_anthropic.last_request.body.get("stream") in (None, False)


async def test_usage_and_seed_cost_are_reported(use_anthropic: Any, settings: Any) -> None:
    settings.LLM_PROMPT_CACHING = False  # the seed's formula: input and output tokens only
    use_anthropic.enqueue(FakeReply(input_tokens=2500, output_tokens=1200))
    result = (await run())[-1].data["result"]
    assert result["usage_stats"]["input_tokens"] == 2500
    assert result["usage_stats"]["output_tokens"] == 1200
    assert result["usage_stats"]["cost_usd"] == 0.0255


async def test_an_unknown_model_has_no_cost_and_a_warning(
    use_anthropic: Any, settings: Any
) -> None:
    settings.ANTHROPIC_MODEL = "claude-imaginary-9"
    events = await run()
    result = events[-1].data["result"]
    assert result["usage_stats"]["cost_usd"] is None
    assert "No price is known for model claude-imaginary-9: cost not reported" in result["warnings"]


async def test_a_truncated_answer_is_flagged_and_not_cached(use_anthropic: Any) -> None:
    use_anthropic.enqueue(FakeReply(stop_reason="max_tokens"))
    result = (await run())[-1].data["result"]
    assert result["is_valid"] is False
    assert any("max_tokens" in w for w in result["warnings"])
    await run()
    assert use_anthropic.calls == 2


@pytest.mark.django_db(transaction=True)
async def test_cancelling_while_waiting_for_the_first_token_closes_upstream(
    use_anthropic: Any,
) -> None:
    import asyncio

    from optimizer.models import Optimization

    record = await Optimization.objects.acreate(resume_text="r", job_description="j")
    use_anthropic.enqueue(FakeReply(first_token_delay=30))

    async def consume() -> None:
        async for _ in services.stream(REQUEST, optimization=record):
            pass

    task = asyncio.ensure_future(consume())
    assert await use_anthropic.wait_for_async(lambda: use_anthropic.open_streams == 1, timeout=10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await use_anthropic.wait_for_async(lambda: use_anthropic.disconnects == 1, timeout=10)
    await record.arefresh_from_db()
    assert record.status == Optimization.Status.CANCELLED


async def test_it_retries_then_caches(use_anthropic: Any) -> None:
    use_anthropic.fail(529, times=2)
    first = await services.generate(REQUEST)
    assert use_anthropic.calls == 3
    assert first["usage_stats"]["cached"] is False
    assert first["usage_stats"]["attempts"] == 3
    second = await services.generate(REQUEST)
    assert use_anthropic.calls == 3  # served from the cache
    assert second["usage_stats"]["cached"] is True
    assert second["optimized_resume"] == first["optimized_resume"]
