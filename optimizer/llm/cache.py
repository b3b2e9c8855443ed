"""LLM response cache (the seed's LLMCache) over Django's cache framework and django-redis.

Django's cache framework is the store of record: writes, deletes and pattern clears go through
django-redis. The hot read (a cache hit) goes through redis-py's asyncio client on the same keys
and the same JSON encoding, because Django's async cache methods run the sync call in a worker
thread, which costs more than the whole rest of a hit.

Keys: key_prefix + SHA-256 of a canonical encoding of (prompt, system_prompt, model, max_tokens,
temperature, provider): sorted-key JSON, Unicode NFC, whitespace runs collapsed and trimmed, so requests
that differ only in whitespace share an entry.

A Redis outage turns every call into a logged miss (or a no-op), never an exception, and the
cache stops trying for `retry_interval` seconds so that a dead server does not slow every request.
A saturated pool (RedisBusy) is not an outage: get_by_key() raises it, so that a burst never
sends requests upstream for answers that are cached.
"""

from __future__ import annotations

import asyncio
import fnmatch
import functools
import hashlib
import json
import logging
import time
import unicodedata
from typing import Any, Protocol

import redis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import BaseCache

from optimizer import jsonio, redis_client
from optimizer.redis_client import REDIS_ERRORS, RedisBusy

logger = logging.getLogger(__name__)

# Counting entries exactly costs a SCAN over every key; past this many keys in the database
# get_stats() estimates from a sample instead: health answered in 0.4 s at 100,000 entries
# with the full count, 10 ms with the estimate.
EXACT_COUNT_LIMIT = 50_000
COUNT_SAMPLE = 2_000

# Per-minute buckets for the admin's live dashboard (optimizer/cache_dashboard.py): one hash per
# minute under the stats hash tag, {lookups, misses, saved_usd, lat:<bound>...}, kept a little
# over an hour. Written in the same round trip as the counter each lookup already bumps.
MINUTE_BUCKET_SECONDS = 3900
# Upstream latency histogram bounds (ms), Prometheus-style: a call is counted in the first
# bucket whose bound it does not exceed; p50/p95 are interpolated within a bucket.
LATENCY_BOUNDS_MS = (250, 500, 1000, 2000, 3000, 5000, 7500, 10000, 15000, 20000, 30000, 60000)

# add_saving(): how long a saving may wait for a lookup to carry it before its own write.
SAVING_FLUSH_SECONDS = 1.0
_flushes: set[asyncio.Future[None]] = set()  # keep flush tasks referenced until done


class Rider(Protocol):
    """Commands of another concern that ride on the lookup's round trip (api_keys.RateCount)."""

    def queue(self, pipe: Any) -> None: ...

    async def settle(self, replies: list[Any]) -> None: ...


