"""Prompt experiments: assignment by weight, sticky per caller, each variant's own cache key and
records, and the comparison computed from those records."""

from __future__ import annotations

import asyncio
import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from test_pages import _run

from optimizer import experiments, services, warming
from optimizer.background import drain_background
from optimizer.llm import prompts
from optimizer.llm.cache import cache_key, get_llm_cache
from optimizer.llm.client import get_provider
from optimizer.llm.prompts import PROMPT_TEMPLATE, SYSTEM_PROMPT
from optimizer.models import ApiKey, Experiment, ExperimentVariant, Optimization, PromptVersion

REQUEST = services.OptimizeRequest(
    "Jane Doe\nSenior Python Developer\n- Built Django APIs at Acme Corp",
    "Python Developer, Django",
)
TERSE_SYSTEM = "You rewrite resumes for ATS. Keep every fact. Answer in the three sections."
TERSE_TEMPLATE = "Resume:\n{resume}\n\nJob:\n{job_description}"


def _variant(prompt_id: int, weight: int, builtin: bool = False) -> experiments.Variant:
    return experiments.Variant(prompt_id, f"p{prompt_id}", "system", "{resume}", weight, builtin)


# -- assignment --------------------------------------------------------------------------------


def test_assignment_follows_the_weights() -> None:
    running = experiments.Running(7, "split", (_variant(1, 1), _variant(2, 3), _variant(3, 0)))
    chosen = [experiments.assign(running, f"key:{n}").prompt_id for n in range(8000)]
    assert chosen.count(1) / len(chosen) == pytest.approx(0.25, abs=0.02)
    assert chosen.count(2) / len(chosen) == pytest.approx(0.75, abs=0.02)
    assert 3 not in chosen  # weight 0: no traffic


def test_assignment_is_sticky_per_caller_and_apart_per_experiment() -> None:
    variants = (_variant(1, 1), _variant(2, 1))
    first, second = experiments.Running(1, "a", variants), experiments.Running(2, "b", variants)
    keys = [f"session:{n}" for n in range(200)]
    once = [experiments.assign(first, key) for key in keys]
    assert [experiments.assign(first, key) for key in keys] == once  # the same every time
    # Another experiment splits the same callers afresh (not always the same half first).
    again = [experiments.assign(second, key) for key in keys]
    assert 0.3 < sum(a != b for a, b in zip(once, again, strict=True)) / len(keys) < 0.7


def test_the_sticky_key_is_the_api_key_then_the_session_then_the_resume() -> None:
    page = Optimization(session_key="abc", resume_text="r", job_description="j")
    api_job = Optimization(api_key_id=5, resume_text="r", job_description="j")
    assert experiments.sticky_key("r", api_key_id=9) == "key:9"
    assert experiments.sticky_key("r", optimization=api_job) == "key:5"
    assert experiments.sticky_key("r", optimization=page) == "session:abc"
    fallback = experiments.sticky_key("r")
    assert fallback.startswith("resume:") and fallback == experiments.sticky_key("r")
    assert fallback != experiments.sticky_key("another resume")


# -- cache keys --------------------------------------------------------------------------------


def test_cache_keys_are_apart_per_variant_and_unchanged_outside_experiments() -> None:
    args = ("prompt", "system", "model", 4096, 0.3)
    assert cache_key(*args) == cache_key(*args, variant="")  # no experiment: today's key
    builtin = _variant(1, 1, builtin=True)
    assert builtin.cache_tag == ""  # the built-in prompt keeps today's keys in an experiment
    # Two versions with the same text are still two variants with their own answers.
    twin_a, twin_b = _variant(2, 1), _variant(3, 1)
    keys = {cache_key(*args, variant=v.cache_tag) for v in (builtin, twin_a, twin_b)}
    assert len(keys) == 3
    # The built-in variant's request is exactly today's request.
    assert services.build_llm_request(REQUEST, experiments.variant_of(_builtin_row())) == (
        services.build_llm_request(REQUEST)
    )


def _builtin_row() -> PromptVersion:
    return PromptVersion(pk=1, name="built-in", system_prompt="stale", template="x", builtin=True)


# -- the pipeline ------------------------------------------------------------------------------


