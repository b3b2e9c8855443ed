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
- REDIS_CLUSTER=True: REDIS_URL names one seed node of a Redis Cluster. django-redis 7.0 has no
  cluster client, so its connection factory hands it redis-py's RedisCluster (ClusterConnection-
  Factory): the backend and its JSONSerializer stay django-redis's own, so every path reads and
  writes the same bytes as on one Redis. The async side is redis.asyncio's RedisCluster, gated so
  that it waits for a free connection and then raises RedisBusy like the single-Redis pool.
  primaries() gives one plain client per primary node for what walks the keyspace (SCAN, DBSIZE).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from typing import Any, cast

import fakeredis
import redis
import redis.asyncio
import redis.asyncio.cluster
import redis.cluster
from django.conf import settings
from django.core.cache import BaseCache, caches
from django_redis.pool import ConnectionFactory

SERVER = fakeredis.FakeServer()

# Everything a Redis client can raise when the server is away or misbehaves. (A cluster client
# that reaches no node raises RedisClusterException, which is not a RedisError.)
REDIS_ERRORS = (
    redis.exceptions.RedisError,
    redis.exceptions.RedisClusterException,
    OSError,
    asyncio.TimeoutError,
)


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
                raise _busy(self.max_connections, self.timeout) from error
            raise


SyncClient = redis.Redis | redis.cluster.RedisCluster
AsyncClient = redis.asyncio.Redis | redis.asyncio.cluster.RedisCluster


def _busy(connections: int, timeout: float | None) -> RedisBusy:
    return RedisBusy(
        f"All {connections} Redis connections stayed busy for "
        f"{timeout} s (REDIS_MAX_CONNECTIONS, REDIS_POOL_TIMEOUT)"
    )


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


class ClusterConnectionFactory(ConnectionFactory):
    """django-redis's connection factory, handing its client a redis-py RedisCluster.

    One RedisCluster per seed URL and process: Django makes a cache backend per thread, and each
    new RedisCluster would first ask the cluster for its slot map.
    """

    _clusters: dict[str, redis.cluster.RedisCluster] = {}

    def connect(self, url: str) -> redis.cluster.RedisCluster:
        client = self._clusters.get(url)
        if client is None:
            params = self.make_connection_params(url)
            params.pop("parser_class")  # a per-connection option RedisCluster does not take
            client = redis.cluster.RedisCluster.from_url(
                params.pop("url"),
                # Each node's pool waits like the single-Redis one (BlockingConnectionPool).
                connection_pool_class=self.pool_cls,
                **self.pool_cls_kwargs,
                **params,
            )
            self._clusters[url] = client
        return client

    def disconnect(self, connection: redis.cluster.RedisCluster) -> None:
        # Shared by every thread's backend: drop the sockets, keep the client (it reconnects).
        connection.disconnect_connection_pools()


class _GatedPipeline(redis.asyncio.cluster.ClusterPipeline):
    async def execute(self, raise_on_error: bool = True, allow_redirections: bool = True) -> Any:
        client = cast("_AsyncCluster", self.cluster_client)
        async with client.gate():
            return await super().execute(raise_on_error, allow_redirections)


class _AsyncCluster(redis.asyncio.cluster.RedisCluster):
    """redis.asyncio's RedisCluster, waiting for a free connection like _WaitingPool does.

    Its own node pools refuse at once when full (MaxConnectionsError, a ConnectionError that
    reads as an outage). At most max_connections commands and pipelines run at once here (each
    takes at most one connection per node), and a caller waits up to pool_timeout for a turn.
    """

    _slots: asyncio.Semaphore
    _connections: int
    _pool_timeout: float

    def limit(self, connections: int, pool_timeout: float) -> _AsyncCluster:
        self._slots = asyncio.Semaphore(connections)
        self._connections = connections
        self._pool_timeout = pool_timeout
        return self

    @contextlib.asynccontextmanager
    async def gate(self) -> AsyncIterator[None]:
        try:
            await asyncio.wait_for(self._slots.acquire(), self._pool_timeout)
        except TimeoutError:
            raise _busy(self._connections, self._pool_timeout) from None
        try:
            yield
        finally:
            self._slots.release()

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        async with self.gate():
            if self._initialize:
                # Learn the cluster's layout before the first commands go out: when they go
                # out together on a new client, redis-py 8.1 gets some of them wrong ("'NoneType'
                # object has no attribute 'writelines'"). initialize() runs once, under a lock.
                await self.initialize()
            return await super().execute_command(*args, **kwargs)

    def pipeline(
        self, transaction: Any | None = None, shard_hint: Any | None = None
    ) -> redis.asyncio.cluster.ClusterPipeline:
        if shard_hint:
            raise redis.exceptions.RedisClusterException("shard_hint is not used on a cluster")
        # mypy sees _event_dispatcher as abstract (a mixin declares it); ClusterPipeline's
        # __init__ sets it, and redis-py's own pipeline() instantiates the class the same way.
        return _GatedPipeline(self, transaction)  # type: ignore[abstract]


def cluster_cache_options() -> dict[str, Any]:
    """django-redis OPTIONS entries for a Redis Cluster (added to the single-Redis ones)."""
    return {"CONNECTION_FACTORY": "optimizer.redis_client.ClusterConnectionFactory"}


