"""Admin pages for the LLM response cache: totals, entries, one entry, invalidate, clear all.

There is no database model behind these pages: they read Redis (or the embedded fakeredis
server) through the LLMCache's connection (optimizer.redis_client). Listing pages with SCAN cursors, never KEYS, and
reads values only for the rows on the page, so a page costs the same with 100 or 100,000
entries. The URLs are added by optimizer.admin_site.OptimizerAdminSite; every view is wrapped
in `admin_view` (staff only, CSRF, never cached).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis
from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib import admin, messages
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from optimizer.llm.cache import LLMCache, get_llm_cache, text_of
from optimizer.redis_client import REDIS_ERRORS

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
DIGEST_RE = re.compile(r"[0-9a-f]{64}")
# Keys asked of each SCAN call. A page may resume inside a batch (cursor + skip), so this must
# stay the same between requests for "next page" links to line up.
SCAN_COUNT = 500
# A page stops scanning after this many SCAN calls even if it found fewer than PAGE_SIZE keys
# (a database mostly full of other applications' keys), and links to the rest.
MAX_SCANS_PER_PAGE = 50
# A page position is node * NODE_STRIDE + that node's SCAN cursor (unsigned 64-bit), so one
# number in the "next page" link says where to go on in a cluster of up to MAX_NODES primaries.
NODE_STRIDE = 2**64
MAX_NODES = 1024
# Keys whose memory is measured; the total is extrapolated from this sample.
MEMORY_SAMPLE = 200


@dataclass
class EntryRow:
    digest: str
    model: str
    created_at: datetime | None
    ttl_seconds: int
    size_bytes: int
    job_excerpt: str
    # The TTL the pipeline gave the entry and why (optimizer/llm/cache_ttl.py); entries
    # written before quality-aware TTLs have neither.
    ttl_given: int | None = None
    ttl_tier: str = ""
    ttl_reason: str = ""

    @property
    def short_key(self) -> str:
        return self.digest[:12]

    @property
    def linkable(self) -> bool:
        """Only keys the pipeline could have written (a SHA-256) get entry-page links."""
        return DIGEST_RE.fullmatch(self.digest) is not None

    @property
    def ttl_display(self) -> str:
        return format_ttl(self.ttl_seconds)

    @property
    def ttl_given_display(self) -> str:
        return format_ttl(self.ttl_given) if self.ttl_given is not None else "?"


@dataclass
class Page:
    rows: list[EntryRow]
    next_cursor: int | None
    next_skip: int


def format_ttl(seconds: int) -> str:
    """Redis TTL as text: -1 means no expiry, -2 means the key is gone."""
    if seconds == -1:
        return "no expiry"
    if seconds < 0:
        return "expired"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def key_from_full(cache: LLMCache, full_key: str) -> str:
    """The cache's key (prefix + hash) back from the Redis key."""
    # Strip django-redis's "KEY_PREFIX:version:" exactly: searching for our prefix instead
    # would stop inside a KEY_PREFIX that contains it (KEY_PREFIX "llm" -> "llm:1:llm:...").
    full_prefix = cache.full_key(cache.key_prefix)
    if full_key.startswith(full_prefix):
        return cache.key_prefix + full_key[len(full_prefix) :]
    return full_key[full_key.index(cache.key_prefix) :]


def _digest(cache: LLMCache, full_key: str) -> str:
    return key_from_full(cache, full_key)[len(cache.key_prefix) :]


