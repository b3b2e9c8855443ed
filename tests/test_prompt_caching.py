"""Anthropic prompt caching: the fixed system prompt is sent with cache_control, and the
cache-write and cache-read token counts are recorded and priced (pricing.py), against the fake
server, which reports a marked prefix as written on its first request and read afterwards."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import AsyncClient
from samples import JOB, RESUME

from optimizer import services
from optimizer.llm.client import LLMRequest, get_provider
from optimizer.llm.pricing import cost_usd
from optimizer.llm.prompts import SYSTEM_PROMPT
from optimizer.models import Optimization
from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db(transaction=True)

MODEL = "claude-sonnet-4-20250514"  # $3 / $15 per million tokens


def expected(input_tokens: int, output_tokens: int, written: int, read: int) -> float:
    cost = (
        Decimal(3) * input_tokens
        + Decimal(15) * output_tokens
        + Decimal("3.75") * written
        + Decimal("0.3") * read
    ) / 10**6
    return float(round(cost, 6))


def test_cache_writes_cost_more_and_reads_a_tenth_of_the_input_price() -> None:
    assert cost_usd(MODEL, 1000, 100, 0, 0) == 0.0045
    assert cost_usd(MODEL, 1000, 100, 2000, 0) == 0.012  # + 2000 x 3.75 / 1e6
    assert cost_usd(MODEL, 1000, 100, 0, 2000) == 0.0051  # + 2000 x 0.30 / 1e6
    assert cost_usd("no-such-model", 1, 1, 1, 1) is None


async def result_of(n: int) -> dict[str, Any]:
    request = services.OptimizeRequest(f"{RESUME}\nReference {n}", JOB)
    events = [event async for event in services.stream(request)]
    return dict(events[-1].data["result"]["usage_stats"])


async def test_our_system_prompt_is_below_anthropics_minimum_so_nothing_is_cached(
    use_anthropic: Any,
) -> None:
    """About 500 tokens: under the 1,024 tokens from which Anthropic caches a prefix. The
    marker costs nothing, and the price is the plain input price (no 1.25x write)."""
    assert len(SYSTEM_PROMPT) // 4 < 1024
    use_anthropic.set_default(FakeReply(input_tokens=400, output_tokens=300))
    first, second = [await result_of(n) for n in range(2)]
    for usage in (first, second):
        assert usage["cache_creation_input_tokens"] == 0 and usage["cache_read_input_tokens"] == 0
        assert usage["cost_usd"] == expected(400, 300, 0, 0)


async def test_the_first_call_writes_the_prefix_and_later_calls_read_it(
    use_anthropic: Any,
) -> None:
    # as for a system prompt above the model's minimum (the fake's threshold lowered)
    use_anthropic.set_default(
        FakeReply(input_tokens=400, output_tokens=300, prompt_cache_min_tokens=1)
    )
    first, second, third = [await result_of(n) for n in range(3)]
    prefix = len(SYSTEM_PROMPT) // 4  # the fake's estimate of the system prompt's tokens
    assert first["cache_creation_input_tokens"] == prefix and first["cache_read_input_tokens"] == 0
    for later in (second, third):
        assert later["cache_creation_input_tokens"] == 0
        assert later["cache_read_input_tokens"] == prefix
    assert first["cost_usd"] == expected(400, 300, prefix, 0)
    assert second["cost_usd"] == expected(400, 300, 0, prefix)
    assert second["cost_usd"] < first["cost_usd"]
    block = use_anthropic.last_request.body["system"][0]
    assert block == {"type": "text", "text": SYSTEM_PROMPT, "cache_control": {"type": "ephemeral"}}


async def test_the_record_keeps_the_counts_and_the_priced_cost(
    use_anthropic: Any, api_key: str
) -> None:
    use_anthropic.set_default(
        FakeReply(input_tokens=100, output_tokens=50, cache_read_input_tokens=2000)
    )
    response = await AsyncClient().post(
        "/api/v1/generate",
        {"resume_raw_text": RESUME, "job_description_text": JOB},
        content_type="application/json",
        headers={"X-API-Key": api_key},
    )
    usage = response.json()["usage_stats"]
    assert usage["cache_read_input_tokens"] == 2000 and usage["cache_creation_input_tokens"] == 0
    from optimizer.background import drain_background

    await drain_background()
    row = await Optimization.objects.aget(api_key__isnull=False)
    assert row.result["usage_stats"]["cache_read_input_tokens"] == 2000
    assert float(row.cost_usd) == expected(100, 50, 0, 2000) == usage["cost_usd"]


async def test_a_cache_hit_charges_nothing_for_the_prompt_cache_either(
    use_anthropic: Any,
) -> None:
    await result_of(1)
    hit = await result_of(1)
    assert hit["cached"] is True and hit["cost_usd"] == 0.0
    assert use_anthropic.calls == 1


async def test_it_can_be_turned_off(use_anthropic: Any, settings: Any) -> None:
    settings.LLM_PROMPT_CACHING = False
    usage = await result_of(1)
    assert use_anthropic.last_request.body["system"] == SYSTEM_PROMPT
    assert usage["cache_creation_input_tokens"] == 0 and usage["cache_read_input_tokens"] == 0


async def test_the_non_streaming_call_reports_them_too(use_anthropic: Any) -> None:
    use_anthropic.enqueue(FakeReply(cache_creation_input_tokens=7, cache_read_input_tokens=9))
    request = LLMRequest(prompt="Hi", system_prompt="Be brief", model=MODEL, max_tokens=10)
    usage = (await get_provider().generate(request)).usage
    assert (usage.cache_creation_input_tokens, usage.cache_read_input_tokens) == (7, 9)