class RedisConnection:
    """One Redis: the project's (url=None: settings.CACHES[cache_alias]) or the one at url.

    cluster: whether url names a seed node of a Redis Cluster (default: settings.REDIS_CLUSTER
    for the project's Redis, False for an explicit url).
    """

    def __init__(
        self, url: str | None = None, cache_alias: str = "default", cluster: bool | None = None
    ) -> None:
        self.url = url
        self.cache_alias = cache_alias
        self._cluster = cluster
        self._own_store: BaseCache | None = None
        self._key_parts: tuple[Any, str, int] | None = None
        self._async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncClient] = (
            weakref.WeakKeyDictionary()
        )
        self._blocking_clients: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, AsyncClient
        ] = weakref.WeakKeyDictionary()

    @property
    def embedded(self) -> bool:
        return self.url is None and not settings.REDIS_URL

    @property
    def cluster(self) -> bool:
        if self._cluster is not None:
            return self._cluster
        return self.url is None and bool(settings.REDIS_URL) and settings.REDIS_CLUSTER

    @property
    def store(self) -> BaseCache:
        """The Django cache backend (django-redis) on this Redis."""
        if self.url is None:
            return caches[self.cache_alias]
        if self._own_store is None:
            from django_redis.cache import RedisCache

            options: dict[str, Any] = {
                "SERIALIZER": "django_redis.serializers.json.JSONSerializer",
                "SOCKET_CONNECT_TIMEOUT": settings.REDIS_CONNECT_TIMEOUT,
                "SOCKET_TIMEOUT": settings.REDIS_SOCKET_TIMEOUT,
                "CONNECTION_POOL_CLASS": "redis.BlockingConnectionPool",
                "CONNECTION_POOL_KWARGS": pool_kwargs(),
            }
            if self.cluster:
                options.update(cluster_cache_options())
            self._own_store = RedisCache(self.url, {"OPTIONS": options})
        return self._own_store

    def sync_client(self) -> SyncClient:
        """The redis-py client under django-redis, for sync callers (admin, SCAN, deletes).

        On a cluster, a RedisCluster: single-key commands and pipelines go to the right nodes;
        what walks the keyspace (SCAN, DBSIZE) goes to each of primaries() instead.
        """
        backend: Any = self.store  # django-redis's RedisCache (untyped): its .client is its own
        client: SyncClient = backend.client.get_client(write=True)
        return client

    def primaries(self) -> list[redis.Redis]:
        """One client per primary node, in a stable order (host, port): the whole keyspace is
        the union of theirs. One Redis: [sync_client()]."""
        client = self.sync_client()
        if not isinstance(client, redis.cluster.RedisCluster):
            return [client]
        nodes = sorted(client.get_primaries(), key=lambda node: (node.host, node.port))
        return [client.get_redis_connection(node) for node in nodes]

    def async_client(self) -> AsyncClient:
        """One redis.asyncio client per event loop (a pool cannot cross loops)."""
        loop = asyncio.get_running_loop()
        client = self._async_clients.get(loop)
        if client is None:
            client = self._new_async_client()
            self._async_clients[loop] = client
        return client

    def blocking_client(self) -> AsyncClient:
        """One client per event loop for blocking reads (XREAD BLOCK), apart from the others:
        its own pool (REDIS_MAX_BLOCKING_CONNECTIONS), so that viewers waiting for events never
        take the connections a cache hit needs, and a read timeout longer than the block."""
        loop = asyncio.get_running_loop()
        client = self._blocking_clients.get(loop)
        if client is None:
            client = self._new_async_client(
                settings.REDIS_MAX_BLOCKING_CONNECTIONS,
                MAX_BLOCK_SECONDS + settings.REDIS_SOCKET_TIMEOUT,
            )
            self._blocking_clients[loop] = client
        return client

    def _new_async_client(
        self, max_connections: int | None = None, read_timeout: float | None = None
    ) -> AsyncClient:
        connections = max_connections or settings.REDIS_MAX_CONNECTIONS
        timeout = settings.REDIS_SOCKET_TIMEOUT
        wait: dict[str, Any] = {
            "max_connections": connections,
            "timeout": settings.REDIS_POOL_TIMEOUT,
        }
        if self.embedded:
            pool = _WaitingPool(**wait, **async_connection_kwargs())
            return redis.asyncio.Redis(connection_pool=pool)
        url = self.url or settings.REDIS_URL
        if self.cluster:
            client = _AsyncCluster.from_url(
                url,
                max_connections=connections,
                socket_timeout=read_timeout or timeout,
                socket_connect_timeout=settings.REDIS_CONNECT_TIMEOUT,
            )
            return cast("_AsyncCluster", client).limit(connections, settings.REDIS_POOL_TIMEOUT)
        pool = _WaitingPool.from_url(
            url,
            socket_timeout=read_timeout or timeout,
            socket_connect_timeout=settings.REDIS_CONNECT_TIMEOUT,
            **wait,
        )
        return redis.asyncio.Redis(connection_pool=pool)

    def full_key(self, key: str) -> str:
        """The Redis key django-redis uses for key (KEY_PREFIX and version applied)."""
        if self._key_parts is None:
            # The backend's key function, prefix and version, read once: looking the backend
            # up in django.core.cache.caches (a context-local) was ~6% of a cache hit's CPU.
            backend: Any = self.store
            self._key_parts = (backend.key_func, backend.key_prefix, backend.version)
        key_func, prefix, version = self._key_parts
        return str(key_func(key, prefix, version))


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
