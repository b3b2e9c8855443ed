"""One resume, several jobs through the API (issue 16, item 3): POST /api/v1/batches answers 202
with a job per item, GET /api/v1/batches/<id> tells each item's status and match; at most
BATCH_MAX_CONCURRENCY upstream calls at once (counted at the fake); deferred batches through the
Message Batches API at half price; bad input is a clear error costing no upstream call."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient
from samples import JOB, RESUME
from test_api_jobs import local, read_stream

from optimizer import batches, jobs, slots
from optimizer.llm import budget
from optimizer.llm.pricing import cost_usd
from optimizer.models import ApiKey, Batch, Optimization
from optimizer.testing.fake_anthropic import DEFAULT_REPLY_TEXT, FakeReply, split_chunks

pytestmark = pytest.mark.django_db(transaction=True)

BATCHES = "/api/v1/batches"
OUTPUT_TOKENS = len(split_chunks(DEFAULT_REPLY_TEXT))  # the fake's count for its default reply
CITIES = ("Berlin", "Munich", "Hamburg", "Cologne", "Leipzig", "Dresden", "Bremen", "Essen")


def jobs_for(count: int) -> list[str]:
    """Distinct job descriptions: identical ones would share one upstream call (the cache)."""
    return [f"{JOB}Office in {CITIES[i % len(CITIES)]}, team {i}.\n" for i in range(count)]


async def post(body: Any, key: str) -> Any:
    return await AsyncClient().post(
        BATCHES, body, content_type="application/json", headers={"X-API-Key": key}
    )


async def get(url: str, key: str) -> Any:
    return await AsyncClient().get(local(url), headers={"X-API-Key": key})


async def finish(batch: dict[str, Any]) -> None:
    """Follow every item's stream to its end (the items run without anybody watching)."""
    for item in batch["items"]:
        events = await read_stream(item["stream_url"])
        assert events[-1].type in ("done", "error")
    # The runners end just after their last event (they give their slots back then).
    assert await jobs.finish_running(10) == 0


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    if field is not None:
        assert error["field"] == field


# -- the happy path ----------------------------------------------------------------------------


async def test_it_answers_202_with_a_job_per_item_and_fills_in_each_match(
    use_anthropic: Any, api_key: str
) -> None:
    response = await post({"resume_raw_text": RESUME, "job_descriptions": jobs_for(3)}, api_key)
    assert response.status_code == 202, response.content
    batch = response.json()
    assert response["Location"] == batch["url"]
    assert batch["url"].endswith(f"/api/v1/batches/{batch['id']}")
    assert [item["position"] for item in batch["items"]] == [0, 1, 2]
    assert all(item["stream_url"] and item["result_url"] for item in batch["items"])
    assert batch["deferred"] is False and batch["message_batch"] is None
    await finish(batch)
    detail = await get(batch["url"], api_key)
    assert detail.status_code == 200
    data = detail.json()
    assert data["status"] == "done" and data["counts"]["done"] == 3
    for item in data["items"]:
        assert item["status"] == "done" and item["error"] is None
        assert item["job_title"] == "Senior Python Developer"
        assert isinstance(item["match_before"], int) and isinstance(item["match_after"], int)
        assert item["match_delta"] == item["match_after"] - item["match_before"]
        assert item["cost_usd"] == cost_usd("claude-sonnet-4-20250514", 2500, OUTPUT_TOKENS)
    assert use_anthropic.calls == 3
    # Each item is an ordinary job: its result_url answers with the whole result.
    result = await AsyncClient().get(local(data["items"][0]["result_url"]))
    assert result.status_code == 200 and result.json()["ats_score"]["after"]


async def test_a_batch_of_5_never_has_more_than_2_upstream_calls_in_flight(
    use_anthropic: Any, api_key: str, settings: Any
) -> None:
    settings.BATCH_MAX_CONCURRENCY = 2
    # Slow enough answers that five unbounded calls would overlap (each holds its slot longer).
    use_anthropic.set_default(FakeReply(first_token_delay=0.3, chunk_delay=0.002))
    response = await post({"resume_raw_text": RESUME, "job_descriptions": jobs_for(5)}, api_key)
    assert response.status_code == 202
    await finish(response.json())
    assert use_anthropic.calls == 5
    assert use_anthropic.max_in_flight == 2  # the limit was reached, never passed
    assert await slots.held() == 0  # every slot given back


async def test_it_takes_the_resume_from_an_own_optimization(
    use_anthropic: Any, api_key: str
) -> None:
    key = await ApiKey.objects.aget(name="tests")
    parent = await Optimization.objects.acreate(
        resume_text=RESUME, job_description=JOB, api_key=key, status="done"
    )
    body = {"optimization_id": str(parent.pk), "job_descriptions": jobs_for(2)}
    response = await post(body, api_key)
    assert response.status_code == 202, response.content
    await finish(response.json())
    items = [item async for item in Optimization.objects.filter(batch_id=response.json()["id"])]
    assert {item.resume_text for item in items} == {RESUME}


