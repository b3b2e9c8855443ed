"""A batch's wake-ups: each time one of its items starts or ends, an entry in a Redis Stream
batch:{<id>}:events, which the batch's viewers block on (XREAD BLOCK), on any worker.

The entries only say "look again": a viewer reloads the batch's items (one query for at most
BATCH_MAX_JOBS rows), so a wake-up lost to a Redis hiccup costs a delay, never a wrong table.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from optimizer import redis_client
from optimizer.redis_client import REDIS_ERRORS

logger = logging.getLogger(__name__)

EVENTS_TTL_SECONDS = 2 * 24 * 3600  # a deferred batch may wait a day for its answers
EVENTS_MAX_LENGTH = 1000


def _key(batch_id: uuid.UUID) -> str:
    return redis_client.connection().full_key(f"batch:{{{batch_id}}}:events")


async def notify(batch_id: uuid.UUID, item_id: uuid.UUID) -> None:
    """Wake the batch's viewers: item_id changed."""
    client = redis_client.connection().async_client()
    try:
        async with client.pipeline(transaction=False) as pipe:
            pipe.xadd(
                _key(batch_id),
                {"item": str(item_id)},
                maxlen=EVENTS_MAX_LENGTH,
                approximate=True,
            )
            pipe.expire(_key(batch_id), EVENTS_TTL_SECONDS)
            await pipe.execute()
    except REDIS_ERRORS as error:
        logger.warning("Could not wake the viewers of batch %s: %s", batch_id, error)


async def position(batch_id: uuid.UUID) -> str:
    """The stream's last entry id now ("0-0" when it has none, or Redis cannot say)."""
    try:
        last: Any = (
            await redis_client.connection().async_client().xrevrange(_key(batch_id), count=1)
        )
    except REDIS_ERRORS:
        return "0-0"
    return last[0][0].decode() if last else "0-0"


async def wait(batch_id: uuid.UUID, after: str, seconds: float) -> str:
    """Block until an entry after `after` arrives, or for `seconds`; the new position."""
    client = redis_client.connection().blocking_client()
    try:
        reply: Any = await client.xread(
            {_key(batch_id): after}, count=EVENTS_MAX_LENGTH, block=int(seconds * 1000)
        )
    except REDIS_ERRORS as error:
        logger.warning("Could not wait on batch %s: %s", batch_id, error)
        return after
    return reply[0][1][-1][0].decode() if reply else after


def _writing_key(batch_id: uuid.UUID) -> str:
    return redis_client.connection().full_key(f"batch:{{{batch_id}}}:writing")


async def mark_writing(batch_id: uuid.UUID, item_id: uuid.UUID, writing: bool) -> None:
    """The item holds one of the upstream slots now (or no longer): its row says "Writing"
    rather than "Waiting for its turn". Wakes the viewers."""
    client = redis_client.connection().async_client()
    try:
        async with client.pipeline(transaction=False) as pipe:
            if writing:
                pipe.sadd(_writing_key(batch_id), str(item_id))
            else:
                pipe.srem(_writing_key(batch_id), str(item_id))
            pipe.expire(_writing_key(batch_id), EVENTS_TTL_SECONDS)
            await pipe.execute()
    except REDIS_ERRORS as error:
        logger.warning("Could not mark item %s of batch %s: %s", item_id, batch_id, error)
    await notify(batch_id, item_id)


async def writing(batch_id: uuid.UUID) -> set[str]:
    """The ids of the batch's items that hold an upstream slot now (empty if Redis cannot say)."""
    try:
        members: Any = (
            await redis_client.connection().async_client().smembers(_writing_key(batch_id))
        )
    except REDIS_ERRORS:
        return set()
    return {member.decode() for member in members}
