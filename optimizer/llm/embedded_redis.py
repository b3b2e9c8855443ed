"""The embedded cache: one in-process fakeredis server shared by django-redis and redis.asyncio.

With no REDIS_URL the product still has Redis semantics (keys, TTLs, SCAN, INCR, pipelines), so
there is one code path for the cache; only the connection class differs.
"""

from __future__ import annotations

from typing import Any

import fakeredis

SERVER = fakeredis.FakeServer()


def connection_pool_kwargs() -> dict[str, Any]:
    """Pool kwargs for django-redis's sync client."""
    return {"connection_class": fakeredis.FakeRedisConnection, "server": SERVER}


def async_connection_kwargs() -> dict[str, Any]:
    """Pool kwargs for redis.asyncio, on the same server as the sync side."""
    return {"connection_class": fakeredis.FakeAsyncRedisConnection, "server": SERVER}
