"""Quality-aware cache TTLs: how long a finished result is kept, and why.

    grounding flags: none, quality_score >= CACHE_GOOD_QUALITY  -> CACHE_TTL_SECONDS ("clean")
    grounding flags, or quality under CACHE_GOOD_QUALITY         -> CACHE_TTL_FLAGGED_SECONDS ("flagged")
    quality_score under CACHE_MIN_QUALITY                        -> not cached ("low_quality")

Why: a clean answer is as good as a new call would give, so it is served for the full TTL; an
answer with unsupported claims or a weak structure is still worth serving for a while (the
call cost money), but a later generation may do better, so it is given up sooner. A poor one
is not worth repeating to anyone. A request's own TTL (X-Cache-TTL / cache_ttl) replaces
CACHE_TTL_SECONDS for a clean answer and caps the flagged TTL; it never makes a poor answer
cacheable. The decision is stored in the entry (ttl_seconds, ttl_tier, ttl_reason), so that
the admin shows what each entry got and why.

The quality score is the validator's (optimizer/llm/validator.py, assess_quality: 0 to 1 from
length, structure, bullets and numbers); grounding flags are the pipeline's "grounding" list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

CLEAN = "clean"
FLAGGED = "flagged"
LOW_QUALITY = "low_quality"


@dataclass(frozen=True)
class TtlDecision:
    tier: str  # CLEAN | FLAGGED | LOW_QUALITY
    ttl_seconds: int | None  # None: not cached
    reason: str

    @property
    def cached(self) -> bool:
        return self.ttl_seconds is not None


def decide(result: dict[str, Any], request_ttl: int | None = None) -> TtlDecision:
    """The TTL of one finished, valid result (the pipeline checked is_cacheable first)."""
    quality = float((result.get("quality") or {}).get("quality_score") or 0.0)
    flags = len(result.get("grounding") or [])
    minimum, good = settings.CACHE_MIN_QUALITY, settings.CACHE_GOOD_QUALITY
    if quality < minimum:
        return TtlDecision(
            LOW_QUALITY,
            None,
            f"not cached: quality {quality:.2f} is under CACHE_MIN_QUALITY ({minimum:.2f})",
        )
    full = request_ttl or settings.CACHE_TTL_SECONDS
    source = "X-Cache-TTL" if request_ttl else "CACHE_TTL_SECONDS"
    if flags or quality < good:
        why = []
        if flags:
            why.append(f"{flags} grounding flag{'s' if flags != 1 else ''}")
        if quality < good:
            why.append(f"quality {quality:.2f} under CACHE_GOOD_QUALITY ({good:.2f})")
        ttl = min(full, settings.CACHE_TTL_FLAGGED_SECONDS)
        limit = "CACHE_TTL_FLAGGED_SECONDS" if ttl < full else source
        return TtlDecision(FLAGGED, ttl, f"{' and '.join(why)}: {limit}")
    return TtlDecision(
        CLEAN, full, f"no grounding flags, quality {quality:.2f} (at least {good:.2f}): {source}"
    )
