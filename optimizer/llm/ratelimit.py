"""Anthropic's rate-limit headers, shared by every worker through Redis.

Every answer (a success, or a 429) carries anthropic-ratelimit-{requests,tokens,input-tokens,
output-tokens}-{remaining,reset} (reset: an RFC 3339 time). When one of the remaining budgets
is 0, the latest of those resets is stored per provider and model (ratelimit:{<provider>:
<model>}:until), and every attempt first waits for it, on every worker, instead of firing into
a 429: up to LLM_RETRY_MAX_DELAY; a longer wait fails at once with upstream_rate_limited and
Retry-After, costing no call. A 429's retry-after / retry-after-ms counts the same way.

The SDK itself reads none of these headers (docs: anthropic-wire.md).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from optimizer import redis_client
from optimizer.llm.errors import LLMError
from optimizer.redis_client import REDIS_ERRORS

logger = logging.getLogger(__name__)

T = TypeVar("T")

BUDGETS = ("requests", "tokens", "input-tokens", "output-tokens")


def _now() -> float:
    return time.time()


def exhausted_until(headers: Any) -> float | None:
    """The unix time when an exhausted budget (remaining 0) refills, or None: budget left."""
    if headers is None:
        return None
    until: float | None = None
    for budget in BUDGETS:
        remaining = headers.get(f"anthropic-ratelimit-{budget}-remaining")
        reset = headers.get(f"anthropic-ratelimit-{budget}-reset")
        if remaining is None or reset is None or remaining.strip() != "0":
            continue
        try:
            at = datetime.fromisoformat(reset.strip().replace("Z", "+00:00")).timestamp()
        except ValueError:
            continue
        until = at if until is None else max(until, at)
    return until


def _key(provider: str, model: str) -> str:
    return redis_client.connection().full_key(f"ratelimit:{{{provider}:{model}}}:until")


async def note(provider: str, model: str, until: float | None) -> None:
    """Remember that the upstream's budget is exhausted until `until` (unix time)."""
    if until is None or until <= _now():
        return
    ttl_ms = max(1, int((until - _now()) * 1000))
    try:
        client = redis_client.connection().async_client()
        # GT-like: keep the later of two resets (a plain SET; the window is short either way).
        current = await client.get(_key(provider, model))
        if current is None or float(current) < until:
            await client.set(_key(provider, model), f"{until:.6f}", px=ttl_ms)
    except REDIS_ERRORS as error:
        logger.warning("Could not store the upstream rate limit: %s", error)
        return
    logger.warning(
        "Upstream rate limit exhausted for %s/%s: calls wait %.2f s",
        provider,
        model,
        until - _now(),
    )


class Pacer:
    """The rate-limit waits of one request's attempts (one per request, across its retries)."""

    def __init__(
        self,
        provider: str,
        model: str,
        max_wait: float,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.provider = provider
        self.model = model
        self.max_wait = max_wait
        self.sleep = sleep
        # A reset the retry loop already sleeps until (a 429's retry-after): not waited twice.
        self.covered_until = 0.0

    async def wait_turn(self) -> float:
        """Before an upstream attempt: wait until the shared reset, if any. Returns seconds
        waited; raises upstream_rate_limited when the reset is further away than max_wait."""
        try:
            raw = (
                await redis_client.connection().async_client().get(_key(self.provider, self.model))
            )
        except REDIS_ERRORS:
            return 0.0
        if raw is None or float(raw) <= self.covered_until + 0.001:  # (stored to the µs)
            return 0.0
        wait = float(raw) - _now()
        if wait <= 0:
            return 0.0
        if wait > self.max_wait:
            raise LLMError(
                f"The LLM upstream's rate limit is exhausted for {wait:.0f} s more, longer than "
                f"the {self.max_wait:g} s we wait (LLM_RETRY_MAX_DELAY)",
                code="upstream_rate_limited",
                retry_after=wait,
            )
        logger.info("Waiting %.2f s for the upstream rate limit to reset", wait)
        await self.sleep(wait)
        return wait

    async def attempt(self, func: Callable[[], Awaitable[T]]) -> T:
        """One attempt, after the shared wait; a rate limit it meets is shared with the rest."""
        await self.wait_turn()
        try:
            return await func()
        except LLMError as error:
            until = error.limited_until
            if error.status == 429 and error.retry_after:
                self.covered_until = _now() + error.retry_after
                until = max(until or 0.0, self.covered_until)
            await note(self.provider, self.model, until)
            raise
