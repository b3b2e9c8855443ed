"""A circuit breaker per provider and model, shared by every worker through Redis.

    closed    -> calls go upstream. BREAKER_FAILURES consecutive failed requests (retries
                 exhausted, or overloaded) within BREAKER_WINDOW_SECONDS open it.
    open      -> every call fails at once with upstream_unavailable (a 503 with Retry-After):
                 no upstream call, no retry sleep. Cache hits never ask the breaker.
    half_open -> BREAKER_COOLDOWN_SECONDS after opening, exactly one call (the one that wins a
                 SET NX lock) goes upstream as a probe, without retries: its success closes the
                 breaker, its failure opens it for another cooldown. Everyone else still fails
                 fast meanwhile.

Every attempt of the retry loop asks the breaker first, so a request that was retrying when
another worker opened the breaker stops at once instead of calling an upstream that is down.

Keys share one Redis Cluster hash tag per provider and model: breaker:{<provider>:<model>}:
open (the time the cooldown ends), :failures (the consecutive count, expiring with the window),
:probe:<open> (the half-open lock of that one opening) and :probes (how many probes were sent,
for health and tests).

The probe lock is named after the opening it probes, not shared by all of them: a request that
read an expired open mark just before a failed probe opened the breaker again would otherwise
win a lock that the re-opening had just deleted, and send a second probe in the same cooldown.
Under the per-opening name it finds the lock of the opening it read still held, and is refused.
A Redis outage never blocks the upstream: the breaker then lets every call through.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings

from optimizer import redis_client
from optimizer.llm.errors import LLMError, RetriesExhaustedError, RetryAfterTooLongError
from optimizer.llm.retry import RetryConfig, retry_with_exponential_backoff
from optimizer.redis_client import REDIS_ERRORS

logger = logging.getLogger(__name__)

T = TypeVar("T")

UNAVAILABLE_CODE = "upstream_unavailable"
# How long a probe may hold the half-open lock if its process dies mid-call: then another
# request probes. Longer than any one upstream call's wait for its first chunk.
_PROBE_LEASE_MARGIN_SECONDS = 5.0
# The open mark outlives its cooldown by far: a breaker nobody asks again stays decided.
_OPEN_TTL_SECONDS = 86400


def _now() -> float:
    """Wall-clock seconds: the open mark is read by every worker (tests move this clock)."""
    return time.time()


class UpstreamUnavailable(LLMError):
    """The breaker is open: the call was refused without going upstream."""


@dataclass(frozen=True)
class BreakerState:
    provider: str
    model: str
    state: str  # closed | open | half_open
    failures: int
    retry_after: float | None  # seconds left of the cooldown (open only)
    probes: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "state": self.state,
            "failures": self.failures,
            "retry_after": self.retry_after,
            "probes": self.probes,
        }


def enabled(provider: str) -> bool:
    """The offline engine never fails upstream; BREAKER_FAILURES=0 turns the breaker off."""
    return provider != "offline" and settings.BREAKER_FAILURES > 0


def counts_against(error: LLMError) -> bool:
    """A request failure that says the upstream is in trouble, not that our request is bad."""
    if isinstance(error, UpstreamUnavailable):
        return False
    if isinstance(error, RetriesExhaustedError | RetryAfterTooLongError):
        return True
    return error.code == "upstream_overloaded"


def falls_back(error: LLMError) -> bool:
    """Worth trying a fallback model: this one is refused or stays overloaded/failing."""
    return isinstance(error, UpstreamUnavailable) or counts_against(error)


class Breaker:
    def __init__(self, provider: str, model: str) -> None:
        self.provider = provider
        self.model = model
        redis = redis_client.connection()
        tag = f"breaker:{{{provider}:{model}}}"
        self.open_key = redis.full_key(f"{tag}:open")
        self.failures_key = redis.full_key(f"{tag}:failures")
        self.probe_prefix = redis.full_key(f"{tag}:probe:")
        self.probes_key = redis.full_key(f"{tag}:probes")
        self._probing: str | None = None  # the lock this request holds as the probe

    def _probe_key(self, raw_open: bytes | str) -> str:
        mark = raw_open.decode() if isinstance(raw_open, bytes) else raw_open
        return f"{self.probe_prefix}{mark}"

    def _client(self) -> Any:
        return redis_client.connection().async_client()

    def refusal(self, retry_after: float) -> UpstreamUnavailable:
        return UpstreamUnavailable(
            f"The LLM upstream ({self.model}) is failing; requests are paused for a moment "
            "(circuit breaker open)",
            code=UNAVAILABLE_CODE,
            retry_after=max(1.0, math.ceil(retry_after)),
        )

    async def admit(self) -> bool:
        """Before one upstream attempt: True when this call is the half-open probe, False for an
        ordinary call; raises UpstreamUnavailable when the breaker refuses it."""
        try:
            raw = await self._client().get(self.open_key)
            if raw is None:
                return False
            left = float(raw) - _now()
            if left > 0:
                raise self.refusal(left)
            lease = settings.LLM_TIMEOUT_SECONDS + _PROBE_LEASE_MARGIN_SECONDS
            probe_key = self._probe_key(raw)
            if not await self._client().set(probe_key, "1", nx=True, px=int(lease * 1000)):
                raise self.refusal(1.0)  # another request is probing this opening right now
            self._probing = probe_key
            await self._client().incr(self.probes_key)
        except REDIS_ERRORS as error:
            logger.warning("Circuit breaker unreadable (%s): letting the call through", error)
            return False
        logger.warning(
            "Circuit breaker half-open for %s/%s: one probe goes upstream",
            self.provider,
            self.model,
        )
        return True

    async def succeeded(self, probe: bool) -> None:
        """The upstream answered: closed, the failure count starts again."""
        try:
            async with self._client().pipeline(transaction=False) as pipe:
                pipe.delete(self.open_key)
                pipe.delete(self.failures_key)
                if probe and self._probing:
                    pipe.delete(self._probing)
                was_open, *_ = await pipe.execute()
        except REDIS_ERRORS as error:
            logger.warning("Could not record an upstream success in the breaker: %s", error)
            return
        if was_open:
            logger.warning("Circuit breaker closed for %s/%s", self.provider, self.model)

    async def probe_failed(self) -> None:
        """The half-open probe failed: open for another cooldown."""
        await self._open(reason="the half-open probe failed", replace=True)

    async def failed(self, error: LLMError) -> None:
        """A request failed after its retries: count it, and open at BREAKER_FAILURES."""
        if not counts_against(error):
            return
        try:
            async with self._client().pipeline(transaction=False) as pipe:
                pipe.incr(self.failures_key)
                pipe.expire(self.failures_key, settings.BREAKER_WINDOW_SECONDS, nx=True)
                failures, _ = await pipe.execute()
        except REDIS_ERRORS as error_:
            logger.warning("Could not count an upstream failure in the breaker: %s", error_)
            return
        if int(failures) >= settings.BREAKER_FAILURES:
            await self._open(reason=f"{failures} consecutive failures ({error.code})")

    async def _open(self, *, reason: str, replace: bool = False) -> None:
        until = _now() + settings.BREAKER_COOLDOWN_SECONDS
        try:
            async with self._client().pipeline(transaction=False) as pipe:
                # NX: of the workers that see the threshold crossed, one opens (and logs it).
                pipe.set(self.open_key, f"{until:.6f}", nx=not replace, ex=_OPEN_TTL_SECONDS)
                # The probe's lock is left to expire: it names the opening just replaced.
                opened, *_ = await pipe.execute()
        except REDIS_ERRORS as error:
            logger.warning("Could not open the circuit breaker: %s", error)
            return
        if opened:
            logger.warning(
                "Circuit breaker OPEN for %s/%s: %s; calls refused for %g s",
                self.provider,
                self.model,
                reason,
                settings.BREAKER_COOLDOWN_SECONDS,
            )

    async def state(self) -> BreakerState:
        """What the breaker says now (closed when Redis cannot tell)."""
        try:
            async with self._client().pipeline(transaction=False) as pipe:
                pipe.get(self.open_key)
                pipe.get(self.failures_key)
                pipe.get(self.probes_key)
                raw_open, raw_failures, raw_probes = await pipe.execute()
        except REDIS_ERRORS:
            raw_open = raw_failures = raw_probes = None
        failures = int(raw_failures or 0)
        probes = int(raw_probes or 0)
        if raw_open is None:
            return BreakerState(self.provider, self.model, "closed", failures, None, probes)
        left = float(raw_open) - _now()
        if left > 0:
            return BreakerState(self.provider, self.model, "open", failures, round(left, 3), probes)
        return BreakerState(self.provider, self.model, "half_open", failures, None, probes)

    async def reset(self) -> None:
        """Closed by hand (the admin's button)."""
        # A probe lock left behind names an opening that is gone, and expires with its lease.
        await self._client().delete(self.open_key, self.failures_key, self.probes_key)
        logger.warning("Circuit breaker for %s/%s reset by hand", self.provider, self.model)


async def call(
    provider: str,
    model: str,
    attempt: Callable[[], Awaitable[T]],
    config: RetryConfig,
) -> T:
    """attempt() under the retry policy, each try asked of the breaker first.

    The half-open probe gets no retries: its one answer decides. The outcome is recorded.
    """
    if not enabled(provider):
        return await retry_with_exponential_backoff(attempt, config)
    breaker = Breaker(provider, model)
    probing = False

    async def guarded() -> T:
        nonlocal probing
        probing = await breaker.admit()
        try:
            return await attempt()
        except LLMError as error:
            if not probing:
                raise
            await breaker.probe_failed()
            # Not retried: the breaker is open again, and the client is told so at once.
            raise breaker.refusal(settings.BREAKER_COOLDOWN_SECONDS) from error

    try:
        result = await retry_with_exponential_backoff(guarded, config)
    except LLMError as error:
        if not probing:
            await breaker.failed(error)
        raise
    await breaker.succeeded(probing)
    return result


async def current_state() -> BreakerState | None:
    """The breaker of the configured provider and model, for health and the admin."""
    from optimizer.llm.client import get_provider, model_name

    provider = get_provider().name
    if not enabled(provider):
        return None
    return await Breaker(provider, model_name()).state()