def _decode(raw: bytes | None) -> dict[str, Any] | None:
    """An entry as django-redis's JSON serializer stored it; None when missing or unreadable."""
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _parse_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _first_words(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def scan_page(cache: LLMCache, position: int, skip: int) -> Page:
    """Up to PAGE_SIZE entries from SCAN position (position, skip), values in one round trip.

    `position` is node * NODE_STRIDE + that node's SCAN cursor, node an index into the
    primaries (one Redis: always node 0, so position is the plain cursor); a page that ends a
    node's keyspace goes on with the next node's. `skip` says how many keys of the batch that
    SCAN returns at the position were on earlier pages, so pages hold exactly PAGE_SIZE rows.
    As with any SCAN, an entry added or removed while someone pages may show up twice or not
    at all (also when the cluster's nodes change in between); nothing is ever loaded in full.
    """
    nodes = cache.redis.primaries()
    node, cursor = divmod(position, NODE_STRIDE)
    if node >= len(nodes):  # a made-up link, or one from before the cluster lost a node
        node, cursor, skip = 0, 0, 0
    pattern = cache.entry_pattern()
    keys: list[bytes | str] = []
    next_position: int | None = None
    next_skip = 0
    for _ in range(MAX_SCANS_PER_PAGE):
        after, batch = nodes[node].scan(cursor, match=pattern, count=SCAN_COUNT)
        batch = batch[skip:]
        room = PAGE_SIZE - len(keys)
        if len(batch) > room:
            keys.extend(batch[:room])
            next_position, next_skip = node * NODE_STRIDE + cursor, skip + room
            break
        keys.extend(batch)
        cursor, skip = int(after), 0
        if cursor == 0:
            node += 1
            if node == len(nodes):
                break
        if len(keys) == PAGE_SIZE:
            next_position = node * NODE_STRIDE + cursor
            break
    else:
        next_position = node * NODE_STRIDE + cursor

    # The keys may live on several nodes: the main client's pipeline (on a cluster, redis-py
    # splits it per node and asks them in parallel).
    client = cache.redis.sync_client()
    rows: list[EntryRow] = []
    if keys:
        with client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.get(key)
                pipe.ttl(key)
            replies = pipe.execute()
        for key, raw, ttl in zip(keys, replies[0::2], replies[1::2], strict=True):
            if raw is None:  # expired or deleted since the SCAN
                continue
            entry = _decode(raw) or {}
            rows.append(
                EntryRow(
                    digest=_digest(cache, text_of(key)),
                    model=str(entry.get("model", "")),
                    created_at=_parse_time(entry.get("created_at")),
                    ttl_seconds=int(ttl),
                    size_bytes=len(raw),
                    job_excerpt=_first_words(str(entry.get("job_excerpt", ""))),
                    ttl_given=_int_or_none(entry.get("ttl_seconds")),
                    ttl_tier=str(entry.get("ttl_tier", "")),
                    ttl_reason=str(entry.get("ttl_reason", "")),
                )
            )
    return Page(rows, next_position, next_skip)


def memory_estimate(cache: LLMCache, total_entries: int) -> dict[str, Any]:
    """Bytes used by our entries, measured on a sample and scaled up to `total_entries`.

    Real Redis answers MEMORY USAGE (key, value and overhead). The embedded server does not
    know that command, so there the figure is the size of the stored values only. On a
    cluster the sample is drawn from every primary alike.
    """
    nodes = cache.redis.primaries()
    per_node = -(-MEMORY_SAMPLE // len(nodes))
    method = "MEMORY USAGE"
    sizes: list[Any] = []
    for node in nodes:
        sample: list[bytes] = []
        for key in node.scan_iter(match=cache.entry_pattern(), count=SCAN_COUNT):
            sample.append(key)
            if len(sample) >= per_node:
                break
        try:
            with node.pipeline(transaction=False) as pipe:
                for key in sample:
                    pipe.memory_usage(key)
                sizes.extend(pipe.execute())
        except redis.exceptions.ResponseError:
            method = "value sizes"
            with node.pipeline(transaction=False) as pipe:
                for key in sample:
                    pipe.strlen(key)
                sizes.extend(pipe.execute())
    measured = [int(size) for size in sizes if size]
    if not measured:
        return {"bytes": 0, "method": method, "sample": 0, "estimated": False}
    scaled = round(sum(measured) / len(measured) * max(total_entries, len(measured)))
    return {
        "bytes": scaled,
        "method": method,
        "sample": len(measured),
        "estimated": len(measured) < total_entries,
    }


def _unavailable(request: HttpRequest, cache: LLMCache, error: BaseException) -> HttpResponse:
    logger.warning("Admin cache page: the cache is unreachable (%s)", error)
    context = {
        **admin.site.each_context(request),
        "title": "LLM cache",
        "cache": cache,
        "error": str(error) or error.__class__.__name__,
    }
    return render(request, "admin/cache/unavailable.html", context, status=503)


def _parse_position(request: HttpRequest) -> tuple[int, int]:
    try:
        cursor = int(request.GET.get("cursor", "0"))
        skip = int(request.GET.get("skip", "0"))
    except ValueError:
        return 0, 0
    # Redis cursors are unsigned 64-bit, and a position holds a node index above them.
    if not 0 <= cursor < NODE_STRIDE * MAX_NODES or not 0 <= skip < 2**31:
        return 0, 0
    return cursor, skip


def cache_overview(request: HttpRequest) -> HttpResponse:
    cache = get_llm_cache()
    cursor, skip = _parse_position(request)
    try:
        cache.redis.sync_client().ping()
        page = scan_page(cache, cursor, skip)
        stats = async_to_sync(cache.get_stats)(count_keys=False)
        entries = cache.count_entries()
        memory = memory_estimate(cache, entries["count"])
        live = _live_context(cache, entries, memory)
    except REDIS_ERRORS as error:
        return _unavailable(request, cache, error)
    context = {
        **live,
        **admin.site.each_context(request),
        "title": "LLM cache",
        "cache": cache,
        "stats": stats,
        "entries": entries,
        "hit_rate_percent": round(stats["hit_rate"] * 100, 1),
        "memory": memory,
        "page": page,
        "first_page": cursor == 0 and skip == 0,
        "ttl_settings": {
            "flagged": settings.CACHE_TTL_FLAGGED_SECONDS,
            "good": settings.CACHE_GOOD_QUALITY,
            "minimum": settings.CACHE_MIN_QUALITY,
        },
    }
    return render(request, "admin/cache/overview.html", context)


def _read_entry(cache: LLMCache, digest: str) -> tuple[bytes | None, int]:
    """(stored bytes or None, TTL seconds) for one key, in one round trip."""
    full_key = cache.full_key(cache.key_prefix + digest)
    with cache.redis.sync_client().pipeline(transaction=False) as pipe:
        pipe.get(full_key)
        pipe.ttl(full_key)
        raw, ttl = pipe.execute()
    return raw, int(ttl)


def cache_entry(request: HttpRequest, digest: str) -> HttpResponse:
    cache = get_llm_cache()
    try:
        raw, ttl = _read_entry(cache, digest)
    except REDIS_ERRORS as error:
        return _unavailable(request, cache, error)
    if raw is None:
        messages.warning(request, f"Cache entry {digest[:12]} is gone (expired or invalidated).")
        return HttpResponseRedirect(reverse("admin:cache"))
    # A value that is not an entry (an older format, a bad write) is shown as text, so that
    # it can still be read and invalidated; the pipeline ignores such values.
    entry = _decode(raw)
    result = (entry or {}).get("result")
    result = result if isinstance(result, dict) else {}
    context = {
        **admin.site.each_context(request),
        "title": f"Cache entry {digest[:12]}",
        "digest": digest,
        "entry": entry or {},
        "unreadable": None if entry is not None else raw[:5000].decode(errors="replace"),
        "created_at": _parse_time((entry or {}).get("created_at")),
        "ttl_display": format_ttl(ttl),
        "ttl_given": _int_or_none((entry or {}).get("ttl_seconds")),
        "ttl_tier": str((entry or {}).get("ttl_tier", "")),
        "ttl_reason": str((entry or {}).get("ttl_reason", "")),
        "size_bytes": len(raw),
        "chunk_count": len((entry or {}).get("chunks") or []),
        # A letter's entry holds its text under "text" (services.LetterResult).
        "optimized_resume": str(result.get("optimized_resume") or result.get("text") or ""),
        "result_json": json.dumps(result, indent=2, ensure_ascii=False, sort_keys=True),
    }
    return render(request, "admin/cache/entry.html", context)


@require_POST
def cache_invalidate(request: HttpRequest, digest: str) -> HttpResponse:
    cache = get_llm_cache()
    try:
        cache.redis.sync_client().ping()
    except REDIS_ERRORS as error:
        return _unavailable(request, cache, error)
    if async_to_sync(cache.invalidate_key)(cache.key_prefix + digest):
        messages.success(request, f"Invalidated cache entry {digest[:12]}.")
    else:
        messages.warning(request, f"Cache entry {digest[:12]} was already gone.")
    return HttpResponseRedirect(reverse("admin:cache"))


@require_http_methods(["GET", "POST"])
def cache_clear(request: HttpRequest) -> HttpResponse:
    """GET: the confirmation page. POST: delete every entry under our prefix, nothing else."""
    cache = get_llm_cache()
    try:
        cache.redis.sync_client().ping()
        if request.method == "POST":
            deleted = async_to_sync(cache.clear_all)()
            messages.success(request, f"Cleared the LLM cache: {deleted} entries deleted.")
            return HttpResponseRedirect(reverse("admin:cache"))
        entries = cache.count_entries()
    except REDIS_ERRORS as error:
        return _unavailable(request, cache, error)
    context = {
        **admin.site.each_context(request),
        "title": "Clear the LLM cache?",
        "cache": cache,
        "entries": entries,
    }
    return render(request, "admin/cache/clear_confirm.html", context)


# -- the live dashboard (optimizer/cache_dashboard.py) --------------------------------------------


def _live_context(
    cache: LLMCache, entries: dict[str, Any], memory: dict[str, Any]
) -> dict[str, Any]:
    """The dashboard's first rendering, inside the overview page (then the stream takes over)."""
    from optimizer import cache_dashboard

    gauges = cache_dashboard.measure_gauges(cache, entries, memory)
    return async_to_sync(cache_dashboard.snapshot)(cache, gauges)


@never_cache
async def cache_live(request: HttpRequest) -> HttpResponseBase:
    """GET /admin/cache/live/: the dashboard's SSE stream (named `stats` events of HTML).

    Async, so not wrapped in AdminSite.admin_view (a sync wrapper): the same staff check here.
    """
    from optimizer import cache_dashboard, sse
    from optimizer.events import render_named

    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    user = await request.auser()
    if not (user.is_active and user.is_staff):
        return JsonResponse(
            {"error": {"code": "forbidden", "message": "Staff only: log in to the admin first"}},
            status=403,
        )
    try:
        first_id = sse.last_event_id(request) + 1
    except sse.InvalidLastEventId as error:
        return JsonResponse(
            {
                "error": {
                    "code": "invalid_last_event_id",
                    "message": str(error),
                    "field": "Last-Event-ID",
                }
            },
            status=400,
        )
    events = cache_dashboard.events(get_llm_cache(), first_id)
    stream = sse.with_heartbeats(
        events, lambda event: render_named("stats", event.id, event.data["html"])
    )
    return sse.sse_response(stream)
