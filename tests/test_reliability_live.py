"""Bursts and outages against real processes: uvicorn, the real Redis and PostgreSQL.

- a burst for a cached answer on one worker: no upstream call, no 5xx, no HTML, and the worker's
  PostgreSQL connections stay within its pool;
- a rate limit of 5 a minute holds over two workers and both key headers;
- Redis killed during jobs and requests, then started again: every job ends done or failed,
  every request gets a result or a JSON error, and the cache comes back.

The fake upstream runs in this process; the Redis that is killed is a redis-server of this
test's own, on a spare port.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from conftest import POSTGRES_ADMIN_URL as ADMIN_URL
from conftest import (
    OwnRedis,
    emptied_suite_redis,
    fake_upstream_env,
)

from optimizer.testing.fake_anthropic import DEFAULT_REPLY_TEXT, FakeReply

pytestmark = [pytest.mark.live, pytest.mark.services]


def _connections_to(database_url: str) -> int:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)
        ).fetchone()
    return int(row[0]) if row else 0


def _start(factory: Callable[..., Any], fake: Any, workers: int = 1, **env: str) -> Any:
    server = factory(
        workers=workers,
        **fake_upstream_env(fake),
        **env,
    )
    server.key = server.manage("create_api_key", "burst", env=server.env).strip().splitlines()[-1]
    return server


async def _burst(url: str, requests: list[tuple[dict[str, str], dict[str, str]]]) -> list[Any]:
    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        return await asyncio.gather(
            *(client.post(url, json=body, headers=headers) for body, headers in requests),
            return_exceptions=True,
        )


def _no_5xx_but_json_503(responses: list[Any]) -> None:
    for response in responses:
        assert isinstance(response, httpx.Response), response
        assert response.headers["content-type"].startswith("application/json"), response.text
        if response.status_code >= 500:
            assert response.status_code == 503 and "Retry-After" in response.headers, response.text


@pytest.mark.parametrize("concurrency", [200, 500])
def test_a_burst_for_a_cached_answer_costs_no_upstream_call_and_no_5xx(
    live_server_factory: Callable[..., Any],
    fake_anthropic: Any,
    postgres_url: str,
    api_body: dict[str, str],
    concurrency: int,
) -> None:
    pool_size = 5
    server = _start(
        live_server_factory,
        fake_anthropic,
        REDIS_URL=emptied_suite_redis(),
        DATABASE_URL=postgres_url,
        DATABASE_POOL_SIZE=str(pool_size),
    )
    headers = {"Authorization": f"Bearer {server.key}"}
    url = f"{server.url}/api/v1/generate"
    assert httpx.post(url, json=api_body, headers=headers, timeout=30).status_code == 200
    assert fake_anthropic.calls == 1

    peak = 0

    async def burst_while_counting_connections(target: str) -> list[Any]:
        nonlocal peak
        burst = asyncio.ensure_future(_burst(target, [(api_body, headers)] * concurrency))
        while not burst.done():
            peak = max(peak, await asyncio.to_thread(_connections_to, postgres_url))
            await asyncio.wait([burst], timeout=0.05)
        return burst.result()

    responses = asyncio.run(burst_while_counting_connections(url))
    _no_5xx_but_json_503(responses)
    ok = [r for r in responses if r.status_code == 200]
    assert len(ok) == concurrency, [r.status_code for r in responses if r.status_code != 200]
    assert all(r.json()["usage_stats"]["cached"] for r in ok)
    assert fake_anthropic.calls == 1  # not one of them went upstream
    # Creating jobs writes a row in every request's own thread: the pool bounds them.
    jobs = asyncio.run(burst_while_counting_connections(f"{server.url}/api/v1/jobs"))
    _no_5xx_but_json_503(jobs)
    assert {r.status_code for r in jobs} <= {202, 503}
    # One worker: its pool, plus the process-wide sync thread's connection for key lookups.
    assert peak <= pool_size + 1
    created = sum(r.status_code == 202 for r in jobs)
    print(
        f"burst {concurrency}: {len(ok)} cached answers, {created} jobs created, "
        f"peak {peak} PostgreSQL connections"
    )


def test_a_rate_limit_of_five_a_minute_holds_over_two_workers_and_both_headers(
    live_server_factory: Callable[..., Any], fake_anthropic: Any, api_body: dict[str, str]
) -> None:
    server = _start(
        live_server_factory,
        fake_anthropic,
        workers=2,
        REDIS_URL=emptied_suite_redis(),
        API_RATE_LIMIT_PER_MINUTE="5",
    )
    # The limit counts per clock minute: start well inside one, so that the burst is in one.
    if time.time() % 60 > 45:
        time.sleep(61 - time.time() % 60)  # a precondition on the wall clock, not a race
    bearer = {"Authorization": f"Bearer {server.key}"}
    header = {"X-API-Key": server.key}
    requests = [(api_body, bearer if n % 2 else header) for n in range(60)]
    responses = asyncio.run(_burst(f"{server.url}/api/v1/generate", requests))
    _no_5xx_but_json_503(responses)
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 5, statuses
    assert statuses.count(429) == 55
    assert all(r.headers["Retry-After"] for r in responses if r.status_code == 429)


def test_redis_killed_during_jobs_and_requests_leaves_nothing_running(
    live_server_factory: Callable[..., Any],
    fake_anthropic: Any,
    own_redis: OwnRedis,
    api_body: dict[str, str],
) -> None:
    # Every answer streams for about 2 s, so that the outage comes in the middle of them.
    fake_anthropic.set_default(FakeReply(chunk_delay=0.1))
    server = _start(live_server_factory, fake_anthropic, REDIS_URL=own_redis.url)
    headers = {"Authorization": f"Bearer {server.key}"}
    base = server.url

    async def scenario() -> tuple[list[Any], list[dict[str, Any]], list[Any]]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            jobs = []
            for n in range(20):
                body = {
                    **api_body,
                    "job_description_text": f"{api_body['job_description_text']} {n}",
                }
                created = await client.post(f"{base}/api/v1/jobs", json=body, headers=headers)
                assert created.status_code == 202
                jobs.append(created.json())
            # Start them all (a result poll starts a pending job) and wait until they stream.
            for job in jobs:
                await client.get(job["result_url"])
            started = await asyncio.to_thread(
                fake_anthropic.wait_for, lambda: fake_anthropic.open_streams >= 20, 20
            )
            assert started
            requests = [
                asyncio.ensure_future(
                    client.post(
                        f"{base}/api/v1/generate",
                        json={**api_body, "resume_raw_text": f"{api_body['resume_raw_text']} {n}"},
                        headers=headers,
                    )
                )
                for n in range(50)
            ]
            own_redis.kill()  # in the middle of 20 jobs and 50 requests
            answers = await asyncio.gather(*requests, return_exceptions=True)
            own_redis.start()
            results = []
            for job in jobs:
                deadline = time.monotonic() + 30
                while True:
                    response = await client.get(job["result_url"])
                    if response.status_code != 202 or time.monotonic() > deadline:
                        break
                    await asyncio.sleep(0.1)  # polling the job's result with a deadline
                results.append({"status": response.status_code, "body": response.json()})
            health = []
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                health.append((await client.get(f"{base}/api/v1/health")).json())
                if health[-1]["cache_enabled"]:
                    break
                await asyncio.sleep(0.1)  # the cache retries 2 s after an outage
            return answers, results, health

    answers, results, health = asyncio.run(scenario())
    for answer in answers:
        assert isinstance(answer, httpx.Response), answer
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.status_code in (200, 503) or answer.status_code < 500, answer.text
    for result in results:
        assert result["status"] != 202, "a job was still running after the outage"
        if result["status"] != 200:  # a clear JSON error, not a hang: POST the job again
            assert result["body"]["error"]["code"] == "events_unavailable", result
            assert "Start it again" in result["body"]["error"]["message"]
    assert any(r["status"] != 200 for r in results)  # the outage did hit running jobs
    done = sum(r["status"] == 200 for r in results)
    answered = sum(isinstance(a, httpx.Response) and a.status_code == 200 for a in answers)
    print(
        f"outage: jobs {done} done, {len(results) - done} failed, 0 running; requests "
        f"{answered} answered, {len(answers) - answered} JSON errors; cache back: "
        f"{health[-1]['cache_enabled']}"
    )
    assert health[-1]["cache_enabled"] is True  # and the cache came back


def test_identical_requests_over_two_workers_and_four_entry_points_make_one_upstream_call(
    live_server_factory: Callable[..., Any], fake_anthropic: Any, api_body: dict[str, str]
) -> None:
    fake_anthropic.set_default(FakeReply(chunk_delay=0.01))  # about 2.5 s of streaming
    server = _start(live_server_factory, fake_anthropic, workers=2, REDIS_URL=emptied_suite_redis())
    headers = {"Authorization": f"Bearer {server.key}"}
    base = server.url

    async def through_the_page() -> str:
        """The page's htmx path: the form post, then its live stream, then the text download.
        A browser of its own: its session owns the job."""
        async with httpx.AsyncClient(timeout=60) as client:
            return await _page_flow(client)

    async def _page_flow(client: httpx.AsyncClient) -> str:
        home = await client.get(base + "/", headers={"Accept": "text/html"})
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.text)
        assert found is not None
        token = found.group(1)
        posted = await client.post(
            f"{base}/optimize/",
            data=api_body,
            headers={"HX-Request": "true", "X-CSRFToken": token, "Referer": base + "/"},
        )
        assert posted.status_code == 200, posted.text[:500]
        stream_path = re.search(r'sse-connect="(/optimize/[^/]+/)stream"', posted.text)
        if stream_path is None:  # it came after the text was done: answered from the cache
            job_path = re.search(r'href="(/optimize/[^/]+/)download.txt"', posted.text)
            assert job_path is not None, posted.text[:2000]
        else:
            events = []
            async with client.stream("GET", f"{base}{stream_path.group(1)}stream") as response:
                async for line in response.aiter_lines():
                    if line.startswith("event:"):
                        events.append(line[6:].strip())
                        if events[-1] in ("done", "failed"):
                            break
            assert events[-1] == "done" and "chunk" in events, events  # live, then the result
            job_path = stream_path
        download = await client.get(f"{base}{job_path.group(1)}download.txt")
        assert download.status_code == 200
        return download.text

    async def one_of_each(client: httpx.AsyncClient, n: int) -> str:
        """The optimized resume, through generate, generate/stream, a job's stream or the page."""
        kind = n % 4
        if kind == 3:
            return await through_the_page()
        if kind == 0:
            response = await client.post(f"{base}/api/v1/generate", json=api_body, headers=headers)
            assert response.status_code == 200, response.text
            return str(response.json()["optimized_resume"])
        if kind == 1:
            request = client.build_request(
                "POST", f"{base}/api/v1/generate/stream", json=api_body, headers=headers
            )
        else:
            created = await client.post(f"{base}/api/v1/jobs", json=api_body, headers=headers)
            assert created.status_code == 202, created.text
            request = client.build_request("GET", created.json()["stream_url"])
        response = await client.send(request, stream=True)
        last = None
        async for line in response.aiter_lines():
            if line.startswith("data:"):
                last = json.loads(line[5:])
        await response.aclose()
        assert last is not None and last["type"] == "done", last
        return str(last["result"]["optimized_resume"])

    async def burst() -> list[str]:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            return await asyncio.gather(*(one_of_each(client, n) for n in range(100)))

    resumes = asyncio.run(burst())
    assert len(resumes) == 100 and len({r.strip() for r in resumes}) == 1
    assert fake_anthropic.calls == 1