def current_minute() -> int:
    """Unix time in minutes: the dashboard buckets' clock (one place, so tests can hold it)."""
    return int(time.time() // 60)


def _canonical(value: Any) -> Any:
    return _canonical_text(value) if isinstance(value, str) else value


@functools.lru_cache(maxsize=256)
def _canonical_text(text: str) -> str:
    # Remembered: the repeats of one request, the point of a cache, each spent ~40 us of their
    # ~1 ms collapsing the whitespace of the same prompt again.
    return " ".join(unicodedata.normalize("NFC", text).split())


def cache_key(
    prompt: str,
    system_prompt: str,
    model: str,
    max_tokens: int,
    temperature: float | None,
    key_prefix: str = "llm:",
    *,
    provider: str = "anthropic",
    variant: str = "",
) -> str:
    # The provider is part of the key: a local server's "llama3.1" and a hosted one's, or a
    # model name two providers share, are different answers.
    payload: dict[str, Any] = {
        "max_tokens": max_tokens,
        "model": _canonical(model),
        "provider": provider,
        "prompt": _canonical(prompt),
        "system_prompt": _canonical(system_prompt),
        "temperature": None if temperature is None else float(temperature),
    }
    if variant:
        # A prompt experiment's variant (optimizer/experiments.py): only when there is one, so
        # the keys of requests outside an experiment stay what they were.
        payload["variant"] = variant
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return key_prefix + hashlib.sha256(encoded.encode()).hexdigest()


def text_of(key: bytes | str) -> str:
    """A Redis key as text (clients return bytes unless decode_responses is on)."""
    return key.decode(errors="replace") if isinstance(key, bytes) else key


class LLMCache:
    def __init__(
        self,
        redis_url: str | None = None,
        ttl_seconds: int | None = None,
        key_prefix: str = "llm:",
        cache_alias: str = "default",
        retry_interval: float = 2.0,
    ) -> None:
        # redis_url=None: the project's Redis (settings.CACHES[cache_alias]), embedded or real,
        # on the same connections as the job log and the rate limiter.
        self.redis_url = redis_url
        self.ttl_seconds = ttl_seconds if ttl_seconds is not None else settings.CACHE_TTL_SECONDS
        self.key_prefix = key_prefix
        self.cache_alias = cache_alias
        self.retry_interval = retry_interval
        # The stats keys share one hash tag, hence one slot on a Redis Cluster: get_stats()
        # reads them in one MGET, and a lookup's pipeline touches at most two nodes (the
        # entry's and the stats'), which redis-py's cluster pipeline asks in parallel.
        self.stats_prefix = "{" + key_prefix.rstrip(":") + "_stats}:"
        if redis_url is None and cache_alias == "default":
            self.redis = redis_client.connection()
        else:
            self.redis = redis_client.RedisConnection(redis_url, cache_alias)
        self._down_until = 0.0
        # Savings of pipeline hits not yet written: they ride on the next lookup's round trip
        # (see add_saving), or are flushed SAVING_FLUSH_SECONDS later when no lookup comes.
        self._pending_saved = 0.0
        self._flush_timer: asyncio.TimerHandle | None = None
        # The minute bucket this process already gave its expiry: the hit path sends EXPIRE
        # once a minute, not on every lookup (it cost a fifth of a hit's time on this machine).
        self._expiring_minute = ""
        self._flush_loop: asyncio.AbstractEventLoop | None = None

    # -- plumbing ----------------------------------------------------------------------------

    @property
    def store(self) -> BaseCache:
        """The Django cache backend that holds the entries."""
        return self.redis.store

    def _is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _mark_down(self, operation: str, error: BaseException) -> None:
        self._down_until = time.monotonic() + self.retry_interval
        logger.warning("Cache unavailable during %s (%s): treating as a miss", operation, error)

    def full_key(self, key: str) -> str:
        """The Redis key django-redis uses for our key (KEY_PREFIX and version applied)."""
        return self.redis.full_key(key)

    def _stat_key(self, name: str) -> str:
        return self.full_key(self.stats_prefix + name)

    def minute_key(self, minute: int | None = None) -> str:
        """The Redis key of one minute's bucket (minute: Unix time // 60; default now)."""
        if minute is None:
            minute = current_minute()
        return self._stat_key(f"m:{minute}")

    def entry_pattern(self) -> str:
        """The SCAN MATCH pattern for our entries (Redis keys, KEY_PREFIX and version applied)."""
        return self.full_key(self.key_prefix) + "*"

    def make_key(
        self,
        prompt: str,
        system_prompt: str,
        model: str,
        max_tokens: int,
        temperature: float | None,
        *,
        provider: str = "anthropic",
        variant: str = "",
    ) -> str:
        return cache_key(
            prompt,
            system_prompt,
            model,
            max_tokens,
            temperature,
            self.key_prefix,
            provider=provider,
            variant=variant,
        )

    # -- the seed's API ----------------------------------------------------------------------

    async def connect(self) -> bool:
        """Check that the store answers. Returns False (and logs) when it does not."""
        try:
            await self.redis.async_client().ping()
        except REDIS_ERRORS as error:
            self._mark_down("connect", error)
            return False
        self._down_until = 0.0
        return True

    async def get(
        self,
        prompt: str,
        system_prompt: str,
        model: str,
        max_tokens: int,
        temperature: float | None,
    ) -> dict[str, Any] | None:
        return await self.get_by_key(
            self.make_key(prompt, system_prompt, model, max_tokens, temperature)
        )

    async def get_by_key(self, key: str, rider: Rider | None = None) -> dict[str, Any] | None:
        """The hot path: GET, the lookup counter and pending savings in one round trip (on a
        cluster, one per node touched, in parallel: the entry's node and the stats' node).

        rider: another part of the request's commands on the same round trip (its API key's
        rate count); settled with its replies, which may refuse the request (raises). When
        the lookup does not reach Redis, the rider is left unsettled for its owner to send."""
        if self._is_down():
            return None
        saved, self._pending_saved = self._pending_saved, 0.0
        minute = self.minute_key()
        try:
            async with self.redis.async_client().pipeline(transaction=False) as pipe:
                pipe.get(self.full_key(key))
                pipe.incr(self._stat_key("lookups"))
                # The dashboard's per-minute figures: same pipeline, so no extra round trip.
                pipe.hincrby(minute, "lookups", 1)
                if minute != self._expiring_minute:
                    pipe.expire(minute, MINUTE_BUCKET_SECONDS)
                if saved:
                    pipe.incrbyfloat(self._stat_key("saved_usd"), saved)
                    pipe.hincrbyfloat(minute, "saved_usd", saved)
                ours = len(pipe)
                if rider is not None:
                    rider.queue(pipe)
                replies = await pipe.execute()
            raw = replies[0]
            self._expiring_minute = minute
        except RedisBusy:
            # Saturated, not down: the caller answers "busy" rather than paying upstream for
            # an answer that may well be cached, and the cache is not marked down for others.
            self._pending_saved += saved
            raise
        except REDIS_ERRORS as error:
            self._pending_saved += saved
            self._mark_down("get", error)
            return None
        if rider is not None:
            await rider.settle(replies[ours:])
        if raw is None:
            await self._count("misses")
            return None
        try:
            value = jsonio.loads(raw)
        except ValueError:
            logger.warning("Cache entry %s is not valid JSON: ignoring it", key[:16])
            return None
        logger.info("Cache HIT for key: %s...", key[len(self.key_prefix) :][:8])
        return value if isinstance(value, dict) else None

    async def set(
        self,
        prompt: str,
        system_prompt: str,
        model: str,
        max_tokens: int,
        temperature: float | None,
        response: dict[str, Any],
    ) -> bool:
        return await self.set_by_key(
            self.make_key(prompt, system_prompt, model, max_tokens, temperature), response
        )

    async def set_by_key(
        self, key: str, response: dict[str, Any], ttl_seconds: int | None = None
    ) -> bool:
        """ttl_seconds: this entry's own TTL (a request's X-Cache-TTL), else the cache's."""
        if self._is_down():
            return False
        timeout = ttl_seconds or self.ttl_seconds
        try:
            # The entry as django-redis's JSON serializer stores it (the admin reads it through
            # the Django cache), written with the asyncio client: through the Django cache it
            # took the process's one sync thread, where 100 streams ending at once queued it
            # behind each other and behind their database writes, before their done events.
            value = jsonio.dumps(response)
            await self.redis.async_client().set(self.full_key(key), value, ex=max(1, timeout))
        except REDIS_ERRORS as error:
            self._mark_down("set", error)
            return False
        return True

    async def invalidate(
        self,
        prompt: str,
        system_prompt: str,
        model: str,
        max_tokens: int,
        temperature: float | None,
    ) -> bool:
        return await self.invalidate_key(
            self.make_key(prompt, system_prompt, model, max_tokens, temperature)
        )

    async def invalidate_key(self, key: str) -> bool:
        try:
            return bool(await sync_to_async(self.store.delete)(key))
        except REDIS_ERRORS as error:
            self._mark_down("invalidate", error)
            return False

    async def clear_all(self) -> int:
        """Delete every entry under our prefix (never the whole database). Returns the count."""
        try:
            return int(await sync_to_async(self._clear_sync)())
        except REDIS_ERRORS as error:
            self._mark_down("clear_all", error)
            return 0

    def _clear_sync(self) -> int:
        # SCAN each primary; the deletes go through the main client, which on a cluster
        # splits a batch by slot (one DEL may not span slots, even on one node).
        client = self.redis.sync_client()
        deleted = 0
        for node in self.redis.primaries():
            batch: list[bytes] = []
            for key in node.scan_iter(match=self.entry_pattern(), count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    deleted += client.delete(*batch)
                    batch = []
            if batch:
                deleted += client.delete(*batch)
        return deleted

    async def get_stats(self, count_keys: bool = True) -> dict[str, Any]:
        """{"total_keys", "ttl_seconds", "hits", "misses", "hit_rate", "available", ...}.

        count_keys=False skips counting the entries (see count_entries()).
        """
        stats: dict[str, Any] = {
            "total_keys": 0,
            "ttl_seconds": self.ttl_seconds,
            "hits": 0,
            "misses": 0,
            "hit_rate": 0.0,
            "saved_usd": 0.0,
            "not_cached": 0,
            "available": False,
            "backend": self._backend_name(),
            "key_prefix": self.key_prefix,
        }
        await self.flush_savings()
        try:
            client = self.redis.async_client()
            lookups, misses, saved, not_cached = await client.mget(
                self._stat_key("lookups"),
                self._stat_key("misses"),
                self._stat_key("saved_usd"),
                self._stat_key("not_cached"),
            )
            entries = (
                await sync_to_async(self.count_entries, thread_sensitive=False)()
                if count_keys
                else {"count": 0, "estimated": False}
            )
        except REDIS_ERRORS as error:
            self._mark_down("get_stats", error)
            return stats
        lookups_n, misses_n = int(lookups or 0), int(misses or 0)
        hits = max(lookups_n - misses_n, 0)
        stats.update(
            total_keys=entries["count"],
            total_keys_estimated=entries["estimated"],
            hits=hits,
            misses=misses_n,
            hit_rate=round(hits / lookups_n, 4) if lookups_n else 0.0,
            saved_usd=round(float(saved or 0), 6),
            not_cached=int(not_cached or 0),
            available=True,
        )
        return stats

    def _backend_name(self) -> str:
        if self.redis.embedded:
            return "embedded"
        return "redis-cluster" if self.redis.cluster else "redis"

    def count_entries(self) -> dict[str, Any]:
        """{"count", "estimated", "dbsize"}: our entries, exact by SCAN on databases of up to
        EXACT_COUNT_LIMIT keys, else DBSIZE times our share of one SCAN batch (two round trips
        however large the database is). On a cluster, the sums over its primaries (each one
        exact or estimated by its own size). Sync: the admin calls it; get_stats() from a thread.
        """
        counts = [self._count_on(node) for node in self.redis.primaries()]
        return {
            "count": sum(count["count"] for count in counts),
            "estimated": any(count["estimated"] for count in counts),
            "dbsize": sum(count["dbsize"] for count in counts),
        }

    def _count_on(self, client: redis.Redis) -> dict[str, Any]:
        pattern = self.entry_pattern()
        dbsize = int(client.dbsize())
        if dbsize <= EXACT_COUNT_LIMIT:
            count, cursor = 0, 0
            while True:
                cursor, keys = client.scan(cursor, match=pattern, count=20000)
                count += len(keys)
                if int(cursor) == 0:
                    return {"count": count, "estimated": False, "dbsize": dbsize}
        # One unfiltered SCAN batch is the sample: Redis walks its hash table, whose order is
        # unrelated to key names (RANDOMKEY would do too, but is O(n) on the embedded server).
        _, sample = client.scan(0, count=COUNT_SAMPLE)
        ours = sum(fnmatch.fnmatchcase(text_of(key), pattern) for key in sample)
        count = round(dbsize * ours / len(sample)) if sample else 0
        return {"count": count, "estimated": True, "dbsize": dbsize}

    # -- extras used by the pipeline and the admin -------------------------------------------

    async def record_saving(self, usd: float) -> None:
        """Add what a hit saved (the original call's cost) to the shared counter."""
        if usd <= 0 or self._is_down():
            return
        minute = self.minute_key()
        try:
            async with self.redis.async_client().pipeline(transaction=False) as pipe:
                pipe.incrbyfloat(self._stat_key("saved_usd"), usd)
                pipe.hincrbyfloat(minute, "saved_usd", usd)
                pipe.expire(minute, MINUTE_BUCKET_SECONDS)
                await pipe.execute()
        except REDIS_ERRORS as error:
            self._mark_down("record_saving", error)

    def add_saving(self, usd: float) -> None:
        """record_saving() for the hot path, without a round trip of its own: the amount is
        written with this process's next lookup, or SAVING_FLUSH_SECONDS later if none comes.
        get_stats() in this process flushes first; other processes see it within that delay."""
        if usd <= 0:
            return
        self._pending_saved += usd
        loop = asyncio.get_running_loop()
        if self._flush_timer is None or self._flush_loop is not loop:
            # (A timer of a loop that has since closed never fires: schedule on this one.)
            self._flush_loop = loop
            self._flush_timer = loop.call_later(SAVING_FLUSH_SECONDS, self._flush_later)

    def _flush_later(self) -> None:
        self._flush_timer = None
        if self._pending_saved:
            task = asyncio.ensure_future(self.flush_savings())
            _flushes.add(task)
            task.add_done_callback(_flushes.discard)

    async def flush_savings(self) -> None:
        """Write the savings add_saving() is holding (a no-op when there are none)."""
        saved, self._pending_saved = self._pending_saved, 0.0
        if saved:
            await self.record_saving(saved)

    async def count_not_cached(self) -> None:
        """Count a result that was good enough to return but not to keep (CACHE_MIN_QUALITY)."""
        await self._count("not_cached")

    async def record_upstream_latency(self, latency_ms: float) -> None:
        """Count one finished upstream call in this minute's latency histogram (the dashboard's
        p50/p95): one round trip, after the answer, off the hit path."""
        if self._is_down():
            return
        bound = next((b for b in LATENCY_BOUNDS_MS if latency_ms <= b), "inf")
        minute = self.minute_key()
        try:
            async with self.redis.async_client().pipeline(transaction=False) as pipe:
                pipe.hincrby(minute, f"lat:{bound}", 1)
                pipe.expire(minute, MINUTE_BUCKET_SECONDS)
                await pipe.execute()
        except REDIS_ERRORS as error:
            self._mark_down("stats", error)

    async def _count(self, name: str) -> None:
        """Bump a total and this minute's bucket of it, in one round trip."""
        minute = self.minute_key()
        try:
            async with self.redis.async_client().pipeline(transaction=False) as pipe:
                pipe.incr(self._stat_key(name))
                pipe.hincrby(minute, name, 1)
                pipe.expire(minute, MINUTE_BUCKET_SECONDS)
                await pipe.execute()
        except REDIS_ERRORS as error:
            self._mark_down("stats", error)


_default_cache: LLMCache | None = None


def get_llm_cache() -> LLMCache:
    """The process-wide cache used by the pipeline (created on first use)."""
    global _default_cache
    if _default_cache is None:
        _default_cache = LLMCache(ttl_seconds=settings.CACHE_TTL_SECONDS)
    return _default_cache


def reset_llm_cache() -> None:
    """Forget the process-wide instance and its connections (tests that change settings)."""
    global _default_cache
    _default_cache = None
    redis_client.reset_connection()
