"""replay_experiment: stored requests through every variant of an experiment, as replay rows."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from samples import JOB, RESUME
from test_experiments import TERSE_SYSTEM, _setup, _system

from optimizer import experiments
from optimizer.models import Experiment, ExperimentVariant, Optimization

pytestmark = pytest.mark.django_db


def _stored(resume: str, job: str, **fields: Any) -> Optimization:
    fields.setdefault("status", Optimization.Status.DONE)
    return Optimization.objects.create(resume_text=resume, job_description=job, **fields)


def _replay(*args: str) -> str:
    out = io.StringIO()
    call_command("replay_experiment", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _prepare() -> tuple[Experiment, Any, Any]:
    _stored(RESUME, JOB)
    _stored(RESUME, "Backend Engineer\nPython and Django services.")
    _stored(RESUME, JOB)  # the same request again: replayed once
    _stored("Not finished", JOB, status=Optimization.Status.FAILED)
    experiment, builtin, terse = _setup()
    # Before it goes live: not active, and the new prompt has no traffic yet.
    experiment.active = False
    experiment.save()
    ExperimentVariant.objects.filter(prompt=terse).update(weight=0)
    return experiment, builtin, terse


def test_it_replays_stored_requests_through_every_variant(use_anthropic: Any) -> None:
    experiment, builtin, terse = _prepare()
    out = _replay(experiment.name, "--limit", "10")
    assert "Replaying 2 request(s) through 2 variant(s)" in out
    assert "Replayed 4 of 4, failed 0" in out
    assert use_anthropic.calls == 4
    systems = [_system(r.body) for r in use_anthropic.requests]
    assert systems.count(TERSE_SYSTEM) == 2 and len(set(systems)) == 2
    replays = Optimization.objects.filter(replay=True)
    assert sorted((r.prompt_version_id, r.experiment_id, r.status) for r in replays) == sorted(
        [(builtin.pk, experiment.pk, "done")] * 2 + [(terse.pk, experiment.pk, "done")] * 2
    )
    summary = {v["name"]: v for v in experiments.compare(experiment).variants}
    assert summary[str(terse)]["replays"] == summary[str(terse)]["fresh"] == 2

    # Again: replays are fresh generations (no lookup), and replays are never replayed.
    _replay(str(experiment.pk), "--limit", "10", "--concurrency", "3")
    assert use_anthropic.calls == 8
    assert Optimization.objects.filter(replay=True).count() == 8


def test_it_replays_offline_without_the_network(use_anthropic: Any) -> None:
    experiment, _builtin, _terse = _prepare()
    out = _replay(experiment.name, "--limit", "1", "--provider", "offline")
    assert "Replayed 2 of 2" in out
    assert use_anthropic.calls == 0
    rows = Optimization.objects.filter(replay=True)
    assert {r.provider for r in rows} == {"offline"} and rows.count() == 2
    assert all(r.result and r.result["optimized_resume"] for r in rows)


def test_it_stops_within_its_budget(use_anthropic: Any) -> None:
    experiment, _builtin, _terse = _prepare()
    with pytest.raises(CommandError, match=r"Stopped early: --max-usd 0 reached"):
        _replay(experiment.name, "--max-usd", "0")
    assert use_anthropic.calls == 0
    assert not Optimization.objects.filter(replay=True).exists()


def test_bad_arguments_get_clear_errors() -> None:
    with pytest.raises(CommandError, match=r"No experiment named or numbered 'nope' \(.*none yet"):
        _replay("nope")
    experiment, _builtin, _terse = _setup()
    with pytest.raises(CommandError, match="No stored requests to replay"):
        _replay(experiment.name)
    _stored(RESUME, JOB)
    with pytest.raises(CommandError, match="--limit must be 1 to 1000"):
        _replay(experiment.name, "--limit", "0")
    with pytest.raises(CommandError, match="--concurrency must be 1 to 16"):
        _replay(experiment.name, "--concurrency", "99")
    with pytest.raises(CommandError, match="--max-usd must not be negative"):
        _replay(experiment.name, "--max-usd", "-1")
    empty = Experiment.objects.create(name="empty")
    with pytest.raises(CommandError, match="'empty' has no variants to replay"):
        _replay("empty")
    assert empty.pk and not Optimization.objects.filter(replay=True).exists()
