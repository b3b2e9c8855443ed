"""A job's events in a Redis Stream: stored as produced, read by blocking viewers, no polling."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
import redis
from conftest import use_redis

from optimizer import jobs, redis_client, services
from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db(transaction=True)


async def _collect(job: Any, last_event_id: int = 0) -> list[Any]:
    return [event async for event in jobs.follow(job, last_event_id=last_event_id)]


async def test_events_are_a_stream_whose_ids_are_the_event_ids(use_anthropic: Any) -> None:
    job = await services.create_optimization(resume="r" * 40, job_description="j" * 40)
    events = await _collect(job)
    assert events[-1].type == "done"
    client = redis_client.connection().async_client()
    key = jobs._key(job.pk, "events")
    assert "{" + str(job.pk) + "}" in key  # the job's Redis Cluster hash tag
    entries = await client.xrange(key)
    assert [entry_id for entry_id, _ in entries] == [f"0-{e.id}".encode() for e in events]
    assert 0 < await client.ttl(key) <= jobs.EVENTS_TTL_SECONDS
    resumed = await jobs.events_after(job.pk, 3)
    assert [e.id for e in resumed] == [e.id for e in events[3:]]


async def test_a_viewer_gets_each_event_before_the_next_is_produced(use_anthropic: Any) -> None:
    use_anthropic.enqueue(FakeReply(chunks=["one ", "two ", "three"], chunk_delay=0.2))
    # This test's event loop gets new Redis clients: on a Redis Cluster their first command reads
    # the slot map and the command table (once per worker in production). Not what is measured.
    await redis_client.connection().blocking_client().exists("warm-up")
    await redis_client.connection().async_client().exists("warm-up")
    job = await services.create_optimization(resume="r" * 40, job_description="j" * 40)
    assert await jobs.start(job)
    arrivals: list[float] = []
    async for event in jobs.follow(job):
        if event.type == "chunk":
            arrivals.append(time.time())
    sent = use_anthropic.last_request.chunk_sent_at
    assert len(arrivals) == len(sent) == 3
    for i in range(len(sent) - 1):
        assert arrivals[i] < sent[i + 1]  # through Redis to the viewer before the next one


async def test_an_idle_viewer_costs_at_most_one_redis_command_a_second(
    own_redis: Any, settings: Any, use_anthropic: Any
) -> None:
    use_redis(settings, own_redis.url)
    use_anthropic.enqueue(FakeReply(first_token_delay=30))  # a long quiet start
    job = await services.create_optimization(resume="r" * 40, job_description="j" * 40)
    assert await jobs.start(job)
    assert await use_anthropic.wait_for_async(lambda: use_anthropic.open_streams == 1, 10)
    viewers = [asyncio.ensure_future(_collect(job)) for _ in range(10)]
    probe = redis.Redis.from_url(own_redis.url)
    # Wait until all 10 viewers are blocked in XREAD, then count commands over a quiet period.
    deadline = asyncio.get_running_loop().time() + 10
    while probe.info("clients")["blocked_clients"] < 10:
        assert asyncio.get_running_loop().time() < deadline, "viewers never blocked"
        await asyncio.sleep(0.01)  # waiting for a state, with a deadline
    before = _commands(probe)
    quiet = 3.0
    await asyncio.sleep(quiet)  # the measured period itself, not a synchronisation
    spent = _commands(probe) - before - 1  # minus the INFO that read the counters
    for viewer in viewers:
        viewer.cancel()
    jobs._running[job.pk].cancel()
    await asyncio.gather(*viewers, jobs._running[job.pk], return_exceptions=True)
    print(f"{spent} Redis commands by 10 idle viewers in {quiet} s")
    assert spent / (10 * quiet) <= 1.0, f"{spent} commands by 10 idle viewers in {quiet} s"


def _commands(client: redis.Redis) -> int:
    stats = client.info("commandstats")
    return sum(int(value["calls"]) for value in stats.values())


async def test_a_viewer_of_a_job_whose_runner_died_has_it_run_again(
    use_anthropic: Any, settings: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from optimizer.models import Optimization

    settings.JOB_ORPHAN_GRACE_SECONDS = 1  # a viewer looks every third of it
    settings.JOB_LEASE_SECONDS = 0.2
    job = await services.create_optimization(resume="r" * 40, job_description="j" * 40)
    assert await services.claim(job)  # claimed by a process that then died: no lease, no events
    long_ago = timezone.now() - timedelta(seconds=5)
    await Optimization.objects.filter(pk=job.pk).aupdate(updated_at=long_ago)
    await job.arefresh_from_db()
    events = await _collect(job)
    assert events[-1].type == "done"
    assert use_anthropic.calls == 1
