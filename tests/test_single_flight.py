"""Single-flight: identical requests that miss the cache together make one upstream call."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import redis

from optimizer import flights, redis_client, services
from optimizer.llm.cache_control import CachePolicy
from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db(transaction=True)

REQUEST = services.OptimizeRequest(
    "Jane Doe\nSenior Python Developer\n- Built Django APIs at Acme Corp",
    "Python Developer, Django",
)


async def _events(**kwargs: Any) -> list[Any]:
    return [event async for event in services.stream(REQUEST, **kwargs)]


NO_STORE = CachePolicy(lookup=False, store=False)  # a reference run that leaves no cache entry


def _text(events: list[Any]) -> str:
    return "".join(e.data["content"] for e in events if e.type == "chunk")


async def test_identical_requests_at_once_make_one_upstream_call(use_anthropic: Any) -> None:
    use_anthropic.set_default(FakeReply(chunk_delay=0.005))
    streams = [asyncio.ensure_future(_events()) for _ in range(5)]
    answers = [asyncio.ensure_future(services.generate(REQUEST)) for _ in range(20)]
    streamed = await asyncio.gather(*streams)
    generated = await asyncio.gather(*answers)
    assert use_anthropic.calls == 1
    results = [events[-1].data["result"] for events in streamed] + generated
    assert len({r["optimized_resume"] for r in results}) == 1
    assert len({_text(events) for events in streamed}) == 1  # every stream got every chunk
    for events in streamed:
        assert [e.id for e in events] == list(range(1, len(events) + 1))  # each its own ids
    leaders = [r for r in results if r["usage_stats"]["cost_usd"]]
    assert len(leaders) == 1
    followers = [r for r in results if r["usage_stats"].get("shared")]
    assert len(followers) == 24
    assert all(
        f["usage_stats"]["saved_usd"] == leaders[0]["usage_stats"]["cost_usd"] for f in followers
    )


async def test_a_late_follower_gets_the_events_already_produced_then_the_rest(
    use_anthropic: Any,
) -> None:
    use_anthropic.set_default(FakeReply(chunk_delay=0.01))
    leader = asyncio.ensure_future(_events())
    assert await use_anthropic.wait_for_async(
        lambda: use_anthropic.calls == 1 and len(use_anthropic.last_request.chunk_sent_at) >= 3,
        10,
    )
    follower = await _events()
    assert _text(follower) == _text(await leader)
    assert follower[-1].data["result"]["usage_stats"]["shared"] is True
    assert use_anthropic.calls == 1


async def test_the_generation_goes_on_for_followers_when_the_leaders_client_leaves(
    use_anthropic: Any,
) -> None:
    leader = await _leader_mid_text(use_anthropic)
    follower = asyncio.ensure_future(_events())
    assert await _wait_for_followers(1)
    await leader.aclose()  # the leader's client goes away mid-text
    events = await follower
    assert events[-1].type == "done"
    assert use_anthropic.calls == 1
    assert use_anthropic.disconnects == 0  # upstream was not closed: somebody still wanted it


async def test_a_leader_alone_closes_upstream_at_once_when_its_client_leaves(
    use_anthropic: Any,
) -> None:
    leader = await _leader_mid_text(use_anthropic)
    await leader.aclose()
    assert await use_anthropic.wait_for_async(lambda: use_anthropic.disconnects == 1, 5)


async def test_a_flight_whose_leader_died_is_taken_over(use_anthropic: Any, settings: Any) -> None:
    settings.JOB_LEASE_SECONDS = 0.3
    key = _cache_key()
    dead = flights.Flight(key, "dead-leader", leader=True)
    client = redis_client.connection().async_client()
    await client.set(dead.lock_key, dead.id, px=300)  # a leader that will never renew
    events = await _events()
    assert events[-1].type == "done"
    assert use_anthropic.calls == 1  # the follower ran it itself


async def test_single_flight_can_be_turned_off(use_anthropic: Any, settings: Any) -> None:
    settings.SINGLE_FLIGHT = False
    settings.CACHE_ENABLED = False
    use_anthropic.set_default(FakeReply(chunk_delay=0.005))
    await asyncio.gather(services.generate(REQUEST), services.generate(REQUEST))
    assert use_anthropic.calls == 2


async def _leader_mid_text(fake: Any) -> Any:
    """A leader's stream read up to its first chunk (the generation is under way)."""
    fake.set_default(FakeReply(chunk_delay=0.01))
    leader = services.stream(REQUEST)
    async for event in leader:
        if event.type == "chunk":
            break
    return leader


def _cache_key() -> str:
    from optimizer.llm.cache import get_llm_cache

    llm = services.build_llm_request(REQUEST)
    return get_llm_cache().make_key(
        llm.prompt,
        llm.system_prompt,
        llm.model,
        llm.max_tokens,
        llm.temperature,
        provider="anthropic",
    )


async def _wait_for_followers(count: int) -> bool:
    client = redis_client.connection().async_client()
    for _ in range(500):
        keys = [k async for k in client.scan_iter(match="*flight:*:followers")]
        values = [int(await client.get(k) or 0) for k in keys]
        if sum(values) >= count:
            return True
        await asyncio.sleep(0.01)  # waiting for a state, bounded
    return False


async def test_a_page_job_and_an_api_call_share_one_generation(use_anthropic: Any) -> None:
    from optimizer import jobs
    from optimizer.models import Optimization

    use_anthropic.set_default(FakeReply(chunk_delay=0.005))
    job = await services.create_optimization(
        resume=REQUEST.resume,
        job_description=REQUEST.job_description,
        source=Optimization.Source.PAGE,
        session_key="s" * 32,
    )
    page = asyncio.ensure_future(_collect(jobs.follow(job)))
    api = asyncio.ensure_future(services.generate(REQUEST))
    page_events, api_result = await asyncio.gather(page, api)
    assert page_events[-1].data["result"]["optimized_resume"] == api_result["optimized_resume"]
    assert use_anthropic.calls == 1
    await job.arefresh_from_db()
    assert job.status == Optimization.Status.DONE


