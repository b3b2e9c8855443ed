"""The seed's health document, shared by GET / (for non-HTML clients) and GET /api/v1/health."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from optimizer.llm import breaker
from optimizer.llm.cache import get_llm_cache
from optimizer.llm.client import model_name
from optimizer.llm.servers import display_url

SERVICE_NAME = "ATS Resume Builder API"
VERSION = "1.3.0-phase3.2"
PHASE = "Advanced LLM Features & Streaming"


async def health() -> dict[str, Any]:
    """Never fails: a Redis outage shows as cache_enabled false."""
    stats = await get_llm_cache().get_stats() if settings.CACHE_ENABLED else {}
    cache_up = bool(stats.get("available"))
    # The circuit breaker of the configured model: closed (calls go upstream), open (they fail
    # fast with upstream_unavailable) or half_open (one probe is deciding).
    upstream = await breaker.current_state()
    return {
        "service": SERVICE_NAME,
        "version": VERSION,
        "status": "operational",
        "phase": PHASE,
        "llm_available": _llm_configured(),
        "cache_enabled": cache_up,
        "cached_responses": stats.get("total_keys", 0) if cache_up else 0,
        "provider": settings.LLM_PROVIDER,
        "model": model_name(),
        "cache_backend": stats.get("backend", "disabled"),
        # Where answers come from for an OpenAI-compatible provider (Ollama, LM Studio...).
        "llm_base_url": display_url(settings.LLM_BASE_URL)
        if settings.LLM_PROVIDER == "openai_compatible"
        else None,
        "upstream": upstream.state if upstream else "closed",
        "upstream_breaker": upstream.to_dict() if upstream else None,
    }


def _llm_configured() -> bool:
    if settings.LLM_PROVIDER == "anthropic":
        return bool(settings.ANTHROPIC_API_KEY)
    if settings.LLM_PROVIDER == "openai_compatible":
        return bool(settings.LLM_BASE_URL and settings.LLM_MODEL)
    return True