# -- bad input: a clear error and no upstream call ------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"resume_raw_text": RESUME, "job_descriptions": jobs_for(11)}, "too_many_jobs", None),
        ({"resume_raw_text": RESUME, "job_descriptions": []}, "too_short", None),
        ({"resume_raw_text": RESUME}, "required", "job_descriptions"),
        ({"resume_raw_text": RESUME, "job_descriptions": JOB}, "invalid_type", None),
        (
            {"resume_raw_text": RESUME, "job_descriptions": [JOB, "   "]},
            "required",
            "job_descriptions[1]",
        ),
        (
            {"resume_raw_text": RESUME, "job_descriptions": [JOB, 42]},
            "invalid_type",
            "job_descriptions[1]",
        ),
        (
            {"resume_raw_text": RESUME, "job_descriptions": [JOB, "x" * 20001]},
            "too_long",
            "job_descriptions[1]",
        ),
        ({"job_descriptions": [JOB]}, "required", "resume_raw_text"),
        ({"resume_raw_text": "", "job_descriptions": [JOB]}, "required", "resume_raw_text"),
        (
            {"resume_raw_text": RESUME, "job_descriptions": [JOB], "deferred": "yes"},
            "invalid_type",
            "deferred",
        ),
        (
            {"resume_raw_text": RESUME, "job_descriptions": [JOB], "output_language": "xx"},
            "invalid_choice",
            "output_language",
        ),
    ],
)
async def test_bad_input_is_a_400_that_costs_nothing(
    use_anthropic: Any, api_key: str, body: dict[str, Any], code: str, field: str | None
) -> None:
    response = await post(body, api_key)
    assert_error(response, 400, code, field or "job_descriptions")
    assert use_anthropic.calls == 0 and use_anthropic.batch_requests == 0
    assert await Batch.objects.acount() == 0 and await Optimization.objects.acount() == 0


async def test_an_unknown_malformed_or_other_keys_optimization_id_is_a_404(
    use_anthropic: Any, api_key: str
) -> None:
    other, _ = await sync_to_async(ApiKey.create_key)("someone else")
    theirs = await Optimization.objects.acreate(
        resume_text=RESUME, job_description=JOB, api_key=other, status="done"
    )
    for optimization_id in (str(theirs.pk), "0" * 8 + "-0000-0000-0000-" + "0" * 12, "nope"):
        body = {"optimization_id": optimization_id, "job_descriptions": [JOB]}
        assert_error(await post(body, api_key), 404, "not_found", "optimization_id")
    assert use_anthropic.calls == 0 and await Batch.objects.acount() == 0


async def test_another_keys_or_an_unknown_batch_is_a_404(use_anthropic: Any, api_key: str) -> None:
    _, raw = await sync_to_async(ApiKey.create_key)("someone else")
    response = await post({"resume_raw_text": RESUME, "job_descriptions": jobs_for(1)}, api_key)
    batch = response.json()
    await finish(batch)
    assert_error(await get(batch["url"], raw), 404, "batch_not_found")
    unknown = batch["url"].replace(batch["id"], "00000000-0000-0000-0000-000000000000")
    assert_error(await get(unknown, api_key), 404, "batch_not_found")
    no_key = await AsyncClient().get(local(batch["url"]))
    assert no_key.status_code == 401
    assert use_anthropic.calls == 1


async def test_a_body_that_is_not_json_or_the_wrong_method_gets_the_apis_errors(
    use_anthropic: Any, api_key: str
) -> None:
    response = await AsyncClient().post(
        BATCHES, "[1, 2]", content_type="application/json", headers={"X-API-Key": api_key}
    )
    assert_error(response, 400, "invalid_body")
    response = await AsyncClient().get(BATCHES, headers={"X-API-Key": api_key})
    assert_error(response, 405, "method_not_allowed")
    assert use_anthropic.calls == 0


# -- the Message Batches API (ANTHROPIC_BATCH) ------------------------------------------------------