@pytest.mark.parametrize("identical", [True, False], ids=["identical", "distinct"])
def test_a_burst_of_jobs_then_their_streams_delivers_every_event_once_in_order(
    live_server_factory: Callable[..., Any],
    fake_anthropic: Any,
    api_body: dict[str, str],
    identical: bool,
) -> None:
    """100 job creations at once over 2 workers, each followed on its stream_url: no timeout,
    ids only increasing, start first and done last, and the whole text in each stream (chunks
    that waited for a slow reader arrive joined, so ids may skip, the text may not)."""
    size = len(DEFAULT_REPLY_TEXT) // 50 + 1  # 50 chunks, 1 s of text
    chunks = [DEFAULT_REPLY_TEXT[i : i + size] for i in range(0, len(DEFAULT_REPLY_TEXT), size)]
    fake_anthropic.set_default(FakeReply(chunks=chunks, chunk_delay=0.02))
    server = _start(live_server_factory, fake_anthropic, workers=2, REDIS_URL=emptied_suite_redis())
    headers = {"Authorization": f"Bearer {server.key}"}
    bodies = [
        api_body
        if identical
        else {**api_body, "resume_raw_text": f"{api_body['resume_raw_text']} {n}"}
        for n in range(100)
    ]

    async def create_then_follow(client: httpx.AsyncClient, body: dict[str, str]) -> list[Any]:
        created = await client.post(server.url + "/api/v1/jobs", json=body, headers=headers)
        assert created.status_code == 202, created.text
        events: list[tuple[int, dict[str, Any]]] = []
        async with client.stream("GET", created.json()["stream_url"]) as response:
            assert response.status_code == 200
            event_id = None
            async for line in response.aiter_lines():
                if line.startswith("id:"):
                    event_id = int(line[3:])
                elif line.startswith("data:"):
                    events.append((event_id, json.loads(line[5:])))
                    if events[-1][1]["type"] in ("done", "error"):
                        break
        return events

    async def burst() -> list[Any]:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            return await asyncio.gather(*(create_then_follow(client, b) for b in bodies))

    streams = asyncio.run(burst())  # a timeout anywhere raises here
    for events in streams:
        ids = [event_id for event_id, _ in events]
        assert ids == sorted(set(ids)), ids  # each once, in order
        kinds = [data["type"] for _, data in events]
        assert kinds[0] == "start" and kinds[-1] == "done", kinds
        text = "".join(data["content"] for _, data in events if data["type"] == "chunk")
        assert text == DEFAULT_REPLY_TEXT
    assert fake_anthropic.calls == (1 if identical else 100)