def _make_experiment(*weights: tuple[PromptVersion, int], active: bool = True) -> Experiment:
    experiment = Experiment.objects.create(name="terse vs built-in", active=active)
    for prompt, weight in weights:
        ExperimentVariant.objects.create(experiment=experiment, prompt=prompt, weight=weight)
    return experiment


def _terse() -> PromptVersion:
    return PromptVersion.objects.create(
        name="terse", system_prompt=TERSE_SYSTEM, template=TERSE_TEMPLATE
    )


def _setup() -> tuple[Experiment, PromptVersion, PromptVersion]:
    builtin, terse = experiments.builtin_version(), _terse()
    return _make_experiment((builtin, 1), (terse, 1)), builtin, terse


async def _keys_per_variant(experiment: Experiment) -> dict[int, ApiKey]:
    """An API key that lands on each variant (the split is a hash of the key's id)."""
    running = await experiments.running()
    assert running is not None and running.experiment_id == experiment.pk
    found: dict[int, ApiKey] = {}
    while len(found) < len(running.variants):
        key, _ = await sync_to_async(ApiKey.create_key)("experiment")
        found.setdefault(experiments.assign(running, f"key:{key.pk}").prompt_id, key)
    return found


def _system(body: dict[str, Any]) -> str:
    system = body["system"]
    return system if isinstance(system, str) else "".join(b["text"] for b in system)


@pytest.mark.django_db(transaction=True)
async def test_each_variant_runs_its_prompt_and_reuses_its_own_cached_answers(
    use_anthropic: Any,
) -> None:
    experiment, builtin, terse = await sync_to_async(_setup)()
    keys = await _keys_per_variant(experiment)
    results = {}
    for prompt_id, key in keys.items():
        results[prompt_id] = await services.generate(REQUEST, api_key_id=key.pk)
    assert use_anthropic.calls == 2
    sent = {_system(r.body): r.body["messages"][0]["content"] for r in use_anthropic.requests}
    assert sent[TERSE_SYSTEM] == TERSE_TEMPLATE.format(
        resume=REQUEST.resume, job_description=REQUEST.job_description
    )
    assert sent[SYSTEM_PROMPT].startswith("Tailor this resume to this job description.")

    # Asked again, each caller gets its own variant's cached answer: no new upstream call.
    for prompt_id, key in keys.items():
        again = await services.generate(REQUEST, api_key_id=key.pk)
        assert again["usage_stats"]["cached"] is True
        assert again["optimized_resume"] == results[prompt_id]["optimized_resume"]
    assert use_anthropic.calls == 2

    await drain_background()
    rows = [row async for row in Optimization.objects.filter(cached=False)]
    assert {(r.api_key_id, r.prompt_version_id, r.experiment_id) for r in rows} == {
        (key.pk, prompt_id, experiment.pk) for prompt_id, key in keys.items()
    }
    # The built-in variant's answer is under today's key; the other's under a key of its own.
    cache = get_llm_cache()

    def key(variant: experiments.Variant | None) -> str:
        llm = services.build_llm_request(REQUEST, variant)
        return services.llm_cache_key(cache, llm, get_provider().name, variant)

    terse_key = key(experiments.variant_of(terse))
    assert key(experiments.variant_of(builtin)) == key(None) != terse_key
    today = await cache.get_by_key(key(None))
    assert today is not None
    assert today["result"]["optimized_resume"] == results[builtin.pk]["optimized_resume"]
    assert await cache.get_by_key(terse_key) is not None


@pytest.mark.django_db(transaction=True)
async def test_a_page_job_is_recorded_with_the_variant_its_session_gets(
    use_anthropic: Any,
) -> None:
    experiment, _builtin, terse = await sync_to_async(_setup)()
    await sync_to_async(ExperimentVariant.objects.filter(prompt=terse).update)(weight=0)
    await sync_to_async(experiments.forget)()  # a queryset update sends no signal
    job = await services.create_optimization(
        resume=REQUEST.resume,
        job_description=REQUEST.job_description,
        source=Optimization.Source.PAGE,
        session_key="s1",
    )
    await services.generate(REQUEST, optimization=job)
    await job.arefresh_from_db()
    builtin = await sync_to_async(experiments.builtin_version)()
    assert (job.prompt_version_id, job.experiment_id) == (builtin.pk, experiment.pk)
    assert _system(use_anthropic.requests[0].body) == SYSTEM_PROMPT


