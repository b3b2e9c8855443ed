"""The admin's live cache dashboard: /admin/cache/ updates itself over SSE (htmx's SSE extension).

Every figure comes from Redis (or the embedded server, same code), so every worker's traffic
shows, whichever worker serves the page:

- totals: the LLMCache counters (lookups, misses, saved_usd), as before;
- per minute over the last hour: one hash per minute, `{llm_stats}:m:<unix minute>`, written by
  the lookup's own pipeline (optimizer/llm/cache.py) and expiring after MINUTE_BUCKET_SECONDS;
- upstream latency p50/p95: the per-minute histograms the pipeline writes after each call;
- gauges (entries, memory, evictions): measured here (SCAN, MEMORY USAGE, INFO) at most every
  GAUGE_SECONDS, and written into the current minute's hash too, so that their chart is shared
  (minutes in which no dashboard was open have no gauge sample: a gap, not a zero);
- breaker state and spend today: optimizer/llm/breaker.py and budget.py.

The stream checks the three totals (one MGET) every POLL_SECONDS and sends a new `stats` event
as soon as one changed (a hit, a miss, a saving), or when the gauges were re-measured; otherwise
only heartbeats. It costs the hot path nothing: no publish, no extra round trip per hit.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.template.loader import render_to_string

from optimizer.events import Event
from optimizer.llm import breaker, budget
from optimizer.llm import cache as llm_cache
from optimizer.llm.cache import LATENCY_BOUNDS_MS, MINUTE_BUCKET_SECONDS, LLMCache
from optimizer.redis_client import REDIS_ERRORS

logger = logging.getLogger(__name__)

MINUTES = 60
POLL_SECONDS = 1.0  # one MGET per open dashboard per second
GAUGE_SECONDS = 5.0  # SCAN + INFO: not on every tick...
GAUGE_AFTER_CHANGE_SECONDS = 1.0  # ...but soon after traffic (a miss stores an entry)
CHART_WIDTH, CHART_HEIGHT = 240, 44


# -- figures ------------------------------------------------------------------------------------


def percentile(histogram: dict[str, int], q: float) -> float | None:
    """The q-quantile (0..1) of a latency histogram {"<bound>": count, "inf": count}, linearly
    interpolated within its bucket as Prometheus' histogram_quantile does; None when empty.
    A quantile in the open-ended bucket is reported as the last finite bound."""
    bounds = [*LATENCY_BOUNDS_MS, math.inf]
    counts = [histogram.get(str(b) if b != math.inf else "inf", 0) for b in bounds]
    total = sum(counts)
    if not total:
        return None
    rank = q * total
    seen, lower = 0, 0.0
    for bound, count in zip(bounds, counts, strict=True):
        if count and seen + count >= rank:
            if bound == math.inf:
                return float(LATENCY_BOUNDS_MS[-1])
            return lower + (bound - lower) * (rank - seen) / count
        seen += count
        lower = float(bound)
    return float(LATENCY_BOUNDS_MS[-1])


async def totals(cache: LLMCache) -> tuple[Any, ...]:
    """The shared totals the stream watches for changes (one round trip)."""
    client = cache.redis.async_client()
    values = await client.mget(
        cache._stat_key("lookups"), cache._stat_key("misses"), cache._stat_key("saved_usd")
    )
    return tuple(values)


def measure_gauges(
    cache: LLMCache, entries: dict[str, Any] | None = None, memory: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Entries, memory and evictions now (sync: SCAN and INFO; called from a thread), also
    written into this minute's bucket so that every dashboard charts the same samples.
    entries/memory: already measured by the caller (the overview page), not measured again."""
    from optimizer.admin_cache import memory_estimate

    entries = entries or cache.count_entries()
    memory = memory or memory_estimate(cache, entries["count"])
    info: dict[str, Any] = {"used_memory": 0, "maxmemory": 0, "evicted_keys": 0, "policy": ""}
    try:
        for node in cache.redis.primaries():
            mem, stats = node.info("memory"), node.info("stats")
            info["used_memory"] += int(mem.get("used_memory", 0))
            info["maxmemory"] += int(mem.get("maxmemory", 0))
            info["policy"] = str(mem.get("maxmemory_policy", ""))
            info["evicted_keys"] += int(stats.get("evicted_keys", 0))
    except redis.exceptions.ResponseError:
        info = {}  # the embedded server knows no INFO: it has no maxmemory and never evicts
    sample: dict[str, int] = {"entries": entries["count"], "memory_bytes": memory["bytes"]}
    if info:
        sample["evicted_total"] = info["evicted_keys"]
    minute = cache.minute_key()
    client = cache.redis.sync_client()
    with client.pipeline(transaction=False) as pipe:
        pipe.hset(minute, mapping=sample)  # type: ignore[arg-type]  # (a Mapping is fine)
        pipe.expire(minute, MINUTE_BUCKET_SECONDS)
        pipe.execute()
    return {"entries": entries, "memory": memory, "info": info}


