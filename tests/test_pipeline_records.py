"""The pipeline is the one writer of Optimization rows: what each outcome leaves in the record."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator
from typing import Any

import pytest
import redis
from asgiref.sync import sync_to_async

from optimizer import jobs, services
from optimizer.background import drain_background
from optimizer.events import Event
from optimizer.llm.client import LLMRequest, LLMUsage
from optimizer.models import ApiKey, Optimization
from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db(transaction=True)

REQUEST = services.OptimizeRequest(
    "Jane Doe\nSenior Python Developer\n- Built Django APIs at Acme Corp",
    "Python Developer, Django",
)


class BrokenProvider:
    """A provider with a bug: its stream raises something that is not an LLMError."""

    name = "broken"

    async def generate(self, request: LLMRequest) -> Any:
        raise AssertionError("not used")

    async def stream(self, request: LLMRequest) -> AsyncGenerator[str | LLMUsage, None]:
        yield "OPTIMIZED RESUME\n"
        raise RuntimeError("a bug in the provider")


async def test_an_api_call_is_stored_as_one_row_with_its_outcome(use_anthropic: Any) -> None:
    api_key, _ = await sync_to_async(ApiKey.create_key)("records")
    result = await services.generate(REQUEST, api_key_id=api_key.pk)
    await drain_background()
    row = await Optimization.objects.aget(api_key_id=api_key.pk)
    assert row.source == Optimization.Source.API
    assert row.status == Optimization.Status.DONE
    assert row.result == result
    assert row.input_tokens == result["usage_stats"]["input_tokens"] > 0
    assert row.provider == "anthropic"
    assert row.attempts == 1
    assert row.latency_ms == result["usage_stats"]["latency_ms"]
    assert "done" in row.timings and row.started_at <= row.finished_at


async def test_a_failed_api_call_is_stored_with_its_error(use_anthropic: Any) -> None:
    use_anthropic.fail(400)
    api_key, _ = await sync_to_async(ApiKey.create_key)("records")
    with pytest.raises(services.PipelineError):
        await services.generate(REQUEST, api_key_id=api_key.pk)
    await drain_background()
    row = await Optimization.objects.aget(api_key_id=api_key.pk)
    assert row.status == Optimization.Status.FAILED
    assert row.error_code == "upstream_bad_request"
    assert row.attempts == 1


async def test_without_a_job_or_a_key_nothing_is_recorded(use_anthropic: Any) -> None:
    await services.generate(REQUEST)
    await drain_background()
    assert await Optimization.objects.acount() == 0


async def test_closing_the_stream_after_done_never_marks_the_job_cancelled(
    use_anthropic: Any,
) -> None:
    job = await services.create_optimization(resume=REQUEST.resume, job_description="j" * 30)
    events = services.stream(REQUEST, optimization=job)
    async for event in events:
        if event.type == "done":
            break
    await events.aclose()  # type: ignore[attr-defined]  # an async generator
    await job.arefresh_from_db()
    assert job.status == Optimization.Status.DONE


async def test_closing_the_stream_mid_text_marks_the_job_cancelled(use_anthropic: Any) -> None:
    use_anthropic.enqueue(FakeReply(chunk_delay=0.05))
    job = await services.create_optimization(resume=REQUEST.resume, job_description="j" * 30)
    events = services.stream(REQUEST, optimization=job)
    async for event in events:
        if event.type == "chunk":
            break
    await events.aclose()  # type: ignore[attr-defined]  # an async generator
    await job.arefresh_from_db()
    assert job.status == Optimization.Status.CANCELLED
    assert "cancelled" in job.timings
    assert await use_anthropic.wait_for_async(lambda: use_anthropic.disconnects >= 1, 5)


async def test_a_bug_becomes_an_error_event_and_a_failed_record() -> None:
    job = await services.create_optimization(resume=REQUEST.resume, job_description="j" * 30)
    events = [
        e async for e in services.stream(REQUEST, optimization=job, provider=BrokenProvider())
    ]
    assert [e.type for e in events] == ["start", "chunk", "error"]
    assert events[-1].data["code"] == "internal_error"
    assert "bug" not in events[-1].data["message"]  # no internals leak to the client
    await job.arefresh_from_db()
    assert job.status == Optimization.Status.FAILED
    assert job.error_code == "internal_error"


async def test_a_job_whose_events_cannot_be_stored_is_marked_failed(
    use_anthropic: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_append = jobs._append

    async def append_while_redis_is_away(job_id: Any, event: Event) -> None:
        if event.type != "start":
            raise redis.exceptions.ConnectionError("Redis went away")
        await real_append(job_id, event)

    monkeypatch.setattr(jobs, "_append", append_while_redis_is_away)
    use_anthropic.enqueue(FakeReply(chunk_delay=0.05))
    job = await services.create_optimization(resume=REQUEST.resume, job_description="j" * 30)
    assert await jobs.start(job)
    with contextlib.suppress(Exception):
        await jobs._running[job.pk]
    await job.arefresh_from_db()
    assert job.status == Optimization.Status.FAILED
    assert job.error_code == "events_unavailable"
    assert "Start it again" in job.error_message and "Redis went away" not in job.error_message
    assert await use_anthropic.wait_for_async(lambda: use_anthropic.disconnects >= 1, 5)
