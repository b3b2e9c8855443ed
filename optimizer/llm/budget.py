"""Daily and monthly spend budgets in USD, per API key and for the whole site, shared through Redis.

Before an upstream call the request's worst-case cost (its prompt at ~3 characters a token, plus
max_tokens of output, at the model's price) is reserved with INCRBY on each budget that applies;
if that takes a budget over its limit the reservation is undone and the request is refused with
budget_exceeded (a 429 naming the budget, with its reset time: the next UTC midnight for a daily
budget, the 1st of the next month 00:00 UTC for a monthly one), without a call. After the call
the reservation is settled to the real cost (0 for a failure). Because INCRBY is atomic,
concurrent requests cannot spend past a limit together. Cache hits never ask: they cost nothing.

API_KEY_DAILY_BUDGET_USD, API_KEY_MONTHLY_BUDGET_USD, SITE_DAILY_BUDGET_USD and
SITE_MONTHLY_BUDGET_USD (0 = no limit). Keys, in micro-USD: budget:{site}:<YYYY-MM-DD> and
budget:{key:<id>}:<YYYY-MM-DD>, kept two days; budget:{site}:<YYYY-MM> and
budget:{key:<id>}:<YYYY-MM>, kept 32 days (one hash tag per owner).
An API key's daily_budget_usd / monthly_budget_usd (the admin) replace the API_KEY_* defaults
for that key: empty = the default, 0 = no limit.
The web page's requests also count on WEB_DAILY_BUDGET_USD (budget:{web}:<date>) and, per
browser session, WEB_SESSION_DAILY_BUDGET_USD (budget:{session:<sha256 of its key>}:<date>).
A model with no known price reserves nothing (it cannot be estimated); a Redis outage lets the
call through (logged).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings

from optimizer import api_keys, redis_client
from optimizer.llm.client import LLMRequest
from optimizer.llm.errors import LLMError
from optimizer.llm.pricing import cost_usd
from optimizer.models import ApiKey, key_limit_usd
from optimizer.redis_client import REDIS_ERRORS

logger = logging.getLogger(__name__)

CODE = "budget_exceeded"
MICRO = 1_000_000
DAILY, MONTHLY = "daily", "monthly"
# A counter outlives its period a little (a late settle still finds it), then expires.
_KEEP_SECONDS = {DAILY: 2 * 86400, MONTHLY: 32 * 86400}
CHARS_PER_TOKEN = 3  # a conservative estimate: English prose is about 4


class BudgetExceeded(LLMError):
    pass


@dataclass(frozen=True)
class Budget:
    """One limit that applies to a request: whose ("site", "API key"...), which period."""

    owner: str
    period: str  # DAILY or MONTHLY
    key: str  # the Redis counter, in micro-USD
    limit_usd: float


@dataclass
class Reservation:
    amount: int = 0  # micro-USD reserved on each key below
    keys: list[str] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


def counter_key(tag: str, period: str, now: datetime | None = None) -> str:
    """The Redis key of tag's ("site", "key:7") counter for the period that contains now."""
    now = now or _now()
    stamp = now.date().isoformat() if period == DAILY else f"{now:%Y-%m}"
    return redis_client.connection().full_key(f"budget:{{{tag}}}:{stamp}")


def reset_at(period: str, now: datetime | None = None) -> datetime:
    """When the period that contains now ends: the next midnight, or the next 1st, in UTC."""
    now = now or _now()
    if period == DAILY:
        return datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def session_tag(session_key: str) -> str:
    # Hashed: a session key is a credential, and Redis keys show up in the admin and in logs.
    return "session:" + hashlib.sha256(session_key.encode()).hexdigest()[:32]


async def _limits(api_key_id: int | None, page_session: str | None) -> list[Budget]:
    """Each budget that applies to this request now (a limit of 0 is none). An API key's own
    limits (set in the admin) replace the API_KEY_* defaults; page_session (a web page's
    request, with its browser session's key) adds the page's own budgets."""
    wanted = [
        ("site", "site", DAILY, settings.SITE_DAILY_BUDGET_USD),
        ("site", "site", MONTHLY, settings.SITE_MONTHLY_BUDGET_USD),
    ]
    if page_session is not None:
        wanted.append(("web", "web page", DAILY, settings.WEB_DAILY_BUDGET_USD))
        if page_session:
            wanted.append(
                (
                    session_tag(page_session),
                    "browser session",
                    DAILY,
                    settings.WEB_SESSION_DAILY_BUDGET_USD,
                )
            )
    if api_key_id is not None:
        daily, monthly = await _key_limits(api_key_id)
        wanted += [
            (f"key:{api_key_id}", "API key", DAILY, daily),
            (f"key:{api_key_id}", "API key", MONTHLY, monthly),
        ]
    now = _now()
    return [
        Budget(owner, period, counter_key(tag, period, now), float(limit))
        for tag, owner, period, limit in wanted
        if limit > 0
    ]