async def test_a_deferred_batch_goes_through_message_batches_at_half_price(
    use_anthropic: Any, api_key: str, settings: Any
) -> None:
    settings.ANTHROPIC_BATCH = True
    settings.ANTHROPIC_BATCH_POLL_SECONDS = 3600  # the test polls, not the background task
    use_anthropic.batch_polls_to_end = 1  # the first look finds it still in progress
    use_anthropic.enqueue(FakeReply(), FakeReply(status=400), FakeReply(batch_result="expired"))
    body = {"resume_raw_text": RESUME, "job_descriptions": jobs_for(3), "deferred": True}
    response = await post(body, api_key)
    assert response.status_code == 202, response.content
    batch = response.json()
    assert batch["deferred"] is True and batch["status"] == "queued"
    assert batch["message_batch"]["id"].startswith("msgbatch_")
    assert [item["status"] for item in batch["items"]] == ["queued"] * 3
    # One Message Batch of three requests; no Messages API call.
    assert use_anthropic.calls == 0 and use_anthropic.batch_requests == 3
    sent = use_anthropic.batches[0]["requests"]
    assert [request["custom_id"] for request in sent] == [i["job_id"] for i in batch["items"]]
    assert sent[0]["params"]["model"] == "claude-sonnet-4-20250514"
    assert "stream" not in sent[0]["params"] and sent[0]["params"]["messages"]
    # A queued item's result_url waits (202); nothing runs it live.
    waiting = await AsyncClient().get(local(batch["items"][0]["result_url"]))
    assert waiting.status_code == 202 and waiting.json()["status"] == "queued"

    assert await batches.poll_upstream() == 0  # still in progress
    assert await batches.poll_upstream() == 1  # ended: results read and recorded
    data = (await get(batch["url"], api_key)).json()
    assert data["status"] == "done" and data["message_batch"]["status"] == "ended"
    done, errored, expired = data["items"]
    assert done["status"] == "done" and isinstance(done["match_after"], int)
    full = cost_usd("claude-sonnet-4-20250514", 2500, OUTPUT_TOKENS)
    assert full and done["cost_usd"] == pytest.approx(full / 2)
    record = await Optimization.objects.aget(pk=done["job_id"])
    assert float(record.cost_usd or 0) == pytest.approx(full / 2)
    assert record.result and record.result["usage_stats"]["service_tier"] == "batch"
    assert errored["status"] == "failed"
    assert errored["error"]["code"] == "upstream_batch_error"
    assert expired["status"] == "failed"
    assert expired["error"]["code"] == "upstream_batch_expired"
    assert "24 hours" in expired["error"]["message"]
    assert use_anthropic.calls == 0  # answered by the batch alone
    assert await batches.poll_upstream() == 0  # nothing left to poll


async def test_a_batch_that_is_needed_now_runs_live_even_with_anthropic_batch(
    use_anthropic: Any, api_key: str, settings: Any
) -> None:
    settings.ANTHROPIC_BATCH = True
    body = {"resume_raw_text": RESUME, "job_descriptions": jobs_for(2), "deferred": False}
    response = await post(body, api_key)
    await finish(response.json())
    assert use_anthropic.calls == 2 and use_anthropic.batch_requests == 0


async def test_deferred_without_anthropic_batch_runs_live(
    use_anthropic: Any, api_key: str, settings: Any
) -> None:
    settings.ANTHROPIC_BATCH = False
    body = {"resume_raw_text": RESUME, "job_descriptions": jobs_for(1), "deferred": True}
    response = await post(body, api_key)
    assert response.json()["deferred"] is False
    await finish(response.json())
    assert use_anthropic.calls == 1 and use_anthropic.batch_requests == 0


async def test_a_deferred_batch_over_a_budget_sends_nothing_and_says_so(
    use_anthropic: Any, api_key: str, settings: Any
) -> None:
    settings.ANTHROPIC_BATCH = True
    settings.ANTHROPIC_BATCH_POLL_SECONDS = 3600
    settings.SITE_DAILY_BUDGET_USD = 0.0001  # far under one call's worst case
    body = {"resume_raw_text": RESUME, "job_descriptions": jobs_for(2), "deferred": True}
    response = await post(body, api_key)
    assert response.status_code == 202
    data = response.json()
    assert data["status"] == "done" and data["message_batch"] is None
    for item in data["items"]:
        assert item["status"] == "failed" and item["error"]["code"] == "budget_exceeded"
        assert "site's daily LLM budget" in item["error"]["message"]
    assert use_anthropic.calls == 0 and use_anthropic.batch_requests == 0
    assert await budget.spent() == 0  # the check reserved nothing for good


async def test_a_message_batches_answer_counts_its_real_cost_on_the_budgets(
    use_anthropic: Any, api_key: str, settings: Any
) -> None:
    settings.ANTHROPIC_BATCH = True
    settings.ANTHROPIC_BATCH_POLL_SECONDS = 3600
    settings.SITE_DAILY_BUDGET_USD = 100.0
    body = {"resume_raw_text": RESUME, "job_descriptions": jobs_for(1), "deferred": True}
    response = await post(body, api_key)
    assert response.json()["status"] == "queued"
    assert await budget.spent() == 0  # sending it costs nothing yet
    assert await batches.poll_upstream() == 1
    full = cost_usd("claude-sonnet-4-20250514", 2500, OUTPUT_TOKENS)
    assert full and await budget.spent() == pytest.approx(full / 2)