def _number(raw: Any, kind: type = int) -> Any:
    try:
        return kind(raw) if raw is not None else None
    except ValueError:
        return None


async def snapshot(cache: LLMCache, gauges: dict[str, Any]) -> dict[str, Any]:
    """Everything the dashboard shows, read in a few round trips."""
    stats = await cache.get_stats(count_keys=False)
    now = llm_cache.current_minute()
    minutes = list(range(now - MINUTES + 1, now + 1))
    client = cache.redis.async_client()
    async with client.pipeline(transaction=False) as pipe:
        for minute in minutes:
            pipe.hgetall(cache.minute_key(minute))
        buckets = await pipe.execute()
    rows: list[dict[str, Any]] = []
    histogram: dict[str, int] = {}
    previous_evicted: int | None = None
    for minute, raw in zip(minutes, buckets, strict=True):
        bucket = {k.decode() if isinstance(k, bytes) else k: v for k, v in raw.items()}
        lookups = _number(bucket.get("lookups")) or 0
        misses = _number(bucket.get("misses")) or 0
        evicted_total = _number(bucket.get("evicted_total"))
        evictions = None
        if evicted_total is not None and previous_evicted is not None:
            evictions = max(evicted_total - previous_evicted, 0)
        if evicted_total is not None:
            previous_evicted = evicted_total
        for name, count in bucket.items():
            if name.startswith("lat:"):
                histogram[name[4:]] = histogram.get(name[4:], 0) + int(count)
        rows.append(
            {
                "minute": minute,
                "hits": max(lookups - misses, 0),
                "misses": misses,
                "hit_rate": (lookups - misses) / lookups * 100 if lookups else None,
                "saved_usd": _number(bucket.get("saved_usd"), float) or 0.0,
                "entries": _number(bucket.get("entries")),
                "memory_bytes": _number(bucket.get("memory_bytes")),
                "evictions": evictions,
            }
        )
    state = await breaker.current_state()
    return {
        "stats": stats,
        "hit_rate_percent": round(stats["hit_rate"] * 100, 1),
        "gauges": gauges,
        "minutes": rows,
        "last_hour": {
            "hits": sum(r["hits"] for r in rows),
            "misses": sum(r["misses"] for r in rows),
            "saved_usd": sum(r["saved_usd"] for r in rows),
            "evictions": sum(r["evictions"] or 0 for r in rows) if gauges.get("info") else None,
        },
        "latency": {
            "p50": percentile(histogram, 0.5),
            "p95": percentile(histogram, 0.95),
            "calls": sum(histogram.values()),
        },
        "breaker": state.to_dict() if state else None,
        "spend_today": await budget.spent_today(),
        "site_budget": settings.SITE_DAILY_BUDGET_USD,
        "charts": charts(rows),
        "updated_at": datetime.now(UTC),
    }


# -- the SVG charts (server-rendered: no chart library, nothing for the CSP to allow) -----------


@dataclass
class Chart:
    title: str
    peak: str  # the top of the scale, as text
    bars: list[dict[str, Any]]  # rects: x, y, w, h, and the css class
    line: str  # polyline points ("" when the series is bars)
    label: str  # for screen readers


def _scale(values: list[float | None]) -> float:
    return max([v for v in values if v is not None] or [0.0]) or 1.0


