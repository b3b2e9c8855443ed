"""Installed only by bench/settings.py. With BENCH_CACHE_READ=aget it swaps the hot cache read
for one through Django's cache API, so the benchmark can show what the native read saves."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings


class BenchConfig(AppConfig):
    name = "bench"
    label = "bench"

    def ready(self) -> None:
        if getattr(settings, "BENCH_CACHE_READ", "native") == "aget":
            from optimizer.llm.cache import LLMCache

            LLMCache.get_by_key = get_by_key_via_aget  # type: ignore[method-assign]


async def get_by_key_via_aget(self: Any, key: str, rider: Any = None) -> dict[str, Any] | None:
    """LLMCache.get_by_key as Django's cache API would do it: `aget` (django-redis runs the sync
    GET in a worker thread), then the lookup counter as a second, native round trip. The rider
    (the API key's rate count) is left to its owner, which sends it on its own round trip."""
    from optimizer.redis_client import REDIS_ERRORS

    if self._is_down():
        return None
    try:
        value = await self.store.aget(key)
    except REDIS_ERRORS as error:
        self._mark_down("get", error)
        return None
    await self._count("lookups")
    if value is None:
        await self._count("misses")
    return value
