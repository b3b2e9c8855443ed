"""Daily and monthly spend budgets (optimizer/llm/budget.py): the request that would cross one is refused
with 429 budget_exceeded and no upstream call, concurrent requests cannot overspend (they
reserve their worst case first), a cache hit still passes, and the real cost is settled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient
from samples import JOB, RESUME

from optimizer import redis_client, services
from optimizer.llm import budget
from optimizer.models import ApiKey
from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db(transaction=True)


def body(n: int) -> dict[str, str]:
    return {"resume_raw_text": f"{RESUME}\nReference {n}", "job_description_text": JOB}


async def generate(key: str, n: int) -> Any:
    return await AsyncClient().post(
        "/api/v1/generate", body(n), content_type="application/json", headers={"X-API-Key": key}
    )


def worst_case() -> float:
    llm = services.build_llm_request(services.OptimizeRequest(*body(0).values()))
    estimate = budget.estimate_usd(llm)
    assert estimate is not None
    return estimate


@pytest.fixture
def cheap(use_anthropic: Any, settings: Any) -> Any:
    settings.LLM_MAX_TOKENS = 1000
    use_anthropic.set_default(FakeReply(input_tokens=1000, output_tokens=100))
    return use_anthropic


async def test_the_request_that_would_cross_the_key_budget_is_refused_without_a_call(
    cheap: Any, settings: Any, api_key: str
) -> None:
    # Room for two worst cases, not three; each real call costs far less than its reservation.
    settings.API_KEY_DAILY_BUDGET_USD = worst_case() * 2.5
    real = 0.0045  # 1000 x $3 + 100 x $15 per million (prompt caching adds its write/read)
    statuses = []
    for n in range(40):
        response = await generate(api_key, n)
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses[-1] == 429 and set(statuses[:-1]) == {200}
    refused = response.json()["error"]
    assert refused["code"] == "budget_exceeded" and "00:00 UTC" in refused["message"]
    assert 0 < int(response["Retry-After"]) <= 86400
    assert cheap.calls == len(statuses) - 1
    key_id = (await ApiKey.objects.aget(name="tests")).pk
    spent = await budget.spent_today(key_id)
    # Settled to the real costs: far more requests fit than reservations alone would allow.
    assert len(statuses) - 1 > 2 and spent >= real * (len(statuses) - 1)
    assert spent <= settings.API_KEY_DAILY_BUDGET_USD


async def test_concurrent_requests_cannot_overspend(
    cheap: Any, settings: Any, api_key: str
) -> None:
    settings.SITE_DAILY_BUDGET_USD = worst_case() * 3.5
    cheap.set_default(FakeReply(first_token_delay=0.3))
    responses = await asyncio.gather(*(generate(api_key, n) for n in range(10)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 3 + [429] * 7
    assert cheap.calls == 3


async def test_a_cache_hit_passes_when_the_budget_is_spent(
    cheap: Any, settings: Any, api_key: str
) -> None:
    assert (await generate(api_key, 1)).status_code == 200
    settings.SITE_DAILY_BUDGET_USD = 0.000001
    assert (await generate(api_key, 2)).json()["error"]["code"] == "budget_exceeded"
    hit = await generate(api_key, 1)
    assert hit.status_code == 200 and hit.json()["usage_stats"]["cached"] is True
    assert cheap.calls == 1


async def test_a_failed_call_gives_its_reservation_back(
    cheap: Any, settings: Any, api_key: str
) -> None:
    settings.SITE_DAILY_BUDGET_USD = 100.0
    settings.LLM_RETRY_MAX_RETRIES = 0
    cheap.set_default(FakeReply(status=500))
    assert (await generate(api_key, 1)).status_code == 503
    assert await budget.spent_today() == 0.0


async def test_the_request_that_would_cross_the_key_monthly_budget_is_refused_without_a_call(
    cheap: Any, settings: Any, api_key: str
) -> None:
    # Room for one worst case: after it settles to its real cost, the next one does not fit.
    settings.API_KEY_MONTHLY_BUDGET_USD = worst_case() * 1.001
    assert (await generate(api_key, 1)).status_code == 200
    refused = await generate(api_key, 2)
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "budget_exceeded"
    reset = budget.reset_at(budget.MONTHLY)
    assert "API key's monthly LLM budget" in error["message"]
    assert f"00:00 UTC on {reset:%Y-%m-01}" in error["message"]
    seconds = (reset - datetime.now(UTC)).total_seconds()
    assert abs(int(refused["Retry-After"]) - seconds) < 5
    assert cheap.calls == 1
    key_id = (await ApiKey.objects.aget(name="tests")).pk
    # Settled to the real cost; no daily budget is set, so no daily counter was kept.
    assert 0 < await budget.spent(key_id, budget.MONTHLY) < worst_case()
    assert await budget.spent_today(key_id) == 0.0


async def test_the_site_monthly_budget_refuses_and_names_itself(
    cheap: Any, settings: Any, api_key: str
) -> None:
    settings.SITE_DAILY_BUDGET_USD = 100.0  # the daily budget has room: the monthly one refuses
    settings.SITE_MONTHLY_BUDGET_USD = worst_case() / 2
    refused = (await generate(api_key, 1)).json()["error"]
    assert refused["code"] == "budget_exceeded" and "site's monthly" in refused["message"]
    assert cheap.calls == 0
    assert await budget.spent(None, budget.MONTHLY) == 0.0  # the refused reservation undone
    assert await budget.spent_today() == 0.0


async def test_last_months_spend_does_not_count(cheap: Any, settings: Any, api_key: str) -> None:
    settings.SITE_MONTHLY_BUDGET_USD = worst_case() * 1.5
    last_month = budget.counter_key("site", budget.MONTHLY, datetime(2000, 1, 31, tzinfo=UTC))
    await redis_client.connection().async_client().set(last_month, 10**12)
    assert (await generate(api_key, 1)).status_code == 200
    assert cheap.calls == 1


async def test_concurrent_requests_cannot_overspend_a_monthly_budget(
    cheap: Any, settings: Any, api_key: str
) -> None:
    settings.API_KEY_MONTHLY_BUDGET_USD = worst_case() * 3.5
    cheap.set_default(FakeReply(first_token_delay=0.3))
    responses = await asyncio.gather(*(generate(api_key, n) for n in range(10)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 3 + [429] * 7
    assert cheap.calls == 3


def test_a_month_resets_on_the_first_at_midnight_utc() -> None:
    assert budget.reset_at(budget.MONTHLY, datetime(2025, 12, 31, 23, 59, tzinfo=UTC)) == (
        datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert budget.reset_at(budget.MONTHLY, datetime(2025, 2, 1, tzinfo=UTC)) == (
        datetime(2025, 3, 1, tzinfo=UTC)
    )
    assert budget.reset_at(budget.DAILY, datetime(2025, 2, 28, 12, tzinfo=UTC)) == (
        datetime(2025, 3, 1, tzinfo=UTC)
    )


async def test_a_keys_own_budget_beats_the_default(cheap: Any, settings: Any, api_key: str) -> None:
    settings.API_KEY_DAILY_BUDGET_USD = 100.0  # the default has room; this key's own has not
    assert worst_case() > 0.001
    await ApiKey.objects.filter(name="tests").aupdate(daily_budget_usd=Decimal("0.001"))
    refused = (await generate(api_key, 1)).json()["error"]
    assert refused["code"] == "budget_exceeded"
    assert "API key's daily LLM budget of $0.001 " in refused["message"]
    assert cheap.calls == 0


async def test_a_keys_zero_budget_means_no_limit_for_it(
    cheap: Any, settings: Any, api_key: str
) -> None:
    settings.API_KEY_DAILY_BUDGET_USD = worst_case() / 2  # the default would refuse
    settings.API_KEY_MONTHLY_BUDGET_USD = worst_case() / 2
    await ApiKey.objects.filter(name="tests").aupdate(daily_budget_usd=0, monthly_budget_usd=0)
    assert (await generate(api_key, 1)).status_code == 200
    # Another key, with no limits of its own, still gets the defaults.
    _, other = await sync_to_async(ApiKey.create_key)("other")
    assert (await generate(other, 2)).json()["error"]["code"] == "budget_exceeded"
    assert cheap.calls == 1


async def test_the_key_that_authenticated_brings_its_budgets_without_a_query(
    cheap: Any, settings: Any, api_key: str
) -> None:
    """A streamed miss asks the database nothing before its upstream call: the key's budgets
    come with the key this worker remembers. A change made behind the worker's back (no
    save signal) shows it; a save, as the admin makes one, applies at once."""
    settings.API_KEY_DAILY_BUDGET_USD = 100.0
    assert (await generate(api_key, 1)).status_code == 200
    await ApiKey.objects.filter(name="tests").aupdate(daily_budget_usd=Decimal("0.001"))
    assert (await generate(api_key, 2)).status_code == 200  # the remembered key's budget
    key = await ApiKey.objects.aget(name="tests")
    await key.asave()  # as the admin saves it: this worker forgets what it remembered
    refused = (await generate(api_key, 3)).json()["error"]
    assert refused["code"] == "budget_exceeded"
    assert "API key's daily LLM budget of $0.001 " in refused["message"]
    assert cheap.calls == 2


async def test_a_key_this_worker_has_not_seen_reads_its_budgets_from_the_database(
    settings: Any,
) -> None:
    # A job a Celery worker runs: the key authenticated in a web worker.
    settings.API_KEY_DAILY_BUDGET_USD, settings.API_KEY_MONTHLY_BUDGET_USD = 5.0, 50.0
    key, _ = await sync_to_async(ApiKey.create_key)("celery", daily_budget_usd=Decimal("0.25"))
    limits = {(b.owner, b.period): b.limit_usd for b in await budget._limits(key.pk, None)}
    assert limits[("API key", budget.DAILY)] == 0.25
    assert limits[("API key", budget.MONTHLY)] == 50.0  # none of its own: the default
    gone = {(b.owner, b.period): b.limit_usd for b in await budget._limits(key.pk + 1000, None)}
    assert gone[("API key", budget.DAILY)] == 5.0  # a deleted key: the defaults


async def test_a_refusal_by_one_budget_takes_nothing_from_the_others(
    cheap: Any, settings: Any, api_key: str
) -> None:
    settings.SITE_DAILY_BUDGET_USD = 100.0
    settings.API_KEY_MONTHLY_BUDGET_USD = worst_case() / 2  # refuses every call
    assert (await generate(api_key, 1)).json()["error"]["code"] == "budget_exceeded"
    site = await redis_client.connection().async_client().get(budget.counter_key("site", "daily"))
    assert int(site or 0) == 0
    assert cheap.calls == 0