def _bar_chart(title: str, stacks: list[tuple[str, list[float]]], unit: str = "") -> Chart:
    totals = [sum(values[i] for _, values in stacks) for i in range(MINUTES)]
    top = _scale(list(totals))
    width = CHART_WIDTH / MINUTES
    bars: list[dict[str, Any]] = []
    for i in range(MINUTES):
        base = float(CHART_HEIGHT)
        for css, values in stacks:
            height = values[i] / top * CHART_HEIGHT
            if height:
                base -= height
                bars.append({"x": i * width, "y": base, "w": width * 0.8, "h": height, "css": css})
    peak, total = max(totals), sum(totals)
    label = f"{title}, per minute over the last hour: peak {peak:g}{unit}, total {total:g}{unit}"
    return Chart(title, f"{peak:g}{unit}", bars, "", label)


def _line_chart(title: str, values: list[float | None], fmt: str = "{:g}") -> Chart:
    top = _scale(values)
    step = CHART_WIDTH / (MINUTES - 1)
    known = [
        (i * step, CHART_HEIGHT - v / top * CHART_HEIGHT)
        for i, v in enumerate(values)
        if v is not None
    ]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in known)
    # A dot per sample too: a lone sample draws no line.
    dots = [{"x": x - 1, "y": y - 1, "w": 2, "h": 2, "css": "dot"} for x, y in known]
    samples = [v for v in values if v is not None]
    peak = fmt.format(max(samples)) if samples else "no samples"
    latest = fmt.format(samples[-1]) if samples else "no samples"
    label = f"{title}, per minute over the last hour: peak {peak}, latest {latest}"
    return Chart(title, peak, dots, points, label)


def charts(rows: list[dict[str, Any]]) -> list[Chart]:
    def series(name: str) -> list[Any]:
        return [row[name] for row in rows]

    return [
        _bar_chart(
            "Hits and misses",
            [("hit", [float(v) for v in series("hits")]), ("miss", series("misses"))],
        ),
        _line_chart("Hit rate", series("hit_rate"), "{:.0f}%"),
        _bar_chart("Dollars saved", [("saved", series("saved_usd"))]),
        _line_chart("Entries", series("entries"), "{:.0f}"),
        _line_chart(
            "Memory used",
            [None if v is None else v / 1024 for v in series("memory_bytes")],
            "{:.0f} KiB",
        ),
        _bar_chart("Evictions", [("evicted", [float(v or 0) for v in series("evictions")])]),
    ]


# -- the stream ---------------------------------------------------------------------------------


def render(data: dict[str, Any]) -> str:
    return render_to_string("admin/cache/live.html", data)


async def events(cache: LLMCache, first_id: int = 1) -> AsyncIterator[Event]:
    """`stats` events: one at once, then one whenever the shared totals change (checked every
    POLL_SECONDS) or the gauges were re-measured (every GAUGE_SECONDS). Runs until the client
    leaves (Django cancels the response)."""
    ids = itertools.count(first_id)
    seen: tuple[Any, ...] | None = None
    gauges: dict[str, Any] = {}
    measured = -math.inf
    down = False
    while True:
        try:
            current = await totals(cache)
            age = time.monotonic() - measured
            remeasure = age >= GAUGE_SECONDS or (
                current != seen and age >= GAUGE_AFTER_CHANGE_SECONDS
            )
            if remeasure:
                gauges = await sync_to_async(measure_gauges, thread_sensitive=False)(cache)
                measured = time.monotonic()
            if current != seen or remeasure:
                seen = current
                html = render(await snapshot(cache, gauges))
                yield Event(next(ids), {"type": "stats", "html": html})
        except REDIS_ERRORS as error:
            seen, measured = None, -math.inf  # show everything afresh once it is back
            if not down:  # say so once, then keep trying quietly
                logger.warning("Cache dashboard: Redis unreadable (%s)", error)
                html = render_to_string("admin/cache/live_unavailable.html", {"error": str(error)})
                yield Event(next(ids), {"type": "stats", "html": html})
            down = True
        else:
            down = False
        await asyncio.sleep(POLL_SECONDS)
