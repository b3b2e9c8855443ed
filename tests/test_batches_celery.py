"""The batch concurrency limit across processes (issue 16, item 3): a batch's items run on two
Celery workers of ten threads each, two web workers serve it, and the fake upstream still never
sees more than BATCH_MAX_CONCURRENCY calls at once (the slots live in the real Redis).

Real processes: uvicorn (2 workers), 2 `celery -A resumesite worker`, Redis, PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import CeleryWorkers, emptied_suite_redis, fake_upstream_env
from test_batches_api import jobs_for
from test_celery_jobs import _events

from optimizer.testing.fake_anthropic import FakeReply

pytestmark = [pytest.mark.live, pytest.mark.services]


@pytest.fixture
def two_workers(
    live_server_factory: Callable[..., Any],
    fake_anthropic: Any,
    postgres_url: str,
    tmp_path: Path,
) -> Iterator[tuple[Any, CeleryWorkers]]:
    redis_url = emptied_suite_redis()
    server = live_server_factory(
        workers=2,
        **fake_upstream_env(fake_anthropic),
        REDIS_URL=redis_url,
        DATABASE_URL=postgres_url,
        CELERY_BROKER_URL=redis_url,
        BATCH_MAX_CONCURRENCY="2",
    )
    server.key = server.manage("create_api_key", "batch", env=server.env).strip().splitlines()[-1]
    workers = CeleryWorkers(dict(server.env), tmp_path)
    workers.start("one")
    workers.start("two")
    yield server, workers
    workers.stop()


def test_a_batch_on_two_celery_workers_keeps_to_the_shared_limit(
    two_workers: tuple[Any, CeleryWorkers], fake_anthropic: Any
) -> None:
    server, workers = two_workers
    # Slow answers: six unbounded calls over 20 worker threads would all overlap.
    fake_anthropic.set_default(FakeReply(first_token_delay=0.4, chunk_delay=0.002))
    body = {"resume_raw_text": "Jane Doe\n" + "Python and Django developer. " * 3}
    response = httpx.post(
        f"{server.url}/api/v1/batches",
        json={**body, "job_descriptions": jobs_for(6)},
        headers={"Authorization": f"Bearer {server.key}"},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    batch = response.json()
    for item in batch["items"]:
        assert _events(item["stream_url"])[-1]["type"] == "done"
    detail = httpx.get(batch["url"], headers={"X-API-Key": server.key}, timeout=10).json()
    assert detail["status"] == "done" and detail["counts"]["done"] == 6
    assert fake_anthropic.calls == 6
    assert fake_anthropic.max_in_flight == 2
    # Which worker takes which item is the broker's choice; every item ran on a worker thread
    # of its own (its own event loop), none in the web processes.
    logs = [(workers.log_dir / f"celery-{name}.log").read_text() for name in ("one", "two")]
    received = [log.count("Task optimizer.run_job[") - log.count("] succeeded") for log in logs]
    assert sum(received) == 6, received
