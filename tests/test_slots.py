"""The batch concurrency slots (optimizer/slots.py): at most BATCH_MAX_CONCURRENCY holders at
once, on the embedded Redis and on the real one; a slot is given back at the end, also on an
error; a dead holder's slot lapses with its lease; a Redis outage lets the call through."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from conftest import use_redis

from optimizer import slots


async def _hold_many(count: int) -> int:
    """Run `count` holders that each wait to be released; returns the most inside at once."""
    inside = 0
    most = 0
    release = asyncio.Event()
    entered = asyncio.Condition()

    async def holder() -> None:
        nonlocal inside, most
        async with slots.upstream_slot():
            async with entered:
                inside += 1
                most = max(most, inside)
                entered.notify_all()
            await release.wait()
            inside -= 1

    tasks = [asyncio.ensure_future(holder()) for _ in range(count)]
    async with entered:
        await entered.wait_for(lambda: inside >= 2)
    await asyncio.sleep(0.1)  # room for a third to get in, were the limit broken
    release.set()  # the first two leave; the others take their slots in turn
    await asyncio.gather(*tasks)
    return most


@pytest.mark.parametrize("redis", ["embedded", "real"])
async def test_no_more_than_the_limit_hold_a_slot_at_once(
    settings: Any, request: pytest.FixtureRequest, redis: str
) -> None:
    if redis == "real":
        request.getfixturevalue("real_redis")
    settings.BATCH_MAX_CONCURRENCY = 2
    assert await _hold_many(6) == 2
    assert await slots.held() == 0


async def test_a_slot_is_given_back_when_the_body_fails(settings: Any) -> None:
    settings.BATCH_MAX_CONCURRENCY = 1
    with pytest.raises(RuntimeError):
        async with slots.upstream_slot():
            assert await slots.held() == 1
            raise RuntimeError("upstream broke")
    assert await slots.held() == 0
    async with slots.upstream_slot():  # and the next caller gets it at once
        assert await slots.held() == 1


async def test_a_dead_holders_slot_lapses_with_its_lease(settings: Any) -> None:
    settings.BATCH_MAX_CONCURRENCY = 1
    settings.JOB_LEASE_SECONDS = 0.3
    # A holder that died: it took the slot and will never renew or release it.
    assert await slots._try_take("dead-process") is not None
    assert await slots.held() == 1
    async with asyncio.timeout(5):  # far more than one lease
        async with slots.upstream_slot():
            assert await slots.held() == 1
    assert await slots.held() == 0


async def test_a_held_slot_is_renewed_past_its_lease(settings: Any) -> None:
    settings.BATCH_MAX_CONCURRENCY = 1
    settings.JOB_LEASE_SECONDS = 0.3
    async with slots.upstream_slot():
        await asyncio.sleep(1.0)  # three leases: still ours, renewed
        assert await slots._try_take("another") is None
    assert await slots._try_take("another") is not None


async def test_without_redis_the_call_goes_through(settings: Any) -> None:
    use_redis(settings, "redis://127.0.0.1:1/0")  # nobody listens there
    async with asyncio.timeout(10):
        async with slots.upstream_slot():
            pass
