"""A semaphore held in Redis: at most BATCH_MAX_CONCURRENCY batch items call upstream at once,
across every web and Celery worker (a per-process asyncio.Semaphore would bound one process).

The semaphore is BATCH_MAX_CONCURRENCY slot keys, batch:slots:{n}, each a lease like a job's
(SET NX PX with the holder's token, renewed while it is held, deleted by its holder at the end).
Taking a slot tries each key once; a process that dies holding one loses it when its lease
lapses. A waiter blocks on a wake-up list (BLPOP) that every release pushes to, and looks again
at least every lease/3 (a lapsed slot pushes nothing). Each slot is a key of its own: no Lua
and no multi-key command, so it works the same on the embedded Redis and on Redis Cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

from django.conf import settings

from optimizer import redis_client
from optimizer.redis_client import REDIS_ERRORS

logger = logging.getLogger(__name__)

WAKE_TTL_SECONDS = 60  # the wake-up list is short-lived: a push nobody takes soon is stale


def _key(part: str) -> str:
    return redis_client.connection().full_key(f"batch:slots:{part}")


def _lease_ms() -> int:
    return int(settings.JOB_LEASE_SECONDS * 1000)


async def _try_take(token: str) -> str | None:
    """A free slot's key, now held by token; None when all are taken."""
    client = redis_client.connection().async_client()
    for index in range(settings.BATCH_MAX_CONCURRENCY):
        key = _key(str(index))
        if await client.set(key, token, nx=True, px=_lease_ms()):
            return key
    return None


async def _keep(key: str, token: str) -> None:
    client = redis_client.connection().async_client()
    while True:
        await asyncio.sleep(settings.JOB_LEASE_SECONDS / 3)
        try:
            if await client.get(key) != token.encode():
                logger.warning("Batch slot %s was lost (its lease lapsed)", key)
                return
            await client.set(key, token, xx=True, px=_lease_ms())
        except REDIS_ERRORS as error:
            logger.warning("Could not renew batch slot %s: %s", key, error)


async def _release(key: str, token: str) -> None:
    client = redis_client.connection().async_client()
    try:
        if await client.get(key) == token.encode():
            await client.delete(key)
        async with client.pipeline(transaction=False) as pipe:
            pipe.lpush(_key("wake"), "1")
            pipe.ltrim(_key("wake"), 0, settings.BATCH_MAX_CONCURRENCY * 4)
            pipe.expire(_key("wake"), WAKE_TTL_SECONDS)
            await pipe.execute()
    except REDIS_ERRORS as error:
        logger.warning("Could not release batch slot %s: %s", key, error)


@contextlib.asynccontextmanager
async def upstream_slot() -> AsyncIterator[None]:
    """Hold one of the BATCH_MAX_CONCURRENCY slots while the body runs (waits for one).

    When Redis cannot be reached the body runs without a slot (logged): a batch is slowed by an
    outage, never failed by the limiter."""
    token = uuid.uuid4().hex
    blocking = redis_client.connection().blocking_client()
    wait = max(0.05, min(1.0, settings.JOB_LEASE_SECONDS / 3))
    try:
        while (key := await _try_take(token)) is None:
            await blocking.blpop([_key("wake")], timeout=wait)
    except REDIS_ERRORS as error:
        logger.warning("Batch concurrency limit unavailable (%s): calling upstream", error)
        yield
        return
    renew = asyncio.ensure_future(_keep(key, token))
    try:
        yield
    finally:
        renew.cancel()
        await asyncio.shield(_release(key, token))


async def held() -> int:
    """How many slots are held now (the admin, tests)."""
    client = redis_client.connection().async_client()
    keys = [_key(str(index)) for index in range(settings.BATCH_MAX_CONCURRENCY)]
    return sum([1 for key in keys if await client.exists(key)])