@pytest.mark.django_db(transaction=True)
def test_the_hit_path_asks_the_database_nothing(
    use_anthropic: Any, django_assert_num_queries: Any
) -> None:
    generate = async_to_sync(services.generate)
    experiments.forget()  # (the suite starts knowing none runs: read it here as a worker does)
    with django_assert_num_queries(1):
        generate(REQUEST)  # the miss: reads "no experiment" once, keeps it
    with django_assert_num_queries(0):
        assert generate(REQUEST)["usage_stats"]["cached"] is True
    # With an experiment running too: its copy is kept in the process.
    _setup()
    generate(REQUEST)
    with django_assert_num_queries(0):
        assert generate(REQUEST)["usage_stats"]["cached"] is True
    with django_assert_num_queries(0):
        assert generate(REQUEST)["usage_stats"]["cached"] is True


@pytest.mark.django_db
def test_the_page_splits_by_browser_session(use_anthropic: Any) -> None:
    experiment, builtin, terse = _setup()
    running = async_to_sync(experiments.running)()
    assert running is not None
    seen = set()
    for _ in range(6):  # new browsers until both variants were given out
        browser = Client()
        job, _events = _run(browser)
        expected = experiments.assign(running, f"session:{job.session_key}").prompt_id
        assert (job.prompt_version_id, job.experiment_id) == (expected, experiment.pk)
        seen.add(expected)
        again, _events = _run(browser)  # the same browser keeps its variant
        assert again.prompt_version_id == expected and again.cached
        if seen == {builtin.pk, terse.pk}:
            break
    assert seen == {builtin.pk, terse.pk}


@pytest.mark.django_db(transaction=True)
def test_warming_warms_the_builtin_prompt_even_in_an_experiment(use_anthropic: Any) -> None:
    _experiment, builtin, _terse = _setup()
    ExperimentVariant.objects.filter(prompt=builtin).update(weight=0)
    experiments.forget()
    report = async_to_sync(warming.warm)([REQUEST])
    assert report.warmed == 1
    assert [_system(r.body) for r in use_anthropic.requests] == [SYSTEM_PROMPT]


@pytest.mark.django_db
def test_saving_an_experiment_is_seen_at_once_and_stopping_it_too() -> None:
    experiments.forget()
    assert async_to_sync(experiments.running)() is None
    experiment, builtin, terse = _setup()
    running = async_to_sync(experiments.running)()
    assert running is not None and running.name == experiment.name
    assert [v.prompt_id for v in running.variants] == [builtin.pk, terse.pk]
    assert running.variants[0].system_prompt == SYSTEM_PROMPT  # the code's, not the row's copy
    assert running.variants[1].template == TERSE_TEMPLATE
    terse.active = False
    terse.save()
    running = async_to_sync(experiments.running)()
    assert running is not None and [v.prompt_id for v in running.variants] == [builtin.pk]
    experiment.active = False
    experiment.save()
    assert async_to_sync(experiments.running)() is None