async def _key_limits(api_key_id: int) -> tuple[float, float]:
    """The key's daily and monthly limits: its own, else the API_KEY_* defaults. The key that
    authenticated this request is in the worker's memory (api_keys.remembered): a streamed miss
    through the API then waits for no database query before its upstream call (100 at once
    queued ~5 ms each on the one sync thread). A job run elsewhere (a Celery worker) reads the
    key from the database."""
    known = api_keys.remembered(api_key_id)
    daily: Decimal | float | None
    monthly: Decimal | float | None
    if known is not None:
        daily, monthly = known.daily_budget_usd, known.monthly_budget_usd
    else:
        row = (
            await ApiKey.objects.filter(pk=api_key_id)
            .values_list("daily_budget_usd", "monthly_budget_usd")
            .afirst()
        )
        daily, monthly = row if row is not None else (None, None)
    return (
        key_limit_usd(daily, settings.API_KEY_DAILY_BUDGET_USD),
        key_limit_usd(monthly, settings.API_KEY_MONTHLY_BUDGET_USD),
    )


def estimate_usd(request: LLMRequest) -> float | None:
    """The most this call can cost: the whole prompt uncached, max_tokens of output."""
    prompt_tokens = (len(request.system_prompt) + len(request.prompt)) // CHARS_PER_TOKEN + 1
    return cost_usd(request.model, prompt_tokens, request.max_tokens)


def _refusal(budget: Budget, estimate: float) -> BudgetExceeded:
    now = _now()
    reset = reset_at(budget.period, now)
    seconds = (reset - now).total_seconds()
    when = "at 00:00 UTC" if budget.period == DAILY else f"at 00:00 UTC on {reset:%Y-%m-%d}"
    return BudgetExceeded(
        f"The {budget.owner}'s {budget.period} LLM budget of ${budget.limit_usd:g} is spent "
        f"(this request may cost up to ${estimate:.4f}); it resets {when}, in {seconds:.0f} s",
        code=CODE,
        retry_after=seconds,
    )


async def reserve(
    request: LLMRequest, api_key_id: int | None, *, page_session: str | None = None
) -> Reservation:
    """Reserve the call's estimated cost on each budget, or raise BudgetExceeded.
    page_session: a web page's request, with its browser session's key ("" for none)."""
    limits = await _limits(api_key_id, page_session)
    estimate = estimate_usd(request) if limits else None
    if not limits or estimate is None:
        return Reservation()
    amount = max(1, round(estimate * MICRO))
    taken = [budget.key for budget in limits]
    try:
        # Every budget in one round trip: reserved on all, then undone on all if one is over.
        async with redis_client.connection().async_client().pipeline(transaction=False) as pipe:
            for budget in limits:
                pipe.incrby(budget.key, amount)
                pipe.expire(budget.key, _KEEP_SECONDS[budget.period])
            replies = await pipe.execute()
    except REDIS_ERRORS as error:
        # Nothing to undo that is known to be taken: a reservation whose reply was lost stays
        # counted (too much, never too little) until its counter expires.
        logger.warning("Budgets unreadable (%s): letting the call through", error)
        return Reservation()
    for budget, spent in zip(limits, replies[::2], strict=True):
        if int(spent) > round(budget.limit_usd * MICRO):
            await _undo(taken, amount)
            raise _refusal(budget, estimate)
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


async def record(
    api_key_id: int | None, amount_usd: float | None, *, page_session: str | None = None
) -> None:
    """Count spend that had no reservation on each budget that applies, never refusing it: a
    Message Batches answer (optimizer/batches.py), paid for when Anthropic wrote it."""
    amount = round((amount_usd or 0.0) * MICRO)
    if amount <= 0:
        return
    try:
        limits = await _limits(api_key_id, page_session)
        async with redis_client.connection().async_client().pipeline(transaction=False) as pipe:
            for budget in limits:
                pipe.incrby(budget.key, amount)
                pipe.expire(budget.key, _KEEP_SECONDS[budget.period])
            await pipe.execute()
    except REDIS_ERRORS as error:
        logger.warning("Could not count a Message Batches answer on the budgets: %s", error)


async def spent(api_key_id: int | None = None, period: str = DAILY) -> float:
    """USD spent (and reserved) this day or month by one API key, or by the site with None."""
    tag = "site" if api_key_id is None else f"key:{api_key_id}"
    try:
        raw = await redis_client.connection().async_client().get(counter_key(tag, period))
    except REDIS_ERRORS:
        return 0.0
    return int(raw or 0) / MICRO


async def spent_today(api_key_id: int | None = None) -> float:
    """USD spent (and reserved) today by one API key, or by the site with None."""
    return await spent(api_key_id, DAILY)


@dataclass(frozen=True)
class Spend:
    today_usd: float
    month_usd: float


def spend_of_keys(api_key_ids: list[int]) -> dict[int, Spend] | None:
    """Today's and this month's spend (and reservations) of each API key, read from Redis in
    one round trip (a pipeline of GETs: the keys live in different cluster slots, so no MGET).
    None when Redis cannot be read. Sync: for the admin."""
    if not api_key_ids:
        return {}
    now = _now()
    names = [
        counter_key(f"key:{pk}", period, now) for pk in api_key_ids for period in (DAILY, MONTHLY)
    ]
    try:
        pipe = redis_client.connection().sync_client().pipeline(transaction=False)
        for name in names:
            pipe.get(name)
        values = pipe.execute()
    except REDIS_ERRORS as error:
        logger.warning("Budgets unreadable for the admin: %s", error)
        return None
    micro = [int(value or 0) for value in values]
    return {
        pk: Spend(micro[2 * i] / MICRO, micro[2 * i + 1] / MICRO)
        for i, pk in enumerate(api_key_ids)
    }
