"""Daily spend budgets in USD, per API key and for the whole site, shared through Redis.

Before an upstream call the request's worst-case cost (its prompt at ~3 characters a token, plus
max_tokens of output, at the model's price) is reserved with INCRBY on each budget that applies;
if that takes a budget over its limit the reservation is undone and the request is refused with
budget_exceeded (a 429 with the reset time: the next UTC midnight), without a call. After the
call the reservation is settled to the real cost (0 for a failure). Because INCRBY is atomic,
concurrent requests cannot spend past a limit together. Cache hits never ask: they cost nothing.

API_KEY_DAILY_BUDGET_USD and SITE_DAILY_BUDGET_USD (0 = no limit). Keys, in micro-USD:
budget:{site}:<date> and budget:{key:<id>}:<date> (one hash tag each), kept two days.
A model with no known price reserves nothing (it cannot be estimated); a Redis outage lets the
call through (logged).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings

from optimizer import redis_client
from optimizer.llm.client import LLMRequest
from optimizer.llm.errors import LLMError
from optimizer.llm.pricing import cost_usd
from optimizer.redis_client import REDIS_ERRORS

logger = logging.getLogger(__name__)

CODE = "budget_exceeded"
MICRO = 1_000_000
_KEEP_SECONDS = 2 * 86400
CHARS_PER_TOKEN = 3  # a conservative estimate: English prose is about 4


class BudgetExceeded(LLMError):
    pass


@dataclass
class Reservation:
    amount: int = 0  # micro-USD reserved on each key below
    keys: list[str] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


def _limits(api_key_id: int | None) -> list[tuple[str, str, float]]:
    """(Redis key, name, limit in USD) of each budget that applies today."""
    day = _now().date().isoformat()
    redis = redis_client.connection()
    limits = []
    if settings.SITE_DAILY_BUDGET_USD > 0:
        limits.append(
            (redis.full_key(f"budget:{{site}}:{day}"), "site", settings.SITE_DAILY_BUDGET_USD)
        )
    if api_key_id is not None and settings.API_KEY_DAILY_BUDGET_USD > 0:
        limits.append(
            (
                redis.full_key(f"budget:{{key:{api_key_id}}}:{day}"),
                "API key",
                settings.API_KEY_DAILY_BUDGET_USD,
            )
        )
    return limits


def estimate_usd(request: LLMRequest) -> float | None:
    """The most this call can cost: the whole prompt uncached, max_tokens of output."""
    prompt_tokens = (len(request.system_prompt) + len(request.prompt)) // CHARS_PER_TOKEN + 1
    return cost_usd(request.model, prompt_tokens, request.max_tokens)


def _reset_in() -> float:
    now = _now()
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    return (midnight - now).total_seconds()


async def reserve(request: LLMRequest, api_key_id: int | None) -> Reservation:
    """Reserve the call's estimated cost on each budget, or raise BudgetExceeded."""
    limits = _limits(api_key_id)
    estimate = estimate_usd(request) if limits else None
    if not limits or estimate is None:
        return Reservation()
    amount = max(1, round(estimate * MICRO))
    client = redis_client.connection().async_client()
    taken: list[str] = []
    try:
        for key, name, limit in limits:
            async with client.pipeline(transaction=False) as pipe:
                pipe.incrby(key, amount)
                pipe.expire(key, _KEEP_SECONDS)
                spent, _ = await pipe.execute()
            taken.append(key)
            if int(spent) > round(limit * MICRO):
                await _undo(taken, amount)
                reset = _reset_in()
                raise BudgetExceeded(
                    f"The {name}'s daily LLM budget of ${limit:g} is spent (this request may "
                    f"cost up to ${estimate:.4f}); it resets at 00:00 UTC, in {reset:.0f} s",
                    code=CODE,
                    retry_after=reset,
                )
    except REDIS_ERRORS as error:
        logger.warning("Budgets unreadable (%s): letting the call through", error)
        await _undo(taken, amount)
        return Reservation()
    return Reservation(amount, taken)


async def _undo(keys: list[str], amount: int) -> None:
    try:
        async with redis_client.connection().async_client().pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.decrby(key, amount)
            await pipe.execute()
    except REDIS_ERRORS as error:
        logger.warning("Could not release a budget reservation: %s", error)


async def settle(reservation: Reservation, actual_usd: float | None) -> None:
    """Replace the reservation with what the call really cost (None or a failure: 0)."""
    if not reservation.keys:
        return
    actual = round((actual_usd or 0.0) * MICRO)
    await _undo(reservation.keys, reservation.amount - actual)


async def spent_today(api_key_id: int | None = None) -> float:
    """USD spent (and reserved) today by one API key, or by the site with None."""
    day = _now().date().isoformat()
    tag = "site" if api_key_id is None else f"key:{api_key_id}"
    key = redis_client.connection().full_key(f"budget:{{{tag}}}:{day}")
    try:
        raw = await redis_client.connection().async_client().get(key)
    except REDIS_ERRORS:
        return 0.0
    return int(raw or 0) / MICRO
