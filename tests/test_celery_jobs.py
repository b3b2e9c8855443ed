"""Jobs on Celery workers (real processes), with the Redis broker and with RabbitMQ.

uvicorn enqueues; `celery -A resumesite worker` runs the generation and appends its events to the
job's Redis Stream; the viewer reads them through the web worker. A worker killed with SIGKILL in
the middle of a generation: another worker runs it again, and the viewers see `restart`.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import (
    REAL_REDIS_URL,
    CeleryWorkers,
    emptied_suite_redis,
    fake_upstream_env,
    require_service,
)

from optimizer.testing.fake_anthropic import FakeReply

pytestmark = [pytest.mark.live, pytest.mark.services]

RABBITMQ_URL = os.getenv("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


def _rabbitmq() -> str:
    import kombu

    try:
        with kombu.Connection(RABBITMQ_URL, connect_timeout=2) as connection:
            connection.connect()
            connection.default_channel.queue_purge("celery")  # only our queue
    except Exception as error:
        if "NOT_FOUND" not in str(error):
            require_service("RabbitMQ", str(error))
    return RABBITMQ_URL


@pytest.fixture(params=["redis", "amqp"])
def broker(request: pytest.FixtureRequest) -> str:
    emptied_suite_redis()
    return REAL_REDIS_URL if request.param == "redis" else _rabbitmq()


@pytest.fixture
def on_celery(
    live_server_factory: Callable[..., Any],
    fake_anthropic: Any,
    postgres_url: str,
    broker: str,
    tmp_path: Path,
) -> Iterator[tuple[Any, CeleryWorkers]]:
    server = live_server_factory(
        **fake_upstream_env(fake_anthropic),
        REDIS_URL=REAL_REDIS_URL,
        DATABASE_URL=postgres_url,
        CELERY_BROKER_URL=broker,
        JOB_LEASE_SECONDS="2",
    )
    server.key = server.manage("create_api_key", "celery", env=server.env).strip().splitlines()[-1]
    workers = CeleryWorkers(dict(server.env), tmp_path)
    yield server, workers
    workers.stop()


def _events(stream_url: str) -> list[dict[str, Any]]:
    events = []
    with httpx.stream("GET", stream_url, timeout=60) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("id:"):
                events.append({"id": int(line[3:])})
            elif line.startswith("data:"):
                events[-1].update(json.loads(line[5:]))
                if events[-1]["type"] in ("done", "error"):
                    break
    return events


def _create_job(server: Any, body: dict[str, str]) -> dict[str, Any]:
    response = httpx.post(
        f"{server.url}/api/v1/jobs",
        json=body,
        headers={"Authorization": f"Bearer {server.key}"},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    return dict(response.json())


def test_a_job_runs_on_a_celery_worker(
    on_celery: tuple[Any, CeleryWorkers], fake_anthropic: Any, api_body: dict[str, str]
) -> None:
    server, workers = on_celery
    worker = workers.start("one")
    job = _create_job(server, api_body)
    events = _events(job["stream_url"])
    assert events[-1]["type"] == "done", events[-1]
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert fake_anthropic.calls == 1
    result = httpx.get(job["result_url"], timeout=10)
    assert result.status_code == 200 and result.json()["optimized_resume"]
    log = (workers.log_dir / "celery-one.log").read_text()
    assert "optimizer.run_job" in log and worker.poll() is None  # it ran there


def test_a_killed_worker_s_job_is_run_again_by_another(
    on_celery: tuple[Any, CeleryWorkers], fake_anthropic: Any, api_body: dict[str, str]
) -> None:
    import redis

    server, workers = on_celery
    first = workers.start("first")
    # The run that dies, mid-text: about 10 s of text, so it is still writing when the kill lands
    # even on a loaded machine, where starting the second worker took longer than 2.5 s once.
    fake_anthropic.enqueue(FakeReply(chunk_delay=0.2))
    job = _create_job(server, api_body)
    job_id = job["id"]
    client = redis.Redis.from_url(REAL_REDIS_URL)
    with httpx.stream("GET", job["stream_url"], timeout=60) as response:
        lines = response.iter_lines()
        for line in lines:
            if '"type":"chunk"' in line:
                break  # the generation is under way on the first worker
        holder = next(k for k in client.scan_iter(match=f"*job:{{{job_id}}}:lease"))
        assert int(client.get(holder).split(b":")[0]) == first.pid
        second = workers.start("second")
        first.send_signal(signal.SIGKILL)
        first.wait()
        events: list[dict[str, Any]] = []
        for line in lines:
            if line.startswith("data:"):
                events.append(json.loads(line[5:]))
                if events[-1]["type"] in ("done", "error"):
                    break
    assert events[-1]["type"] == "done", events[-1]
    restarts = [e for e in events if e["type"] == "start" and e.get("restart")]
    assert restarts and restarts[0]["attempt"] == 2
    assert fake_anthropic.calls == 2
    assert second.poll() is None
    result = httpx.get(job["result_url"], timeout=10).json()
    assert result["usage_stats"]["attempts"] >= 1


def test_a_worker_stopped_with_sigterm_finishes_its_generation_first(
    on_celery: tuple[Any, CeleryWorkers], fake_anthropic: Any, api_body: dict[str, str]
) -> None:
    """Celery's warm shutdown: a deploy stops the worker; the running generation ends there."""
    server, workers = on_celery
    worker = workers.start("leaving")
    fake_anthropic.enqueue(FakeReply(chunk_delay=0.01))
    job = _create_job(server, api_body)
    events: list[dict[str, Any]] = []
    stopped = False
    with httpx.stream("GET", job["stream_url"], timeout=60) as response:
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            events.append(json.loads(line[5:]))
            if events[-1]["type"] == "chunk" and not stopped:
                worker.send_signal(signal.SIGTERM)  # mid-text
                stopped = True
            if events[-1]["type"] in ("done", "error"):
                break
    assert events[-1]["type"] == "done", events[-1]
    assert not [e for e in events if e.get("restart")]
    assert fake_anthropic.calls == 1  # not handed over: finished where it ran
    assert worker.wait(timeout=30) == 0
    log = (workers.log_dir / "celery-leaving.log").read_text()
    assert "succeeded" in log  # the task ended before the worker did
    result = httpx.get(job["result_url"], timeout=10).json()
    assert result["usage_stats"]["attempts"] == 1
