"""The circuit breaker (optimizer/llm/breaker.py) in one process, on the embedded Redis, against
the fake Anthropic server through the real SDK. Its clock (breaker._now) is moved instead of
waiting for a cooldown; the two-worker storm is in tests/test_breaker_live.py."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from django.test import AsyncClient
from samples import JOB, RESUME

from optimizer import services
from optimizer.health import health
from optimizer.llm import breaker
from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db(transaction=True)

MODEL = "claude-sonnet-4-20250514"


def request(n: int) -> services.OptimizeRequest:
    """A different request each time (no cache hit, no shared flight)."""
    return services.OptimizeRequest(f"{RESUME}\nReference {n}", JOB)


async def outcome(n: int) -> dict[str, Any]:
    events = [event async for event in services.stream(request(n))]
    return dict(events[-1].data)


@pytest.fixture
def upstream(use_anthropic: Any, settings: Any) -> Any:
    settings.BREAKER_FAILURES = 3
    settings.BREAKER_WINDOW_SECONDS = 60
    settings.BREAKER_COOLDOWN_SECONDS = 30.0
    settings.LLM_RETRY_MAX_RETRIES = 1
    return use_anthropic


class Clock:
    """breaker._now, moved by hand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0.0
        real = breaker._now
        monkeypatch.setattr(breaker, "_now", lambda: real() + self.offset)

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


async def trip(fake: Any, failures: int = 3) -> None:
    fake.set_default(FakeReply(status=529))
    for n in range(failures):
        assert (await outcome(100 + n))["code"] == "upstream_overloaded"


async def test_consecutive_overloaded_failures_open_it_and_then_nothing_goes_upstream(
    upstream: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="optimizer.llm.breaker"):
        await trip(upstream)
    assert upstream.calls == 6  # 3 requests, each tried twice
    assert "Circuit breaker OPEN" in caplog.text
    for n in range(5):
        refused = await outcome(n)
        assert refused["code"] == "upstream_unavailable"
        assert 29 <= refused["retry_after"] <= 30
    assert upstream.calls == 6
    state = await health()
    assert state["upstream"] == "open"
    assert state["upstream_breaker"]["failures"] == 3


async def test_a_success_between_failures_starts_the_count_again(upstream: Any) -> None:
    upstream.enqueue(*[FakeReply(status=529)] * 4, FakeReply(), *[FakeReply(status=529)] * 4)
    results = [await outcome(n) for n in range(5)]
    assert [r.get("code", r["type"]) for r in results] == [
        "upstream_overloaded",
        "upstream_overloaded",
        "done",
        "upstream_overloaded",
        "upstream_overloaded",
    ]
    assert (await health())["upstream"] == "closed"


async def test_bad_requests_do_not_count(upstream: Any) -> None:
    upstream.set_default(FakeReply(status=400))
    for n in range(5):
        assert (await outcome(n))["code"] == "upstream_bad_request"
    assert (await health())["upstream"] == "closed"


async def test_a_cache_hit_is_served_while_it_is_open(upstream: Any) -> None:
    assert (await outcome(1))["type"] == "done"
    await trip(upstream)
    calls = upstream.calls
    hit = await outcome(1)
    assert hit["type"] == "done" and hit["result"]["usage_stats"]["cached"] is True
    assert (await outcome(2))["code"] == "upstream_unavailable"
    assert upstream.calls == calls


async def test_after_the_cooldown_one_probe_decides_and_its_success_closes_it(
    upstream: Any, clock: Clock
) -> None:
    await trip(upstream)
    upstream.set_default(FakeReply(first_token_delay=0.3))
    calls = upstream.calls
    clock.advance(30)
    assert (await health())["upstream"] == "half_open"
    # Ten requests at once in half-open: one probes, the nine others are refused at once.
    results = await asyncio.gather(*(outcome(n) for n in range(10)))
    assert (
        sorted(r.get("code", r["type"]) for r in results) == ["done"] + ["upstream_unavailable"] * 9
    )
    assert upstream.calls == calls + 1
    state = await health()
    assert state["upstream"] == "closed" and state["upstream_breaker"]["probes"] == 1
    assert (await outcome(20))["type"] == "done"


