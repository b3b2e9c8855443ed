"""Single-flight: identical requests that miss the cache together share one upstream call.

The first request for a cache key that misses takes the key's lock (SET NX with a lease it
renews while it runs) and becomes the leader: it publishes every event of its generation to a
Redis Stream of that flight. Identical requests that arrive meanwhile, on any worker and through
any endpoint, find the lock and follow that stream from its start instead of calling upstream.
Followers count themselves in, so a leader whose own client went away knows whether to go on
(somebody follows) or to close the upstream call at once (nobody does). A flight whose lease
expires without an end (its process died) is taken over by a follower.

Keys share the cache digest as a Redis Cluster hash tag: flight:{<digest>}:lock, and
flight:{<digest>}:<flight id>:events / :followers.

Publishing does not hold up the leader's own client: events are appended by one writer per
event loop that sends whatever all the flights of the worker published meanwhile in one
pipeline (1,000 streams at 10 chunks a second each: a few hundred round trips a second instead
of 10,000, and no wait for a pooled connection per chunk). Each flight's events keep their
order; the leader waits for its last event (done or error) to be written before it lets go
of the lock, and for its earlier ones only when the writer falls far behind.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
import weakref
from collections.abc import AsyncGenerator
from typing import Any

from django.conf import settings

from optimizer import redis_client
from optimizer.redis_client import REDIS_ERRORS

logger = logging.getLogger(__name__)

FLIGHT_TTL_SECONDS = 600  # a flight's stream and counter outlive any generation
FOLLOW_WAIT_SECONDS = 1.0  # a quiet follower checks the leader's lease this often
# Events waiting for the writer past which a leader waits for its own to be written (Redis
# slower than the worker's streams): memory stays bounded.
MAX_UNWRITTEN_EVENTS = 10_000
# Events per pipeline: a longer one (a busy worker's backlog) took longer to write than the
# socket timeout allows (REDIS_SOCKET_TIMEOUT), and the whole batch was lost.
MAX_EVENTS_PER_WRITE = 500


class _Writer:
    """Appends the events the flights of one event loop publish: each pass of the loop's
    writer task sends everything published since the previous one in one pipeline."""

    def __init__(self) -> None:
        self.waiting: list[tuple[str, str, asyncio.Future[bool]]] = []
        self.task: asyncio.Task[None] | None = None

    def append(self, key: str, payload: str) -> asyncio.Future[bool]:
        """Queue one event; the future says whether it was written (True) or lost (False)."""
        written: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.waiting.append((key, payload, written))
        if self.task is None:
            self.task = asyncio.ensure_future(self._run())
        return written

    async def _run(self) -> None:
        batch: list[tuple[str, str, asyncio.Future[bool]]] = []
        try:
            while self.waiting:
                batch = self.waiting[:MAX_EVENTS_PER_WRITE]
                del self.waiting[:MAX_EVENTS_PER_WRITE]
                _settle(batch, await self._write(batch))
        finally:
            self.task = None
            _settle(batch, False)  # cancelled mid-write (the loop is closing): not known written

    async def _write(self, batch: list[tuple[str, str, asyncio.Future[bool]]]) -> bool:
        client = redis_client.connection().async_client()
        try:
            async with client.pipeline(transaction=False) as pipe:
                for key, payload, _ in batch:
                    pipe.xadd(key, {"e": payload})
                for key in dict.fromkeys(key for key, _, _ in batch):
                    pipe.expire(key, FLIGHT_TTL_SECONDS)
                await pipe.execute()
        except REDIS_ERRORS as error:  # followers take over when the leader's lease lapses
            logger.warning("Could not publish %d flight event(s): %s", len(batch), error)
            return False
        return True


def _settle(batch: list[tuple[str, str, asyncio.Future[bool]]], ok: bool) -> None:
    for _, _, written in batch:
        if not written.done():
            written.set_result(ok)


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Writer] = (
    weakref.WeakKeyDictionary()
)


def _writer() -> _Writer:
    loop = asyncio.get_running_loop()
    writer = _writers.get(loop)
    if writer is None:
        writer = _writers[loop] = _Writer()
    return writer


class Flight:
    """One generation shared by identical requests: its lock, event stream and followers."""

    def __init__(self, cache_key: str, flight_id: str, *, leader: bool) -> None:
        digest = cache_key.rsplit(":", 1)[-1]
        redis = redis_client.connection()
        self.id = flight_id
        self.leader = leader
        self.lock_key = redis.full_key(f"flight:{{{digest}}}:lock")
        self.events_key = redis.full_key(f"flight:{{{digest}}}:{flight_id}:events")
        self.followers_key = redis.full_key(f"flight:{{{digest}}}:{flight_id}:followers")

    # -- the leader ----------------------------------------------------------------------------

    async def publish(self, data: dict[str, Any]) -> asyncio.Future[bool]:
        """Queue one event for the loop's writer (without its id: each follower numbers its
        own). Returns at once, unless the writer is far behind; the future it returns says
        whether the event was written."""
        writer = _writer()
        written = writer.append(self.events_key, json.dumps(data, ensure_ascii=False))
        if len(writer.waiting) > MAX_UNWRITTEN_EVENTS:
            await asyncio.shield(written)
        return written

    async def keep_lease(self) -> None:
        """Renew the lock while the generation runs (cancelled when it ends)."""
        lease = settings.JOB_LEASE_SECONDS
        client = redis_client.connection().async_client()
        while True:
            await asyncio.sleep(lease / 3)
            try:
                await client.set(self.lock_key, self.id, xx=True, px=int(lease * 1000))
            except REDIS_ERRORS as error:
                logger.warning("Could not renew the lease of flight %s: %s", self.id, error)

    async def release(self) -> None:
        """Drop the lock if it is still ours (after the result is cached)."""
        client = redis_client.connection().async_client()
        try:
            if await client.get(self.lock_key) == self.id.encode():
                await client.delete(self.lock_key)
        except REDIS_ERRORS as error:
            logger.warning("Could not release flight %s: %s", self.id, error)

    async def followers(self) -> int:
        try:
            count = await redis_client.connection().async_client().get(self.followers_key)
        except REDIS_ERRORS:
            return 0
        return int(count or 0)

    # -- a follower ----------------------------------------------------------------------------

    async def join(self) -> None:
        client = redis_client.connection().async_client()
        async with client.pipeline(transaction=False) as pipe:
            pipe.incr(self.followers_key)
            pipe.expire(self.followers_key, FLIGHT_TTL_SECONDS)
            await pipe.execute()

    async def leave(self) -> None:
        try:
            await redis_client.connection().async_client().decr(self.followers_key)
        except REDIS_ERRORS as error:
            logger.warning("Could not leave flight %s: %s", self.id, error)

    async def alive(self) -> bool:
        """The leader still holds the lease."""
        value = await redis_client.connection().async_client().get(self.lock_key)
        return bool(value == self.id.encode())

    async def events(self) -> AsyncGenerator[dict[str, Any] | None, None]:
        """The flight's events from its start, then live. None, and the end: the leader lost
        its lease without publishing an end (its process died), so nobody will."""
        client = redis_client.connection().blocking_client()
        position: Any = "0"
        while True:
            reply: Any = await client.xread(
                {self.events_key: position}, count=1000, block=int(FOLLOW_WAIT_SECONDS * 1000)
            )
            if reply:
                for entry_id, fields in reply[0][1]:
                    position = entry_id
                    yield json.loads(fields[b"e"])
                continue
            if not await self.alive():
                # Read once more: the end may have come between the wait and the check.
                rest: Any = await client.xread({self.events_key: position}, count=1000)
                for _, fields in rest[0][1] if rest else []:
                    yield json.loads(fields[b"e"])
                yield None
                return


async def take(cache_key: str) -> Flight | None:
    """Lead the generation for cache_key, or follow the one under way. None: no single-flight
    (turned off, or Redis is away: every request then calls upstream on its own)."""
    if not settings.SINGLE_FLIGHT:
        return None
    flight_id = uuid.uuid4().hex
    probe = Flight(cache_key, flight_id, leader=True)
    client = redis_client.connection().async_client()
    lease_ms = int(settings.JOB_LEASE_SECONDS * 1000)
    try:
        async with client.pipeline(transaction=False) as pipe:
            pipe.set(probe.lock_key, flight_id, nx=True, px=lease_ms)
            pipe.get(probe.lock_key)
            won, holder = await pipe.execute()
    except REDIS_ERRORS as error:
        logger.warning("Single-flight unavailable (%s): calling upstream alone", error)
        return None
    if won:
        return probe
    if holder is None:  # released between the two commands: the result is cached by now
        return None
    return Flight(cache_key, holder.decode(), leader=False)
