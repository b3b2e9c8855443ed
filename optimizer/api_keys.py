"""API keys: who is calling (auth, a per-worker key memory) and how often (the rate limit).

    @require_key()          Authorization: Bearer <key> or X-API-Key: <key>; 401/403; 429

The hot path (a cache hit on POST /api/v1/generate) costs no DB query and one Redis round trip
here: a key's record is remembered in-process for API_KEY_CACHE_SECONDS, and the rate-limit
counter, the usage counter and the once-a-minute flush claim go out in one pipeline.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from optimizer import redis_client
from optimizer.background import in_background
from optimizer.decorators import ApiError, View
from optimizer.models import ApiKey, hash_api_key
from optimizer.redis_client import REDIS_ERRORS, RedisBusy

if TYPE_CHECKING:
    from optimizer.http import ApiRequest

logger = logging.getLogger(__name__)

# Keys are "ats_" + 43 characters; anything much longer is not a key (and is not hashed).
MAX_KEY_LENGTH = 200
# request_count/last_used_at are written at most once per this many seconds per key.
USAGE_FLUSH_SECONDS = 60
_KEY_CACHE_MAX_ENTRIES = 1024


@dataclass(frozen=True)
class KeyInfo:
    """What a view needs to know about the caller's key (never the key itself)."""

    id: int
    name: str
    is_admin: bool
    # The key's own budgets as set in the admin (None: the API_KEY_* default; 0: no limit),
    # read with the key so that a streamed miss asks the database nothing (optimizer/llm/budget.py).
    daily_budget_usd: float | None = None
    monthly_budget_usd: float | None = None


# key hash -> (valid until, monotonic clock; KeyInfo). Per worker; bounded; cleared on any change.
_known_keys: dict[str, tuple[float, KeyInfo]] = {}
# key id -> the same entries, for what knows the key by its id only (the budgets).
_known_ids: dict[int, tuple[float, KeyInfo]] = {}
# key hash -> the lookup under way.
_lookups: dict[str, asyncio.Task[KeyInfo | None]] = {}


@receiver(post_save, sender=ApiKey)
@receiver(post_delete, sender=ApiKey)
def _forget_known_keys(**kwargs: Any) -> None:
    # A revocation (or a new budget) in this process applies at once; other workers see it
    # within the TTL.
    _known_keys.clear()
    _known_ids.clear()


def remembered(key_id: int) -> KeyInfo | None:
    """The key with this id as this worker last read it, if that was under
    API_KEY_CACHE_SECONDS ago (it authenticated a request then)."""
    known = _known_ids.get(key_id)
    return known[1] if known is not None and known[0] > time.monotonic() else None


