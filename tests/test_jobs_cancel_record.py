"""jobs._run: a job cancelled at any point is marked cancelled in the database.

Regression: when the cancel arrived while the job was storing an event (the pipeline suspended
at a yield rather than waiting upstream), services.stream saw GeneratorExit instead of
CancelledError, never recorded the cancel, and the row stayed "running" forever, so the
result URL answered 202 for ever.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from optimizer import jobs, services
from optimizer.events import Event
from optimizer.models import Optimization
from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_job_cancelled_while_storing_an_event_is_marked_cancelled(
    use_anthropic: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_anthropic.enqueue(FakeReply(chunk_delay=0.05))
    storing_a_chunk = asyncio.Event()
    real_append = jobs._append

    async def append_that_stalls_on_the_first_chunk(job_id: Any, event: Event) -> None:
        if event.type == "chunk" and not storing_a_chunk.is_set():
            storing_a_chunk.set()
            await asyncio.sleep(3600)  # cancelled here, inside the job's own await
        await real_append(job_id, event)

    monkeypatch.setattr(jobs, "_append", append_that_stalls_on_the_first_chunk)
    job = await services.create_optimization(resume="r" * 40, job_description="j" * 40)
    assert await jobs.start(job)
    runner = jobs._running[job.pk]
    await asyncio.wait_for(storing_a_chunk.wait(), 10)
    runner.cancel()
    await asyncio.gather(runner, return_exceptions=True)
    await job.arefresh_from_db()
    assert job.status == Optimization.Status.CANCELLED
    stored = await jobs.events_after(job.pk, 0)
    assert stored[-1].data["code"] == "cancelled"
    assert await use_anthropic.wait_for_async(lambda: use_anthropic.disconnects >= 1, 5)
