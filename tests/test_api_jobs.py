"""POST /api/v1/jobs and its signed stream_url/result_url (GET-only clients such as EventSource).

Also the job runner itself (optimizer/jobs.py), at the end of the file.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import AsyncClient
from sse_helpers import parse_sse, seed_onmessage_client

from optimizer import api, jobs, services
from optimizer.events import Event
from optimizer.models import ApiKey, Optimization
from optimizer.testing.fake_anthropic import DEFAULT_REPLY_TEXT, FakeReply

pytestmark = pytest.mark.django_db(transaction=True)


async def create_job(body: dict[str, str], key: str) -> dict[str, Any]:
    response = await AsyncClient().post(
        "/api/v1/jobs", body, content_type="application/json", headers={"X-API-Key": key}
    )
    assert response.status_code == 202, response.content
    assert response["Location"] == response.json()["result_url"]
    return dict(response.json())


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def read_body(url: str, **headers: str) -> str:
    response = await AsyncClient().get(local(url), headers=headers)
    assert response.status_code == 200, response.content
    return b"".join([part async for part in response.streaming_content]).decode()


async def read_stream(url: str, **headers: str) -> list[Any]:
    return parse_sse(await read_body(url, **headers))[0]


async def wait_until(predicate: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not await predicate():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        await asyncio.sleep(0.02)


async def test_creating_a_job_returns_signed_urls_and_calls_nothing(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    job = await create_job(api_body, api_key)
    assert job["status"] == "pending"
    for name in ("stream_url", "result_url"):
        url = job[name]
        assert url.startswith("http://testserver/api/v1/jobs/" + job["id"])
        assert parse_qs(urlsplit(url).query)["token"]
        assert api_key not in url
    record = await Optimization.objects.aget(pk=job["id"])
    assert record.status == "pending" and record.source == "api"
    assert record.api_key_id == (await ApiKey.objects.aget(name="tests")).pk
    assert use_anthropic.calls == 0


async def test_the_stream_url_runs_the_job_once_for_any_number_of_viewers(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    job = await create_job(api_body, api_key)
    first = await read_stream(job["stream_url"])
    assert first[0].type == "start" and first[-1].type == "done"
    assert "".join(e.data["content"] for e in first if e.type == "chunk") == DEFAULT_REPLY_TEXT
    second = await read_stream(job["stream_url"])  # a second viewer replays the stored events
    assert [e.data for e in second] == [e.data for e in first]
    result = await AsyncClient().get(local(job["result_url"]))
    assert result.status_code == 200
    assert result.json()["optimized_resume"] == first[-1].data["result"]["optimized_resume"]
    assert use_anthropic.calls == 1


@pytest.mark.parametrize("how", ["header", "query"])
async def test_a_reconnect_with_last_event_id_resumes_after_it(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], how: str
) -> None:
    job = await create_job(api_body, api_key)
    everything = await read_stream(job["stream_url"])
    cut = everything[len(everything) // 2].id
    if how == "header":
        resumed = await read_stream(job["stream_url"], **{"Last-Event-ID": str(cut)})
    else:
        resumed = await read_stream(job["stream_url"] + f"&lastEventId={cut}")
    assert resumed[0].id == cut + 1
    assert [e.data for e in resumed] == [e.data for e in everything if e.id > cut]
    assert use_anthropic.calls == 1


@pytest.mark.parametrize("past", [0, 1, 10**30], ids=["last", "after", "huge"])
async def test_a_last_event_id_at_or_past_the_end_gets_an_empty_stream_that_ends(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], past: int
) -> None:
    # 10**30 is past what Redis accepts as a list index.
    job = await create_job(api_body, api_key)
    everything = await read_stream(job["stream_url"])
    assert everything[-1].type == "done"
    last_id = str(everything[-1].id + past)
    # The reading returns: the stream ended, and it carried no event (the client has them all).
    body = await asyncio.wait_for(read_body(job["stream_url"], **{"Last-Event-ID": last_id}), 10)
    assert parse_sse(body)[0] == []
    assert "data:" not in body
    assert use_anthropic.calls == 1


async def test_a_finished_job_whose_events_expired_is_answered_from_the_record(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    job = await create_job(api_body, api_key)
    everything = await read_stream(job["stream_url"])
    await jobs._redis().delete(jobs._key(job["id"], "events"))  # the events expired
    resumed = await read_stream(job["stream_url"])
    assert [e.data["type"] for e in resumed] == ["done"]
    assert resumed[0].id == 1
    assert resumed[0].data["result"] == everything[-1].data["result"]
    assert use_anthropic.calls == 1


async def test_the_seeds_eventsource_client_works_on_the_stream_url(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    job = await create_job(api_body, api_key)
    response = await AsyncClient().get(local(job["stream_url"]))
    text = b"".join([part async for part in response.streaming_content]).decode()
    state = seed_onmessage_client(text.splitlines())
    assert state["display"] == DEFAULT_REPLY_TEXT and state["done"] is not None


async def test_the_result_url_starts_the_job_and_answers_202_until_done(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    use_anthropic.enqueue(FakeReply(first_token_delay=0.3))
    job = await create_job(api_body, api_key)
    url = local(job["result_url"])
    pending = await AsyncClient().get(url)
    assert pending.status_code == 202
    assert pending.json()["status"] == "running"
    assert pending["Retry-After"] == "1"

    async def done() -> bool:
        return (await AsyncClient().get(url)).status_code == 200  # polling keeps it watched

    await wait_until(done)
    assert (await AsyncClient().get(url)).json()["usage_stats"]["cached"] is False
    assert use_anthropic.calls == 1


async def test_a_failed_job_answers_the_error_shape(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    use_anthropic.fail(400)
    job = await create_job(api_body, api_key)
    events = await read_stream(job["stream_url"])
    assert events[-1].type == "error" and events[-1].data["code"] == "upstream_bad_request"
    result = await AsyncClient().get(local(job["result_url"]))
    assert result.status_code == 422
    assert result.json()["error"]["code"] == "upstream_bad_request"


async def test_a_job_refused_by_upstream_says_not_configured_on_both_urls(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    use_anthropic.fail(401)
    job = await create_job(api_body, api_key)
    events = await read_stream(job["stream_url"])
    assert events[-1].type == "error"
    assert events[-1].data == {
        "type": "error",
        "code": "llm_not_configured",
        "message": api.NOT_CONFIGURED_MESSAGE,
    }
    replay = await read_stream(job["stream_url"])  # from the stored events: told the same
    assert replay[-1].data == events[-1].data
    result = await AsyncClient().get(local(job["result_url"]))
    assert result.status_code == 503
    assert result.json()["error"]["code"] == "llm_not_configured"
    assert result.json()["error"]["message"] == api.NOT_CONFIGURED_MESSAGE
    record = await Optimization.objects.aget(pk=job["id"])
    assert record.error_code == "llm_auth"  # the record keeps the real cause


async def test_a_failed_jobs_result_keeps_the_upstreams_retry_after(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    use_anthropic.fail(529, times=1, retry_after="30")  # beyond LLM_RETRY_MAX_DELAY: fails now
    job = await create_job(api_body, api_key)
    events = await read_stream(job["stream_url"])
    assert events[-1].data["retry_after"] == 30
    result = await AsyncClient().get(local(job["result_url"]))
    assert result.status_code == 503
    assert result.json()["error"]["code"] == "upstream_overloaded"
    assert result["Retry-After"] == "30"


async def test_a_failed_jobs_result_says_retry_after_1_when_upstream_gave_none(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    use_anthropic.fail(529, times=4)
    job = await create_job(api_body, api_key)
    assert (await read_stream(job["stream_url"]))[-1].data["code"] == "upstream_overloaded"
    url = local(job["result_url"])
    assert (await AsyncClient().get(url))["Retry-After"] == "1"
    await jobs._redis().delete(jobs._key(job["id"], "events"))  # the events expired
    expired = await AsyncClient().get(url)
    assert (expired.status_code, expired["Retry-After"]) == (503, "1")


async def test_an_orphaned_job_is_cancelled_after_the_grace_period(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], settings: Any
) -> None:
    settings.JOB_ORPHAN_GRACE_SECONDS = 0.3
    use_anthropic.enqueue(FakeReply(chunk_delay=0.1))  # ~30 s of output: it would outlive us
    job = await create_job(api_body, api_key)
    assert (await AsyncClient().get(local(job["result_url"]))).status_code == 202
    # Nobody looks any more: the job must be cancelled and the upstream stream closed.
    assert await use_anthropic.wait_for_async(lambda: use_anthropic.disconnects >= 1, 10)

    async def cancelled() -> bool:
        record = await Optimization.objects.aget(pk=job["id"])
        return bool(record.status == "cancelled")

    await wait_until(cancelled)
    result = await AsyncClient().get(local(job["result_url"]))
    assert result.status_code == 409 and result.json()["error"]["code"] == "cancelled"
    events = await read_stream(job["stream_url"])
    assert events[-1].type == "error" and events[-1].data["code"] == "cancelled"
    assert events[-1].data["restart_url"] == "/api/v1/jobs"
    assert use_anthropic.calls == 1


@pytest.mark.parametrize("purpose", ["stream", "result"])
async def test_tokens_are_checked_per_job_and_purpose(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], purpose: str
) -> None:
    job = await create_job(api_body, api_key)
    other = await create_job(api_body, api_key)
    url = local(job[f"{purpose}_url"])
    path = url.split("?")[0]
    wrong_purpose = "result" if purpose == "stream" else "stream"
    cases = {
        "garbage": f"{path}?token=abc:def",
        "other job": f"{path}?token={api.job_token(other['id'], purpose)}",
        "other purpose": f"{path}?token={api.job_token(job['id'], wrong_purpose)}",
        "no token, no key": path,
    }
    for name, bad in cases.items():
        response = await AsyncClient().get(bad)
        assert response.status_code == 401, name
        assert response.json()["error"]["code"] in ("invalid_token", "missing_api_key"), name
    assert use_anthropic.calls == 0


async def test_an_expired_token_says_so(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], settings: Any
) -> None:
    job = await create_job(api_body, api_key)
    settings.JOB_TOKEN_MAX_AGE_SECONDS = -1  # every token is now older than allowed
    response = await AsyncClient().get(local(job["result_url"]))
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_expired"


async def test_the_creating_key_may_open_the_urls_instead_of_a_token(
    use_anthropic: Any, api_key: str, admin_api_key: str, api_body: dict[str, str]
) -> None:
    job = await create_job(api_body, api_key)
    path = f"/api/v1/jobs/{job['id']}/result"
    stranger_key = (await asyncio.to_thread(ApiKey.create_key, "stranger"))[1]
    mine = await AsyncClient().get(path, headers={"X-API-Key": api_key})
    assert mine.status_code in (200, 202)
    # Another (non-admin) key cannot tell the job exists; an admin key can open it.
    theirs = await AsyncClient().get(path, headers={"X-API-Key": stranger_key})
    assert theirs.status_code == 404 and theirs.json()["error"]["code"] == "job_not_found"
    admin = await AsyncClient().get(path, headers={"X-API-Key": admin_api_key})
    assert admin.status_code in (200, 202)


async def test_an_unknown_job_is_404_and_a_bad_last_event_id_is_400(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    job = await create_job(api_body, api_key)
    missing = "/api/v1/jobs/00000000-0000-0000-0000-000000000000/result"
    response = await AsyncClient().get(missing, headers={"X-API-Key": api_key})
    assert response.status_code == 404
    bad = await AsyncClient().get(local(job["stream_url"]), headers={"Last-Event-ID": "nope"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_last_event_id"
    assert use_anthropic.calls == 0


# -- jobs._run ------------------------------------------------------------------------------------


# Regression: when the cancel arrived while the job was storing an event (the pipeline suspended
# at a yield rather than waiting upstream), services.stream saw GeneratorExit instead of
# CancelledError, never recorded the cancel, and the row stayed "running" forever, so the result
# URL answered 202 for ever.
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
