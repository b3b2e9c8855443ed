"""Floor (a): a bare ASGI app, no Django. Reads the request body, does one redis.asyncio GET of
a value the harness stored (as large as our cache entry) and returns it. Nothing can answer a
Redis-backed request faster under the same uvicorn settings.

    REDIS_URL=redis://127.0.0.1:6379/14 uvicorn bench.floor_asgi:app --lifespan off
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import redis.asyncio

KEY = "bench:floor"
_client: redis.asyncio.Redis | None = None


async def app(
    scope: MutableMapping[str, Any],
    receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
    send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
) -> None:
    global _client
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    if _client is None:  # one worker process = one event loop: one client
        _client = redis.asyncio.Redis.from_url(os.environ["REDIS_URL"])
    value = await _client.get(KEY) or b"{}"
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(value))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": value})
