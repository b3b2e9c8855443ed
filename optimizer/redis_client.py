"""The one home of Redis: connections, key names and the errors a Redis client raises.

Everything that keeps state in Redis (the LLM cache, job events, the API rate limit and usage
counters) reaches it through a RedisConnection from here, so there is one way to do it:

- REDIS_URL unset: the embedded cache, one in-process fakeredis server (SERVER) shared by
  django-redis (sync) and redis.asyncio (async). The product keeps Redis semantics (keys, TTLs,
  SCAN, INCR, pipelines), so there is one code path; only the connection class differs.
- Two clients on the same keys: django-redis (Django's cache framework, the store of record, sync)
  and one redis.asyncio client per event loop for the hot path (Django's async cache methods run
  the sync call in a worker thread, which costs more than the whole rest of a cache hit).
- full_key(): django-redis's KEY_PREFIX and version applied, so both clients name the same keys.
- Pools wait: at most REDIS_MAX_CONNECTIONS connections per pool; a caller waits up to
  REDIS_POOL_TIMEOUT seconds for a free one, then gets RedisBusy (Redis is up, we are saturated),
  which callers tell apart from an outage (see docs/operations.md, "When Redis is busy or away").
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import fakeredis
import redis
import redis.asyncio
from django.conf import settings
from django.core.cache import BaseCache, caches

SERVER = fakeredis.FakeServer()

# Everything a Redis client can raise when the server is away or misbehaves.
REDIS_ERRORS = (redis.exceptions.RedisError, OSError, asyncio.TimeoutError)


# The longest a blocking read may wait (callers block for less); its client's socket timeout.
MAX_BLOCK_SECONDS = 10.0


class RedisBusy(redis.exceptions.ConnectionError):
    """No pooled connection came free within REDIS_POOL_TIMEOUT: saturated, not down."""


class _WaitingPool(redis.asyncio.BlockingConnectionPool):
    """redis-py's waiting pool, with its timeout raised as RedisBusy instead of the
    ConnectionError it shares with a dead server."""

    async def get_connection(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().get_connection(*args, **kwargs)
        except redis.exceptions.ConnectionError as error:
            if isinstance(error.__cause__, asyncio.TimeoutError):
                raise RedisBusy(
                    f"All {self.max_connections} Redis connections stayed busy for "
                    f"{self.timeout} s (REDIS_MAX_CONNECTIONS, REDIS_POOL_TIMEOUT)"
                ) from error
            raise


def pool_kwargs() -> dict[str, Any]:
    """Pool size and wait for both clients (django-redis's sync pool and the asyncio one)."""
    return {
        "max_connections": settings.REDIS_MAX_CONNECTIONS,
        "timeout": settings.REDIS_POOL_TIMEOUT,
    }


def connection_pool_kwargs() -> dict[str, Any]:
    """Pool kwargs for django-redis's sync client on the embedded server."""
    return {"connection_class": fakeredis.FakeRedisConnection, "server": SERVER}


def async_connection_kwargs() -> dict[str, Any]:
    """Pool kwargs for redis.asyncio, on the same embedded server as the sync side."""
    return {"connection_class": fakeredis.FakeAsyncRedisConnection, "server": SERVER}


class RedisConnection:
    """One Redis: the project's (url=None: settings.CACHES[cache_alias]) or the one at url."""

    def __init__(self, url: str | None = None, cache_alias: str = "default") -> None:
        self.url = url
        self.cache_alias = cache_alias
        self._own_store: BaseCache | None = None
        self._async_clients: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, redis.asyncio.Redis
        ] = weakref.WeakKeyDictionary()
        self._blocking_clients: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, redis.asyncio.Redis
        ] = weakref.WeakKeyDictionary()

    @property
    def embedded(self) -> bool:
        return self.url is None and not settings.REDIS_URL

    @property
    def store(self) -> BaseCache:
        """The Django cache backend (django-redis) on this Redis."""
        if self.url is None:
            return caches[self.cache_alias]
        if self._own_store is None:
            from django_redis.cache import RedisCache

            self._own_store = RedisCache(
                self.url,
                {
                    "OPTIONS": {
                        "SERIALIZER": "django_redis.serializers.json.JSONSerializer",
                        "SOCKET_CONNECT_TIMEOUT": settings.REDIS_SOCKET_TIMEOUT,
                        "SOCKET_TIMEOUT": settings.REDIS_SOCKET_TIMEOUT,
                        "CONNECTION_POOL_CLASS": "redis.BlockingConnectionPool",
                        "CONNECTION_POOL_KWARGS": pool_kwargs(),
                    }
                },
            )
        return self._own_store

    def sync_client(self) -> redis.Redis:
        """The redis-py client under django-redis, for sync callers (admin, SCAN, deletes)."""
        backend: Any = self.store  # django-redis's RedisCache (untyped): its .client is its own
        client: redis.Redis = backend.client.get_client(write=True)
        return client

    def async_client(self) -> redis.asyncio.Redis:
        """One redis.asyncio client per event loop (a pool cannot cross loops)."""
        loop = asyncio.get_running_loop()
        client = self._async_clients.get(loop)
        if client is None:
            timeout = settings.REDIS_SOCKET_TIMEOUT
            if self.embedded:
                pool = _WaitingPool(**pool_kwargs(), **async_connection_kwargs())
            else:
                pool = _WaitingPool.from_url(
                    self.url or settings.REDIS_URL,
                    socket_timeout=timeout,
                    socket_connect_timeout=timeout,
                    **pool_kwargs(),
                )
            client = redis.asyncio.Redis(connection_pool=pool)
            self._async_clients[loop] = client
        return client

    def blocking_client(self) -> redis.asyncio.Redis:
        """One client per event loop for blocking reads (XREAD BLOCK), apart from the others:
        its own pool (REDIS_MAX_BLOCKING_CONNECTIONS), so that viewers waiting for events never
        take the connections a cache hit needs, and a read timeout longer than the block."""
        loop = asyncio.get_running_loop()
        client = self._blocking_clients.get(loop)
        if client is None:
            kwargs: dict[str, Any] = {
                "max_connections": settings.REDIS_MAX_BLOCKING_CONNECTIONS,
                "timeout": settings.REDIS_POOL_TIMEOUT,
            }
            if self.embedded:
                pool = _WaitingPool(**kwargs, **async_connection_kwargs())
            else:
                timeout = settings.REDIS_SOCKET_TIMEOUT
                pool = _WaitingPool.from_url(
                    self.url or settings.REDIS_URL,
                    socket_timeout=MAX_BLOCK_SECONDS + timeout,
                    socket_connect_timeout=timeout,
                    **kwargs,
                )
            client = redis.asyncio.Redis(connection_pool=pool)
            self._blocking_clients[loop] = client
        return client

    def full_key(self, key: str) -> str:
        """The Redis key django-redis uses for key (KEY_PREFIX and version applied)."""
        return str(self.store.make_key(key))


_default: RedisConnection | None = None


def connection() -> RedisConnection:
    """The project's Redis (embedded or REDIS_URL), one per process."""
    global _default
    if _default is None:
        _default = RedisConnection()
    return _default


def reset_connection() -> None:
    """Forget the process-wide connection (tests that change REDIS_URL or CACHES call this)."""
    global _default
    _default = None
