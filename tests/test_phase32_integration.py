"""The seed's suite, as a floor: retry (5), validator (9), cache (3), integration (2)."""

from __future__ import annotations

from typing import Any

import pytest

from optimizer import services
from optimizer.llm.cache import LLMCache
from optimizer.llm.errors import LLMError
from optimizer.llm.retry import RetryConfig, retry_with_exponential_backoff, with_retry
from optimizer.llm.validator import ResponseValidator


class Sleeps:
    """An injected sleep that records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class Flaky:
    def __init__(self, failures: int, error: Exception | None = None) -> None:
        self.failures = failures
        self.calls = 0
        self.error = error or ConnectionError("connection reset")

    async def __call__(self, value: str = "ok") -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return value


GOOD_RESPONSE = """OPTIMIZED RESUME
Jane Doe
Senior Python Developer

SUMMARY
Python developer with 6 years of Django and PostgreSQL experience.

EXPERIENCE
Senior Developer — Acme Corp (Jan 2019 – Mar 2023)
- Built Django REST APIs used by 40,000 customers
- Cut page load time by 35% with Redis caching

CHANGES MADE
- Moved Python and Django to the top of the skills list
- Consider adding Kubernetes if it is true for you

EXPECTED IMPROVEMENT
The resume now uses the job's own keywords for skills the candidate has.
"""


# -- retry (5) -----------------------------------------------------------------------------------


async def test_it_returns_on_first_try_without_sleeping() -> None:
    sleeps, func = Sleeps(), Flaky(0)
    result = await retry_with_exponential_backoff(func, RetryConfig(sleep=sleeps), "value")
    assert result == "value"
    assert func.calls == 1
    assert sleeps.delays == []


async def test_it_succeeds_after_failures(caplog: pytest.LogCaptureFixture) -> None:
    sleeps, func = Sleeps(), Flaky(2)
    caplog.set_level("INFO", logger="optimizer.llm.retry")
    assert await retry_with_exponential_backoff(func, RetryConfig(sleep=sleeps)) == "ok"
    assert func.calls == 3
    assert len(sleeps.delays) == 2
    assert "Retry succeeded on attempt 3" in caplog.text


async def test_it_raises_after_exhausting_retries(caplog: pytest.LogCaptureFixture) -> None:
    sleeps, func = (
        Sleeps(),
        Flaky(10, LLMError("API timeout", retryable=True, code="upstream_timeout")),
    )
    with pytest.raises(LLMError, match="All 3 retry attempts exhausted") as raised:
        await retry_with_exponential_backoff(func, RetryConfig(max_retries=3, sleep=sleeps))
    assert func.calls == 4
    assert raised.value.code == "upstream_timeout"
    assert "All 3 retry attempts exhausted. Last error: API timeout" in caplog.text


async def test_it_works_as_a_decorator() -> None:
    sleeps = Sleeps()
    calls = 0

    @with_retry(RetryConfig(max_retries=2, sleep=sleeps))
    async def call(x: int) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise TimeoutError("slow")
        return x * 2

    assert await call(21) == 42
    assert calls == 2
    assert call.__name__ == "call"


async def test_it_backs_off_exponentially_within_jitter_bounds() -> None:
    """~1 s, ~2 s, ~4 s with jitter factors in [0.5, 1.5], capped at max_delay."""
    for _ in range(20):
        sleeps = Sleeps()
        with pytest.raises(ConnectionError):
            await retry_with_exponential_backoff(Flaky(10), RetryConfig(sleep=sleeps))
        assert len(sleeps.delays) == 3
        for n, delay in enumerate(sleeps.delays):
            assert 0.5 * 2**n <= delay <= 1.5 * 2**n
    exact = Sleeps()
    with pytest.raises(ConnectionError):
        config = RetryConfig(max_retries=6, jitter=False, max_delay=10.0, sleep=exact)
        await retry_with_exponential_backoff(Flaky(10), config)
    assert exact.delays == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


# -- validator (9) -------------------------------------------------------------------------------


def test_it_accepts_a_valid_response() -> None:
    assert ResponseValidator().validate(GOOD_RESPONSE) == (True, [])


def test_it_flags_an_empty_response() -> None:
    is_valid, issues = ResponseValidator().validate("")
    assert not is_valid
    assert issues == ["Response too short"]


def test_it_checks_both_length_limits() -> None:
    validator = ResponseValidator(min_length=10, max_length=50)
    assert validator.validate("short") == (False, ["Response too short"])
    assert validator.validate("x" * 51) == (False, ["Response too long"])
    assert validator.validate("x" * 30) == (True, [])


def test_it_detects_harmful_content() -> None:
    is_valid, issues = ResponseValidator().validate(
        GOOD_RESPONSE + '<script>steal()</script> <a href="javascript:x()">x</a> <img onerror=y()>'
    )
    assert not is_valid
    assert "Harmful pattern detected: <script[^>]*>.*?</script>" in issues
    assert "Harmful pattern detected: javascript\\s*:" in issues
    assert any(issue.startswith("Harmful pattern detected: \\bon(") for issue in issues)


def test_it_detects_fabrication_indicators() -> None:
    text = GOOD_RESPONSE + "\nI cannot verify the dates, and I don't have access to the portfolio."
    is_valid, issues = ResponseValidator().validate(text)
    assert not is_valid
    assert "Uncertainty phrase detected: 'I cannot verify'" in issues
    assert "Uncertainty phrase detected: 'I don't have access'" in issues
    off = ResponseValidator(check_fabrication=False, check_harmful=False)
    assert off.validate(text + "<script>x</script>") == (True, [])


def test_it_sanitizes_the_seed_example() -> None:
    dirty = "Resume text <script>steal_data()</script> more content"
    assert ResponseValidator().sanitize(dirty) == "Resume text  more content"


def test_it_sanitizes_handlers_urls_and_tags_but_keeps_plain_text() -> None:
    validator = ResponseValidator()
    dirty = (
        'Lead <b>engineer</b> <img src=x onerror="alert(1)"> <a href="javascript:alert(1)">me</a>'
    )
    clean = validator.sanitize(dirty)
    assert "<" not in clean and "onerror" not in clean and "javascript:" not in clean
    assert "Lead engineer" in clean and "me" in clean
    assert validator.sanitize("AT&T, C++ & 5 < 10 — café") == "AT&T, C++ & 5 < 10 — café"
    nested = "<scr<script>x</script>ipt>alert(1)</script>"
    assert "<script" not in validator.sanitize(nested).lower()


def test_it_extracts_the_three_sections() -> None:
    sections = ResponseValidator().extract_structured_response(GOOD_RESPONSE)
    assert sections["optimized_resume"].startswith("Jane Doe")
    assert "CHANGES MADE" not in sections["optimized_resume"]
    assert sections["changes_made"] == [
        "Moved Python and Django to the top of the skills list",
        "Consider adding Kubernetes if it is true for you",
    ]
    assert sections["expected_improvement"].startswith("The resume now uses")


def test_it_assesses_quality() -> None:
    metrics = ResponseValidator().assess_quality(GOOD_RESPONSE)
    assert set(metrics) == {
        "length",
        "has_structure",
        "has_bullets",
        "has_numbers",
        "quality_score",
    }
    assert metrics["length"] == len(GOOD_RESPONSE)
    assert metrics["has_structure"] and metrics["has_bullets"] and metrics["has_numbers"]
    poor = ResponseValidator().assess_quality("just a sentence")
    assert not poor["has_structure"] and not poor["has_bullets"] and not poor["has_numbers"]
    assert 0 <= poor["quality_score"] < metrics["quality_score"] <= 1


# -- cache (3) ------------------------------------------------------------------------------------

ARGS = ("Tailor this resume", "You are an expert", "claude-sonnet-4-20250514", 4096, 0.2)


async def test_it_stores_and_retrieves(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="optimizer.llm.cache")
    cache = LLMCache(ttl_seconds=60)
    assert await cache.get(*ARGS) is None
    assert await cache.set(*ARGS, {"content": "answer"})
    assert await cache.get(*ARGS) == {"content": "answer"}
    digest = cache.make_key(*ARGS).removeprefix("llm:")
    assert f"Cache HIT for key: {digest[:8]}..." in caplog.text
    stats = await cache.get_stats()
    assert stats["total_keys"] == 1 and stats["ttl_seconds"] == 60
    assert stats["hits"] == 1 and stats["misses"] == 1 and stats["hit_rate"] == 0.5


def test_it_generates_consistent_keys() -> None:
    cache = LLMCache()
    key = cache.make_key(*ARGS)
    assert key == cache.make_key(*ARGS)
    assert key.startswith("llm:") and len(key) == len("llm:") + 64
    assert cache.make_key("  Tailor   this\nresume ", *ARGS[1:]) == key
    assert cache.make_key("Tailor this résumé", *ARGS[1:]) == cache.make_key(
        "Tailor this re\u0301sume\u0301", *ARGS[1:]
    )
    for changed in (
        ("Other",),
        (ARGS[0], "Other"),
        (*ARGS[:2], "m"),
        (*ARGS[:3], 1),
        (*ARGS[:4], 0.3),
    ):
        assert cache.make_key(*changed, *ARGS[len(changed) :]) != key


async def test_it_degrades_gracefully_when_redis_is_down() -> None:
    from tests.conftest import free_port

    cache = LLMCache(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    assert await cache.connect() is False
    cache.retry_interval = 0  # try the dead server on every call
    assert await cache.get(*ARGS) is None
    assert await cache.set(*ARGS, {"content": "x"}) is False
    assert await cache.invalidate(*ARGS) is False
    assert await cache.clear_all() == 0
    stats = await cache.get_stats()
    assert stats["available"] is False and stats["total_keys"] == 0


# -- integration (2) ------------------------------------------------------------------------------

RESUME = "Jane Doe\nPython developer\nEXPERIENCE\n- Built Django APIs at Acme Corp (2019-2023)\n"
JOB = "Senior Python Developer\nRequired: Python, Django, PostgreSQL."


@pytest.mark.django_db
async def test_it_retries_then_caches(use_anthropic: Any) -> None:
    use_anthropic.fail(529, times=2)
    request = services.OptimizeRequest(RESUME, JOB)
    first = await services.generate(request)
    assert use_anthropic.calls == 3
    assert first["usage_stats"]["cached"] is False
    assert first["usage_stats"]["attempts"] == 3
    second = await services.generate(request)
    assert use_anthropic.calls == 3  # served from the cache
    assert second["usage_stats"]["cached"] is True
    assert second["optimized_resume"] == first["optimized_resume"]


@pytest.mark.django_db
async def test_it_runs_the_full_pipeline_with_validation(use_anthropic: Any) -> None:
    from optimizer.testing.fake_anthropic import FakeReply

    hostile = GOOD_RESPONSE.replace("EXPERIENCE", "<script>steal()</script>EXPERIENCE")
    use_anthropic.enqueue(FakeReply(text=hostile))
    events = [e async for e in services.stream(services.OptimizeRequest(RESUME, JOB))]
    kinds = [e.type for e in events]
    assert kinds[0] == "start" and kinds[-1] == "done"
    assert "warning" in kinds
    issues = [issue for e in events if e.type == "warning" for issue in e.data["issues"]]
    assert "Harmful pattern detected: <script[^>]*>.*?</script>" in issues
    result = events[-1].data["result"]
    assert "<script>" not in result["optimized_resume"]
    assert "".join(e.data["content"] for e in events if e.type == "chunk") == hostile
    assert result["is_valid"] is False
    # An invalid result is not cached: the next identical request calls upstream again.
    await services.generate(services.OptimizeRequest(RESUME, JOB))
    assert use_anthropic.calls == 2