async def _collect(events: Any) -> list[Any]:
    return [event async for event in events]


async def test_a_finished_flight_leaves_no_lock_behind(use_anthropic: Any) -> None:
    await services.generate(REQUEST)  # generate() stops reading at done: the lock still goes
    client = redis_client.connection().async_client()
    assert [k async for k in client.scan_iter(match="*flight:*:lock")] == []


async def test_the_lock_is_gone_when_the_leaders_client_sees_the_end(use_anthropic: Any) -> None:
    # A client that retries as soon as it sees a failure must lead a new flight, not follow
    # the finished one and get its error again (the page's retry button did, now and then).
    use_anthropic.fail(400)
    client = redis_client.connection().async_client()
    events = services.stream(REQUEST)
    async for event in events:
        if event.type == "error":
            assert [k async for k in client.scan_iter(match="*flight:*:lock")] == []
            break
    else:
        pytest.fail("the stream ended without its error")
    await events.aclose()
    retried = await _events()
    assert retried[-1].type == "done"
    assert use_anthropic.calls == 2


async def _result_text(events: list[Any]) -> str:
    done = events[-1]
    assert done.type == "done", done
    return str(done.data["result"]["optimized_resume"])


async def test_a_follower_that_cannot_read_the_flight_calls_upstream_itself(
    use_anthropic: Any, monkeypatch: Any
) -> None:
    import redis

    expected = await _result_text(await _events(cache_policy=NO_STORE))  # the same reply
    dead = flights.Flight(_cache_key(), "slow-leader", leader=True)
    await redis_client.connection().async_client().set(dead.lock_key, dead.id, px=30_000)

    async def unreadable(self: flights.Flight) -> Any:
        yield {"type": "chunk", "content": "OPTIMIZED RESUME\nJane"}  # some text, then Redis
        raise redis.exceptions.TimeoutError("Timeout connecting to server")

    monkeypatch.setattr(flights.Flight, "events", unreadable)
    events = await _events()
    assert await _result_text(events) == expected  # the new call's text, not text + text
    assert use_anthropic.calls == 2  # the follower's own call (after the reference one)


async def test_a_follower_that_takes_over_a_dead_leader_mid_text_keeps_one_copy_of_the_text(
    use_anthropic: Any, settings: Any
) -> None:
    expected = await _result_text(await _events(cache_policy=NO_STORE))
    settings.JOB_LEASE_SECONDS = 0.3
    dead = flights.Flight(_cache_key(), "dead-leader", leader=True)
    await redis_client.connection().async_client().set(dead.lock_key, dead.id, px=300)
    written = await dead.publish({"type": "chunk", "content": "OPTIMIZED RESUME\nJane"})
    assert await written  # then it died
    events = await _events()
    assert await _result_text(events) == expected
    assert use_anthropic.calls == 2


@pytest.fixture
def writes(monkeypatch: Any) -> list[int]:
    """The size of each pipeline the worker's flight writer sends."""
    sizes: list[int] = []
    real_write = flights._Writer._write

    async def counted(self: Any, batch: list[Any]) -> bool:
        sizes.append(len(batch))
        return await real_write(self, batch)

    monkeypatch.setattr(flights._Writer, "_write", counted)
    return sizes


async def test_the_flights_of_a_worker_are_written_in_one_round_trip_each_in_its_order(
    writes: list[int],
) -> None:
    leaders = [flights.Flight(f"llm:v1:writer-{i}", f"f{i}", leader=True) for i in range(3)]
    futures = [
        await flight.publish({"type": "chunk", "content": f"{flight.id}-{n}"})
        for n in range(5)
        for flight in leaders
    ]
    assert await asyncio.gather(*futures) == [True] * 15
    assert writes == [15]  # published while the loop did not yield: one pipeline
    client = redis_client.connection().async_client()
    for flight in leaders:
        entries = await client.xrange(flight.events_key)
        contents = [json.loads(fields[b"e"])["content"] for _, fields in entries]
        assert contents == [f"{flight.id}-{n}" for n in range(5)]
        assert 0 < await client.ttl(flight.events_key) <= flights.FLIGHT_TTL_SECONDS
        await client.delete(flight.events_key)


async def test_a_flight_event_redis_did_not_take_is_reported_lost_and_logged(
    monkeypatch: Any, caplog: Any
) -> None:
    class Down:
        def pipeline(self, **kwargs: Any) -> Any:
            raise redis.exceptions.ConnectionError("Redis is down")

    connection = redis_client.connection()
    monkeypatch.setattr(connection, "async_client", lambda: Down())
    flight = flights.Flight("llm:v1:writer-down", "down", leader=True)
    written = await flight.publish({"type": "chunk", "content": "lost"})
    assert await written is False
    assert "Could not publish 1 flight event(s): Redis is down" in caplog.text


async def test_a_backlog_of_flight_events_is_written_in_bounded_pipelines(
    writes: list[int],
) -> None:
    flight = flights.Flight("llm:v1:writer-backlog", "backlog", leader=True)
    futures = [await flight.publish({"type": "chunk", "content": str(n)}) for n in range(1200)]
    assert all(await asyncio.gather(*futures))
    assert writes == [500, 500, 200]  # in order, none longer than MAX_EVENTS_PER_WRITE
    client = redis_client.connection().async_client()
    entries = await client.xrange(flight.events_key)
    assert [json.loads(f[b"e"])["content"] for _, f in entries] == [str(n) for n in range(1200)]
    await client.delete(flight.events_key)