async def test_a_database_outage_means_the_builtin_prompt_not_a_failure(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def away() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(experiments, "_load", away)
    experiments.forget()
    assert await experiments.choose(REQUEST.resume, api_key_id=1) is None
    assert "Cannot read the active prompt experiment: connection refused" in caplog.text
    assert await experiments.running() is None  # kept, not asked again on every request
    assert caplog.text.count("Cannot read") == 1


@pytest.mark.django_db
def test_the_builtin_version_follows_the_code() -> None:
    version = experiments.builtin_version()
    PromptVersion.objects.filter(pk=version.pk).update(system_prompt="old text")
    again = experiments.builtin_version()
    assert again.pk == version.pk and again.system_prompt == SYSTEM_PROMPT
    assert again.template == PROMPT_TEMPLATE
    assert PromptVersion.objects.filter(builtin=True).count() == 1


# -- the comparison ------------------------------------------------------------------------------


def _record(experiment: Experiment, prompt: PromptVersion, delta: int, **fields: Any) -> None:
    result = {"ats_score": {"delta": delta}, "grounding": [{}] * (delta % 2), "is_valid": True}
    Optimization.objects.create(
        experiment=experiment,
        prompt_version=prompt,
        status=Optimization.Status.DONE,
        resume_text="r",
        job_description="j",
        result={**result, **fields.pop("result", {})},
        output_tokens=100,
        cost_usd=Decimal("0.01"),
        latency_ms=1000.0,
        **fields,
    )


@pytest.mark.django_db
def test_the_comparison_is_computed_from_the_records() -> None:
    experiment, builtin, terse = _setup()
    for delta in (1, 2, 3, 4, 5):
        _record(experiment, builtin, delta)
        _record(experiment, terse, delta * 2, edited_at=timezone.now())
    _record(experiment, terse, 100, cached=True)  # a hit: not a fresh generation
    _record(experiment, terse, 4, replay=True, result={"is_valid": False})  # no user saw it
    Optimization.objects.create(resume_text="r", job_description="j")  # outside the experiment

    found = experiments.compare(experiment)
    assert found.control == str(builtin)
    assert [(v["results"], v["fresh"], v["replays"]) for v in found.variants] == [
        (5, 5, 0),
        (7, 6, 1),
    ]
    table = {measure.field: cells for measure, cells in found.measures}
    control, variant = table["score_gain"]
    assert control.estimate is not None and control.estimate.value == 3 and control.verdict == ""
    # Fresh generations: 2, 4, 6, 8, 10 and the replay's 4 (the hit's 100 is left out).
    assert variant.estimate is not None and variant.estimate.n == 6
    assert variant.difference == ab_difference([1, 2, 3, 4, 5], [2, 4, 6, 8, 10, 4])
    assert variant.verdict.startswith("too few results to tell")
    invalid = table["invalid"][1].estimate
    assert invalid is not None and (invalid.n, invalid.value) == (6, 1 / 6)
    # What users did: the hit counts, the replay does not.
    edited_control, edited = table["edited"]
    assert edited_control.estimate is not None and edited_control.estimate.value == 0
    assert edited.estimate is not None and (edited.estimate.n, edited.estimate.value) == (6, 5 / 6)


def ab_difference(control: list[float], variant: list[float]) -> Any:
    from optimizer.analysis import ab

    return ab.mean_difference(control, variant)


@pytest.mark.django_db(transaction=True)
async def test_a_letter_runs_its_own_prompt_and_is_never_in_an_experiment(
    use_anthropic: Any,
) -> None:
    # Only the terse variant runs: every resume call gets it, a cover letter must not.
    await sync_to_async(lambda: _make_experiment((_terse(), 1)))()
    key, _ = await sync_to_async(ApiKey.create_key)("letters")
    letter = dataclasses.replace(REQUEST, kind="cover_letter", tone="warm")
    await services.generate(letter, api_key_id=key.pk)
    await services.generate(REQUEST, api_key_id=key.pk)
    letter_system, resume_system = (_system(r.body) for r in use_anthropic.requests)
    assert resume_system == TERSE_SYSTEM
    assert letter_system == prompts.LETTER_SYSTEM_PROMPT
    await drain_background()
    row = await Optimization.objects.aget(kind="cover_letter")
    assert (row.experiment_id, row.prompt_version_id) == (None, None)


async def test_a_stale_copy_is_read_again_by_one_request_while_the_others_use_it(
    monkeypatch: Any,
) -> None:
    loads = 0
    release = asyncio.Event()

    async def slow_load() -> None:
        nonlocal loads
        loads += 1
        await release.wait()

    monkeypatch.setattr(experiments, "_load", slow_load)
    experiments.remember(None, seconds=-1)  # a copy that went stale
    readers = [asyncio.ensure_future(experiments.running()) for _ in range(16)]
    await asyncio.sleep(0)  # every reader has looked at the copy
    assert [reader.done() for reader in readers].count(True) == 15  # the stale copy served
    release.set()
    assert await asyncio.gather(*readers) == [None] * 16
    assert loads == 1
    experiments.remember(None)