def test_viewers_of_a_job_hold_no_database_connection_while_they_wait(
    live_server_factory: Callable[..., Any],
    fake_anthropic: Any,
    postgres_url: str,
    api_body: dict[str, str],
) -> None:
    """Four times as many viewers as the pool has connections, on a job that has not started:
    every one streams while the text is written (none waits for the pool)."""
    pool_size = 2
    server = _start(
        live_server_factory,
        fake_anthropic,
        REDIS_URL=emptied_suite_redis(),
        DATABASE_URL=postgres_url,
        DATABASE_POOL_SIZE=str(pool_size),
        DATABASE_POOL_TIMEOUT="30",
    )
    fake_anthropic.enqueue(FakeReply(chunk_delay=0.02))  # about 5 s of text
    created = httpx.post(
        f"{server.url}/api/v1/jobs",
        json=api_body,
        headers={"Authorization": f"Bearer {server.key}"},
        timeout=10,
    )
    assert created.status_code == 202
    stream_url = created.json()["stream_url"]

    async def viewer(client: httpx.AsyncClient) -> tuple[float, float]:
        first_chunk = 0.0
        async with client.stream("GET", stream_url) as response:
            async for line in response.aiter_lines():
                if '"type":"chunk"' in line and not first_chunk:
                    first_chunk = time.monotonic()
                if '"type":"done"' in line:
                    return first_chunk, time.monotonic()
        raise AssertionError("the stream ended without done")

    async def viewers() -> list[tuple[float, float]]:
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            return await asyncio.gather(*(viewer(client) for _ in range(4 * pool_size)))

    seen = asyncio.run(viewers())
    first_done = min(done for _, done in seen)
    assert all(0 < first_chunk < first_done for first_chunk, _ in seen), seen
    assert fake_anthropic.calls == 1
