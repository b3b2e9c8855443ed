"""Anthropic's rate-limit headers (optimizer/llm/ratelimit.py): a budget at 0 makes the next
calls wait for its reset instead of firing into 429s, shared through Redis; a reset beyond
LLM_RETRY_MAX_DELAY fails at once without a call. Waits go through an injected sleep that
records them (the fake sends the headers)."""

from __future__ import annotations

from typing import Any

import pytest
from samples import JOB, RESUME

from optimizer import services
from optimizer.llm import ratelimit
from optimizer.llm.retry import RetryConfig
from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db(transaction=True)


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


async def outcome(n: int, sleeps: Sleeps, max_delay: float = 60.0) -> dict[str, Any]:
    config = RetryConfig(max_retries=2, sleep=sleeps, jitter=False, max_delay=max_delay)
    request = services.OptimizeRequest(f"{RESUME}\nReference {n}", JOB)
    events = [event async for event in services.stream(request, config=config)]
    return dict(events[-1].data)


def test_only_an_exhausted_budget_with_a_reset_counts() -> None:
    reset = "2030-01-01T00:00:05Z"
    assert ratelimit.exhausted_until(
        {"anthropic-ratelimit-tokens-remaining": "0", "anthropic-ratelimit-tokens-reset": reset}
    ) == pytest.approx(1893456005.0)
    assert (
        ratelimit.exhausted_until(
            {
                "anthropic-ratelimit-tokens-remaining": "12",
                "anthropic-ratelimit-tokens-reset": reset,
            }
        )
        is None
    )
    assert ratelimit.exhausted_until({"anthropic-ratelimit-requests-remaining": "0"}) is None
    assert ratelimit.exhausted_until(None) is None


async def test_after_a_budget_at_zero_the_next_requests_wait_for_the_reset(
    use_anthropic: Any,
) -> None:
    use_anthropic.enqueue(FakeReply(ratelimit_remaining=0, ratelimit_reset_in=5.0))
    first_sleeps = Sleeps()
    assert (await outcome(1, first_sleeps))["type"] == "done"
    assert first_sleeps.delays == []  # the answer itself was fine
    for n in (2, 3):
        sleeps = Sleeps()
        assert (await outcome(n, sleeps))["type"] == "done"
        (waited,) = sleeps.delays
        assert 3.5 < waited <= 5.0  # until the reset the fake announced
    # None of them went out into a 429: one call each, all answered 200.
    assert [r.status for r in use_anthropic.requests] == [200, 200, 200]


async def test_a_reset_beyond_the_max_delay_fails_at_once_without_a_call(
    use_anthropic: Any,
) -> None:
    use_anthropic.enqueue(FakeReply(ratelimit_remaining=0, ratelimit_reset_in=120.0))
    assert (await outcome(1, Sleeps()))["type"] == "done"
    sleeps = Sleeps()
    refused = await outcome(2, sleeps, max_delay=10.0)
    assert refused["code"] == "upstream_rate_limited"
    assert 100 < refused["retry_after"] <= 120
    assert sleeps.delays == [] and use_anthropic.calls == 1


async def test_a_429_with_its_reset_makes_everyone_wait_not_only_its_own_retry(
    use_anthropic: Any,
) -> None:
    use_anthropic.enqueue(FakeReply(status=429, ratelimit_remaining=0, ratelimit_reset_in=4.0))
    own = Sleeps()
    assert (await outcome(1, own))["type"] == "done"
    assert len(own.delays) == 2  # its backoff, then the rest of the wait for the reset
    assert 2.5 < own.delays[1] <= 4.0
    other = Sleeps()
    assert (await outcome(2, other))["type"] == "done"
    assert len(other.delays) == 1 and 2.5 < other.delays[0] <= 4.0
    assert [r.status for r in use_anthropic.requests] == [429, 200, 200]


async def test_a_429_retry_after_is_waited_once_by_its_request(use_anthropic: Any) -> None:
    use_anthropic.fail(429, times=1, retry_after="2")
    sleeps = Sleeps()
    assert (await outcome(1, sleeps))["type"] == "done"
    assert sleeps.delays == [2.0]  # the retry loop's wait; the shared mark adds none
