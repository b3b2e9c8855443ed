"""Quality-aware caching: the TTL an answer gets depends on its grounding flags and quality
score (optimizer/llm/cache_ttl.py), and the admin shows what each entry got and why."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import AsyncClient
from samples import JOB, RESUME

from optimizer import redis_client, services
from optimizer.llm import cache_ttl
from optimizer.llm.cache import get_llm_cache
from optimizer.testing.fake_anthropic import DEFAULT_REPLY_TEXT, FakeReply

# The fake's default reply restated as the candidate's own resume: every claim in the reply is
# then supported, so the grounding check flags nothing (a "clean" answer).
FULL_RESUME = DEFAULT_REPLY_TEXT.split("OPTIMIZED RESUME\n", 1)[1].split("CHANGES MADE", 1)[0]
# Valid (every section, over 100 characters) but weak: short, no bullets, no numbers.
WEAK_REPLY = """OPTIMIZED RESUME
JANE DOE
Python developer who builds Django web applications and REST APIs on PostgreSQL and Redis.

CHANGES MADE
Put Django first.

EXPECTED IMPROVEMENT
Better keyword coverage for the role.
"""


def result(quality: float, flags: int = 0) -> dict[str, Any]:
    return {"quality": {"quality_score": quality}, "grounding": [{"kind": "skill"}] * flags}


# -- the decision, on known inputs --------------------------------------------------------------


def test_clean_answers_get_the_full_ttl(settings: Any) -> None:
    settings.CACHE_TTL_SECONDS, settings.CACHE_TTL_FLAGGED_SECONDS = 3600, 600
    decision = cache_ttl.decide(result(1.0))
    assert (decision.tier, decision.ttl_seconds) == ("clean", 3600)
    assert "CACHE_TTL_SECONDS" in decision.reason


def test_grounding_flags_or_middling_quality_get_the_flagged_ttl(settings: Any) -> None:
    settings.CACHE_TTL_SECONDS, settings.CACHE_TTL_FLAGGED_SECONDS = 3600, 600
    settings.CACHE_GOOD_QUALITY, settings.CACHE_MIN_QUALITY = 0.8, 0.5
    flagged = cache_ttl.decide(result(1.0, flags=2))
    assert (flagged.tier, flagged.ttl_seconds) == ("flagged", 600)
    assert flagged.reason.startswith("2 grounding flags")
    middling = cache_ttl.decide(result(0.7))
    assert (middling.tier, middling.ttl_seconds) == ("flagged", 600)
    assert "quality 0.70 under CACHE_GOOD_QUALITY (0.80)" in middling.reason
    # Exactly at the bar counts as good.
    assert cache_ttl.decide(result(0.8)).tier == "clean"


def test_below_the_minimum_quality_nothing_is_cached(settings: Any) -> None:
    settings.CACHE_MIN_QUALITY = 0.5
    decision = cache_ttl.decide(result(0.45))
    assert (decision.tier, decision.ttl_seconds, decision.cached) == ("low_quality", None, False)
    assert "CACHE_MIN_QUALITY" in decision.reason
    # A request's own TTL never makes a poor answer cacheable.
    assert cache_ttl.decide(result(0.45), request_ttl=9000).ttl_seconds is None


def test_a_request_ttl_replaces_the_full_ttl_and_is_capped_when_flagged(settings: Any) -> None:
    settings.CACHE_TTL_SECONDS, settings.CACHE_TTL_FLAGGED_SECONDS = 3600, 600
    assert cache_ttl.decide(result(1.0), request_ttl=9000).ttl_seconds == 9000
    assert cache_ttl.decide(result(1.0, flags=1), request_ttl=9000).ttl_seconds == 600
    short = cache_ttl.decide(result(1.0, flags=1), request_ttl=120)
    assert short.ttl_seconds == 120 and "X-Cache-TTL" in short.reason


# -- through the pipeline ---------------------------------------------------------------------


async def stored(resume: str) -> tuple[int, dict[str, Any] | None]:
    llm = services.build_llm_request(services.OptimizeRequest(resume, JOB))
    cache = get_llm_cache()
    key = cache.full_key(
        cache.make_key(llm.prompt, llm.system_prompt, llm.model, llm.max_tokens, llm.temperature)
    )
    client = redis_client.connection().async_client()
    raw = await client.get(key)
    return int(await client.ttl(key)), (json.loads(raw) if raw else None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend", ["embedded", "redis"])
async def test_the_pipeline_stores_each_tier_with_its_ttl(
    backend: str, request: pytest.FixtureRequest, use_anthropic: Any, settings: Any
) -> None:
    request.getfixturevalue("real_redis" if backend == "redis" else "embedded_cache")
    settings.CACHE_TTL_SECONDS, settings.CACHE_TTL_FLAGGED_SECONDS = 3600, 600

    await services.generate(services.OptimizeRequest(FULL_RESUME, JOB))
    ttl, entry = await stored(FULL_RESUME)
    assert entry is not None and entry["ttl_tier"] == "clean"
    assert 3590 <= ttl <= 3600 and entry["ttl_seconds"] == 3600

    await services.generate(services.OptimizeRequest(RESUME, JOB))  # the reply adds claims
    ttl, entry = await stored(RESUME)
    assert entry is not None and entry["ttl_tier"] == "flagged"
    assert 590 <= ttl <= 600 and "grounding flags" in entry["ttl_reason"]

    weak_resume = RESUME + "\nWeak answer wanted."
    use_anthropic.enqueue(FakeReply(text=WEAK_REPLY), FakeReply(text=WEAK_REPLY))
    first = await services.generate(services.OptimizeRequest(weak_resume, JOB))
    assert first["quality"]["quality_score"] < settings.CACHE_MIN_QUALITY
    assert first["is_valid"] is True  # answered, just not kept
    assert (await stored(weak_resume))[1] is None
    again = await services.generate(services.OptimizeRequest(weak_resume, JOB))
    assert again["usage_stats"]["cached"] is False and use_anthropic.calls == 4
    assert (await get_llm_cache().get_stats())["not_cached"] == 2


@pytest.mark.django_db(transaction=True)
async def test_the_admin_shows_the_ttl_each_entry_got_and_why(
    use_anthropic: Any, embedded_cache: None, admin_user: Any
) -> None:
    await services.generate(services.OptimizeRequest(FULL_RESUME, JOB))
    await services.generate(services.OptimizeRequest(RESUME, JOB))
    client = AsyncClient()
    await client.aforce_login(admin_user)
    page = (await client.get("/admin/cache/")).content.decode()
    assert page.count('class="cache-ttl-given"') == 2
    assert "1h 00m" in page and "clean" in page
    assert "10m 00s" in page and "flagged" in page and "grounding flags" in page
    _, entry = await stored(FULL_RESUME)
    assert entry is not None
    llm = services.build_llm_request(services.OptimizeRequest(FULL_RESUME, JOB))
    key = get_llm_cache().make_key(
        llm.prompt, llm.system_prompt, llm.model, llm.max_tokens, llm.temperature
    )
    detail = (await client.get(f"/admin/cache/entry/{key.split(':', 1)[1]}/")).content.decode()
    assert "3600 seconds (clean): no grounding flags, quality 1.00" in detail


def test_settings_that_contradict_each_other_fail_at_start(tmp_path: Any) -> None:
    from test_settings import run_check

    for env in (
        {"CACHE_TTL_SECONDS": "300", "CACHE_TTL_FLAGGED_SECONDS": "900"},
        {"CACHE_MIN_QUALITY": "1.5"},
        {"CACHE_MIN_QUALITY": "0.9", "CACHE_GOOD_QUALITY": "0.7"},
        {"CACHE_TTL_FLAGGED_SECONDS": "soon"},
    ):
        checked = run_check(tmp_path, **env)
        assert checked.returncode != 0 and "ImproperlyConfigured" in checked.stderr
        assert next(iter(env)) in checked.stderr or list(env)[-1] in checked.stderr
    # A short CACHE_TTL_SECONDS alone is fine: the flagged default follows it down.
    assert run_check(tmp_path, CACHE_TTL_SECONDS="300").returncode == 0
