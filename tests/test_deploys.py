"""Deploys lose nothing: a web worker stopped with SIGTERM while it serves event streams.

Its job viewers end their responses (optimizer/drain.py); each client reconnects with
Last-Event-ID, lands on another worker, and gets every event exactly once. Generations it runs
itself (no broker) finish before it exits, their viewers reading them from Redis elsewhere.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import CeleryWorkers, emptied_suite_redis, fake_upstream_env

from optimizer.testing.fake_anthropic import FakeReply

pytestmark = [pytest.mark.live, pytest.mark.services]

JOBS = 5
VIEWERS_PER_JOB = 10


def _children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def _established(pid: int, port: int) -> int:
    """How many client connections to port the process holds (from /proc, no psutil)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in inodes:
                count += 1
    return count


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _client() -> httpx.AsyncClient:
    """One client for all the viewers (making one costs tens of ms of CPU: 50 of them would
    delay the streams by seconds), without keep-alive: each connection is a new one, as a
    reconnecting EventSource's may be, so the load balancer (here the kernel) picks a worker."""
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    return httpx.AsyncClient(timeout=60, limits=limits)


async def _view(
    client: httpx.AsyncClient,
    url: str,
    first_chunk: asyncio.Event | None = None,
    reconnect_url: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """An EventSource: follow url to a done or error event, reconnecting (to reconnect_url if
    given, as a load balancer would send it) with Last-Event-ID whenever the response ends
    before one. Returns (events, connections made)."""
    events: list[dict[str, Any]] = []
    connections = 0
    while connections < 5:
        connections += 1
        headers = {"Last-Event-ID": str(events[-1]["id"])} if events else {}
        target = reconnect_url if reconnect_url and connections > 1 else url
        async with client.stream("GET", target, headers=headers) as response:
            assert response.status_code == 200, await response.aread()
            event_id = None
            async for line in response.aiter_lines():
                if line.startswith("id:"):
                    event_id = int(line[3:])
                elif line.startswith("data:"):
                    events.append({"id": event_id, **json.loads(line[5:])})
                    if events[-1]["type"] == "chunk" and first_chunk is not None:
                        first_chunk.set()
                    if events[-1]["type"] in ("done", "error"):
                        return events, connections
    raise AssertionError(f"no end after {connections} connections: {events[-3:]}")


def _create_jobs(server: Any, key: str, api_body: dict[str, str]) -> list[dict[str, Any]]:
    jobs = []
    for n in range(JOBS):
        body = {**api_body, "job_description_text": f"{api_body['job_description_text']}\nRole {n}"}
        response = httpx.post(
            f"{server.url}/api/v1/jobs",
            json=body,
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
        assert response.status_code == 202, response.text
        jobs.append(response.json())
    return jobs


def _check_exactly_once(results: list[tuple[list[dict[str, Any]], int]]) -> None:
    for events, _ in results:
        assert events[-1]["type"] == "done", events[-1]
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))  # once, in order
        assert not [e for e in events if e.get("restart")]


def test_sigterm_to_a_web_worker_under_50_streams_loses_and_repeats_no_event(
    live_server_factory: Callable[..., Any],
    fake_anthropic: Any,
    postgres_url: str,
    api_body: dict[str, str],
    tmp_path: Path,
) -> None:
    redis_url = emptied_suite_redis()
    server = live_server_factory(
        workers=2,
        **fake_upstream_env(fake_anthropic),
        REDIS_URL=redis_url,
        DATABASE_URL=postgres_url,
        CELERY_BROKER_URL=redis_url,
    )
    key = server.manage("create_api_key", "deploys", env=server.env).strip().splitlines()[-1]
    workers = CeleryWorkers(dict(server.env), tmp_path)
    workers.start("runner")
    try:
        for _ in range(JOBS):
            fake_anthropic.enqueue(FakeReply(chunk_delay=0.02))  # about 5 s of text each
        jobs = _create_jobs(server, key, api_body)
        port = int(server.url.rsplit(":", 1)[1])

        async def scenario() -> tuple[list[tuple[list[dict[str, Any]], int]], int]:
            started = [asyncio.Event() for _ in range(JOBS * VIEWERS_PER_JOB)]
            async with _client() as client:
                viewers = [
                    asyncio.ensure_future(_view(client, jobs[i % JOBS]["stream_url"], started[i]))
                    for i in range(JOBS * VIEWERS_PER_JOB)
                ]
                await asyncio.wait_for(asyncio.gather(*(s.wait() for s in started)), 30)
                # Stop the web worker that serves the most of these streams, mid-text.
                loads = {pid: _established(pid, port) for pid in _children(server.process.pid)}
                stopped = max(loads, key=lambda pid: loads[pid])
                assert loads[stopped] > 0, loads
                os.kill(stopped, signal.SIGTERM)
                results = await asyncio.wait_for(asyncio.gather(*viewers), 60)
            return results, stopped

        results, stopped = asyncio.run(scenario())
        _check_exactly_once(results)
        reconnected = sum(1 for _, connections in results if connections > 1)
        assert reconnected > 0  # the stopped worker's streams moved to the other one
        assert fake_anthropic.calls == JOBS  # nothing was run twice
        deadline = time.monotonic() + 15
        while _alive(stopped) and time.monotonic() < deadline:
            time.sleep(0.05)  # waiting for the exit, with a deadline
        assert not _alive(stopped)
    finally:
        workers.stop()


def test_a_stopping_web_worker_finishes_the_generations_it_runs_itself(
    live_server_factory: Callable[..., Any],
    fake_anthropic: Any,
    postgres_url: str,
    api_body: dict[str, str],
) -> None:
    """No broker: the job runs in the web process. SIGTERM there; its viewer moves to another
    server, and the job still ends where it ran: one upstream call, no restart."""
    redis_url = emptied_suite_redis()
    # Two servers of one deployment: one database, one Redis, one SECRET_KEY (the stream link
    # is signed).
    env = {
        **fake_upstream_env(fake_anthropic),
        "REDIS_URL": redis_url,
        "SECRET_KEY": "deploys-test-" + "k" * 40,
    }
    leaving = live_server_factory(**env, DATABASE_URL=postgres_url)
    staying = live_server_factory(**env, DATABASE_URL=postgres_url)
    key = leaving.manage("create_api_key", "deploys", env=leaving.env).strip().splitlines()[-1]
    fake_anthropic.enqueue(FakeReply(chunk_delay=0.02))
    job = _create_jobs(leaving, key, api_body)[0]
    moved = job["stream_url"].replace(leaving.url, staying.url)

    async def scenario() -> tuple[list[dict[str, Any]], int]:
        started = asyncio.Event()
        async with _client() as client:
            view = _view(client, job["stream_url"], started, reconnect_url=moved)
            viewer = asyncio.ensure_future(view)
            await asyncio.wait_for(started.wait(), 30)
            leaving.process.send_signal(signal.SIGTERM)
            return await asyncio.wait_for(viewer, 60)

    events, connections = asyncio.run(scenario())
    _check_exactly_once([(events, connections)])
    assert connections == 2  # the first response ended at the SIGTERM; the rest came from B
    assert fake_anthropic.calls == 1
    # uvicorn re-raises the SIGTERM once it has shut down: that is how it exits.
    assert leaving.process.wait(timeout=30) in (0, -signal.SIGTERM)
    assert "still running at exit" not in leaving.log.read_text()
