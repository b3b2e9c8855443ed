"""optimizer/llm/retry.py: bounded attempts with exponential backoff and jitter (the seed's tests).

The pipeline's retries against the fake Anthropic server are in tests/test_upstream.py.
"""

from __future__ import annotations

import pytest

from optimizer.llm.errors import LLMError
from optimizer.llm.retry import RetryConfig, retry_with_exponential_backoff, with_retry


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
