"""Per-request cache control, as LLM gateways (LiteLLM, Helicone) offer it.

    Cache-Control: no-cache    skip the lookup, call the model, store the new answer
    Cache-Control: no-store    look up as usual, but do not store this answer
    Cache-Control: max-age=N   accept a cached answer only if it is at most N seconds old
    X-Cache-TTL: N  (or the body field cache_ttl)   keep this answer N seconds (not CACHE_TTL_SECONDS)

Other Cache-Control directives are ignored, as HTTP says. What the cache did is reported as
X-Cache (HIT, MISS or BYPASS: no lookup) on POST /api/v1/generate, and as usage_stats.cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# The longest per-request TTL accepted: 30 days.
MAX_TTL_SECONDS = 30 * 86400
ERROR_CODE = "invalid_cache_control"


class CacheControlError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class CachePolicy:
    lookup: bool = True
    store: bool = True
    max_age: int | None = None
    ttl: int | None = None

    def accepts(self, entry: dict[str, Any]) -> bool:
        """A stored entry is young enough for max-age (an entry with no date is not)."""
        if self.max_age is None:
            return True
        try:
            created = datetime.fromisoformat(str(entry.get("created_at")))
        except ValueError:
            return False
        return (datetime.now(UTC) - created).total_seconds() <= self.max_age


DEFAULT = CachePolicy()


def _seconds(raw: Any, name: str, *, minimum: int) -> int:
    text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else None
    if text is None or not text.isdigit() or not minimum <= int(text) <= MAX_TTL_SECONDS:
        raise CacheControlError(
            f"{name} must be a whole number of seconds from {minimum} to {MAX_TTL_SECONDS}",
            name,
        )
    return int(text)


def parse(headers: Any, body: dict[str, Any]) -> CachePolicy:
    """The policy of one request (headers: request.headers; body: its fields), or
    CacheControlError for a value that cannot be honoured."""
    lookup = store = True
    max_age: int | None = None
    for directive in (headers.get("Cache-Control") or "").split(","):
        name, _, value = directive.strip().partition("=")
        name = name.strip().lower()
        if name == "no-cache":
            lookup = False
        elif name == "no-store":
            store = False
        elif name == "max-age":
            max_age = _seconds(value.strip().strip('"'), "Cache-Control max-age", minimum=0)
    ttl: int | None = None
    header_ttl = headers.get("X-Cache-TTL")
    if header_ttl is not None:
        ttl = _seconds(header_ttl, "X-Cache-TTL", minimum=1)
    if body.get("cache_ttl") is not None:
        body_ttl = _seconds(body["cache_ttl"], "cache_ttl", minimum=1)
        if ttl is not None and ttl != body_ttl:
            raise CacheControlError("X-Cache-TTL and cache_ttl disagree: send one", "cache_ttl")
        ttl = body_ttl
    if ttl is not None and not store:
        raise CacheControlError("A cache TTL with Cache-Control: no-store stores nothing", "ttl")
    return CachePolicy(lookup=lookup, store=store, max_age=max_age, ttl=ttl)