async def test_a_failed_probe_is_not_retried_and_opens_it_for_another_cooldown(
    upstream: Any, clock: Clock
) -> None:
    await trip(upstream)
    calls = upstream.calls
    clock.advance(31)
    probe = await outcome(1)
    assert probe["code"] == "upstream_unavailable"
    assert upstream.calls == calls + 1  # one attempt, no retry
    assert (await health())["upstream"] == "open"
    assert (await outcome(2))["code"] == "upstream_unavailable"
    assert upstream.calls == calls + 1
    clock.advance(31)
    upstream.set_default(FakeReply())
    assert (await outcome(3))["type"] == "done"
    assert (await health())["upstream"] == "closed"


async def test_a_request_that_read_the_mark_before_a_failed_probe_reopened_it_does_not_probe(
    upstream: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers in half-open: the second reads the expired open mark, then the first one's
    probe fails and opens the breaker again before the second takes the probe lock. The second
    must not become a probe of the new opening (the storm test saw 6 probes in 3 cooldowns)."""
    await trip(upstream)
    calls = upstream.calls
    probes = (await health())["upstream_breaker"]["probes"]
    clock.advance(31)
    real_client = breaker.Breaker._client
    raced = False

    class RacingClient:
        """The Redis client, with the first probe's whole failure run just before a SET NX."""

        def __init__(self, client: Any) -> None:
            self.client = client

        def __getattr__(self, name: str) -> Any:
            return getattr(self.client, name)

        async def set(self, *args: Any, **kwargs: Any) -> Any:
            nonlocal raced
            if not raced:
                raced = True
                assert (await outcome(1))["code"] == "upstream_unavailable"  # the failed probe
            return await self.client.set(*args, **kwargs)

    monkeypatch.setattr(breaker.Breaker, "_client", lambda self: RacingClient(real_client(self)))
    assert (await outcome(2))["code"] == "upstream_unavailable"
    assert raced
    assert upstream.calls == calls + 1
    state = await health()
    assert state["upstream"] == "open" and state["upstream_breaker"]["probes"] == probes + 1


async def test_the_api_says_503_upstream_unavailable_with_retry_after(
    upstream: Any, api_key: str
) -> None:
    await trip(upstream)
    response = await AsyncClient().post(
        "/api/v1/generate",
        {"resume_raw_text": RESUME, "job_description_text": JOB},
        content_type="application/json",
        headers={"X-API-Key": api_key},
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "upstream_unavailable"
    assert 29 <= int(response.headers["Retry-After"]) <= 30


async def test_the_failure_count_expires_with_the_window(upstream: Any, settings: Any) -> None:
    from optimizer import redis_client

    settings.BREAKER_WINDOW_SECONDS = 7
    upstream.set_default(FakeReply(status=529))
    assert (await outcome(1))["code"] == "upstream_overloaded"
    assert (await outcome(2))["code"] == "upstream_overloaded"
    client = redis_client.connection().async_client()
    key = breaker.Breaker("anthropic", MODEL).failures_key
    assert int(await client.get(key)) == 2
    # Set by the first failure of the window and not pushed back by the next (EXPIRE NX).
    assert 0 < await client.ttl(key) <= 7


async def test_it_is_off_with_zero_failures(upstream: Any, settings: Any) -> None:
    settings.BREAKER_FAILURES = 0
    await trip(upstream, failures=5)
    assert (await health())["upstream"] == "closed"
    assert (await outcome(9))["code"] == "upstream_overloaded"


def test_the_admin_shows_the_state_and_closes_it_by_hand(upstream: Any) -> None:
    from asgiref.sync import async_to_sync
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    async_to_sync(trip)(upstream)
    staff = Client()
    staff.force_login(User.objects.create_superuser("ops", "ops@example.com", "pw"))
    page = staff.get(reverse("admin:index")).content.decode()
    state = page.split('id="upstream-state">', 1)[1].split("<", 1)[0]
    assert state.startswith("open (") and "3 failure(s)" in state
    assert staff.post(reverse("admin:upstream_breaker_reset")).status_code == 302
    page = staff.get(reverse("admin:index")).content.decode()
    assert 'id="upstream-state">closed, 0 failure(s)' in page
    upstream.set_default(FakeReply())
    assert async_to_sync(outcome)(50)["type"] == "done"  # no cooldown left to wait