def raw_key_from(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return request.headers.get("X-API-Key", "").strip() or None


async def authenticate(request: HttpRequest) -> KeyInfo:
    raw = raw_key_from(request)
    challenge = {"WWW-Authenticate": 'Bearer realm="api"'}
    if raw is None:
        raise ApiError(
            401,
            "missing_api_key",
            "An API key is required: send Authorization: Bearer <key> or X-API-Key: <key>",
            headers=challenge,
        )
    invalid = ApiError(401, "invalid_api_key", "The API key is not valid", headers=challenge)
    if len(raw) > MAX_KEY_LENGTH:
        raise invalid
    key_hash = hash_api_key(raw)
    now = time.monotonic()
    known = _known_keys.get(key_hash)
    if known is not None and known[0] > now:
        return known[1]
    info = await _lookup(key_hash)
    if info is None:
        raise invalid
    if len(_known_keys) >= _KEY_CACHE_MAX_ENTRIES:
        _known_keys.clear()
        _known_ids.clear()
    _known_keys[key_hash] = _known_ids[info.id] = (now + settings.API_KEY_CACHE_SECONDS, info)
    return info


async def _lookup(key_hash: str) -> KeyInfo | None:
    """The key's record, one query however many requests ask for it at once.

    The query runs as its own task in a fresh context (the process-wide sync thread, one
    database connection), so a burst of 200 requests with one new key makes one query on one
    connection, and a caller that goes away does not cancel it for the others.
    """
    loop = asyncio.get_running_loop()
    pending = _lookups.get(key_hash)
    if pending is None or pending.get_loop() is not loop:
        pending = loop.create_task(_query(key_hash), context=contextvars.Context())
        _lookups[key_hash] = pending
        pending.add_done_callback(lambda _: _lookups.pop(key_hash, None))
    return await asyncio.shield(pending)


async def _query(key_hash: str) -> KeyInfo | None:
    row = (
        await ApiKey.objects.filter(key_hash=key_hash, revoked_at__isnull=True)
        .values_list("id", "name", "is_admin", "daily_budget_usd", "monthly_budget_usd")
        .afirst()
    )
    if row is None:
        return None
    key_id, name, is_admin, daily, monthly = row
    return KeyInfo(key_id, name, is_admin, _usd(daily), _usd(monthly))


def _usd(amount: Any) -> float | None:
    return None if amount is None else float(amount)


def _counter_key(key_id: int, name: str) -> str:
    # One hash tag per API key: on a Redis Cluster its counters share a slot, so
    # count_request()'s pipeline is one round trip to one node.
    return redis_client.connection().full_key(f"api:{{key:{key_id}}}:{name}")


async def count_request(key: KeyInfo) -> None:
    """Count the request for the key's rate limit and usage; ApiError 429 over the limit.

    One pipelined round trip (RateCount): INCR of the per-minute window key (fixed windows,
    shared by all workers; the window's first request sets its EXPIRE), INCR of the key's
    unflushed request count, and SET NX of a once-a-minute flush claim. The request that wins
    the claim writes the count and last_used_at to the database in the background, so the
    database sees at most one write per key per minute. If Redis is down the request is let
    through (fail open, logged), never a 500; if Redis is up but every pooled connection stays
    busy (RedisBusy) it is refused with a 503 "busy" and Retry-After (fail closed: a burst is
    never let through unchecked).
    """
    await RateCount(key).send()


class RateCount:
    """One request's count for its key's rate limit and usage: sent on its own (send()), or
    riding on the request's first Redis round trip (queue() its commands on that pipeline,
    then settle() its replies). POST /api/v1/generate rides on the cache lookup, so that a
    cache hit costs one round trip, not two (optimizer/llm/cache.py, get_by_key)."""

    def __init__(self, key: KeyInfo) -> None:
        self.key = key
        self.settled = False
        self._limit = settings.API_RATE_LIMIT_PER_MINUTE
        self._now = time.time()
        self._window = int(self._now // 60)
        self._window_key = _counter_key(key.id, f"rate:{self._window}")

    def queue(self, pipe: Any) -> None:
        pipe.incr(_counter_key(self.key.id, "usage"))
        pipe.set(_counter_key(self.key.id, "usage-flush"), 1, nx=True, ex=USAGE_FLUSH_SECONDS)
        if self._limit:
            pipe.incr(self._window_key)

    async def settle(self, replies: list[Any]) -> None:
        """Read this count's replies (from queue()'s commands, in order): ApiError 429 over
        the limit."""
        self.settled = True
        if self._limit and replies[2] == 1:
            # The window's first request gives it its expiry: once a minute per key, not a
            # command on every request.
            await self._expire_window()
        if replies[1]:
            in_background(flush_usage(self.key.id))
        if self._limit and int(replies[2]) > self._limit:
            retry_after = max(1, math.ceil((self._window + 1) * 60 - self._now))
            raise ApiError(
                429,
                "rate_limited",
                f"Rate limit exceeded: {self._limit} requests per minute for this key. "
                f"Retry in {retry_after} s.",
                headers={"Retry-After": str(retry_after)},
            )

    async def send(self) -> None:
        """The count in its own round trip."""
        try:
            async with redis_client.connection().async_client().pipeline(transaction=False) as pipe:
                self.queue(pipe)
                replies = await pipe.execute()
        except RedisBusy as failure:
            # Saturated: refuse (fail closed) rather than let a burst through unchecked.
            self.settled = True
            logger.warning("Rate limit not checked for key %s: %s", self.key.id, failure)
            raise ApiError(
                503,
                "busy",
                "The service is busy right now; retry in a moment",
                headers={"Retry-After": "1"},
            ) from None
        except REDIS_ERRORS as failure:
            # Redis is away: let the request through (fail open, logged), as documented.
            self.settled = True
            logger.warning(
                "Rate limit not checked for key %s (cache unavailable: %s)", self.key.id, failure
            )
            return
        await self.settle(replies)

    async def _expire_window(self) -> None:
        try:
            await redis_client.connection().async_client().expire(self._window_key, 120)
        except REDIS_ERRORS as failure:
            logger.warning("Rate window of key %s left without expiry: %s", self.key.id, failure)


async def flush_usage(key_id: int) -> int:
    """Move the key's counted requests from Redis into ApiKey.request_count/last_used_at."""
    redis = redis_client.connection()
    try:
        count = int(await redis.async_client().getdel(_counter_key(key_id, "usage")) or 0)
    except REDIS_ERRORS as failure:
        logger.warning("Could not flush usage of key %s: %s", key_id, failure)
        return 0
    if count:
        await ApiKey.objects.filter(pk=key_id).aupdate(
            request_count=F("request_count") + count, last_used_at=timezone.now()
        )
    return count


def require_key(*, admin: bool = False, count_with_lookup: bool = False) -> Callable[[View], View]:
    """Sets request.api_key (KeyInfo). 401 without a valid key, 403 for non-admin on admin views.

    count_with_lookup: the view passes request.rate_count (RateCount) to the pipeline, whose
    cache lookup sends it (one round trip for a hit); a request that ends before (a 400) is
    counted here, and over the limit its answer is the 429, as it would have been first."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        async def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            key = await authenticate(request)
            if admin and not key.is_admin:
                raise ApiError(403, "forbidden", "This endpoint needs an admin API key")
            api_request = cast("ApiRequest", request)
            api_request.api_key = key
            if not count_with_lookup:
                await count_request(key)
                return await view(request, *args, **kwargs)
            rate = api_request.rate_count = RateCount(key)
            try:
                response = await view(request, *args, **kwargs)
            except ApiError:
                if not rate.settled:
                    await rate.send()
                raise
            if not rate.settled:
                await rate.send()
            return response

        return wrapper

    return decorate
