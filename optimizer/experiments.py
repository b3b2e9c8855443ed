"""Prompt experiments: which prompt version a new generation runs with, and how they compare.

An active Experiment splits new generations between its variants (prompt versions) by weight.
The choice is a hash of (experiment id, sticky key) into the weights, so one user keeps the same
variant for the whole experiment without anything stored. The sticky key is, in order:

    the API key's id          (POST /api/v1/generate[/stream], and API jobs)
    the browser session key   (the page's jobs)
    a hash of the resume text (anything else: the same resume always gets the same variant)

The variant is part of the cache key (optimizer/services.py), so each variant's answers are
cached apart; the built-in prompt keeps today's keys, with or without an experiment running.

The comparison (compare()) reads the Optimization rows an experiment recorded; the statistics
are in optimizer/analysis/ab.py.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any, cast

from django.db import DatabaseError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from optimizer.analysis import ab
from optimizer.llm.prompts import PROMPT_TEMPLATE, SYSTEM_PROMPT
from optimizer.models import Experiment, ExperimentVariant, Optimization, PromptVersion

logger = logging.getLogger(__name__)

# How long a process trusts its copy of "which experiment is running". Saves in this process
# forget it at once (the signals below); other workers see an admin change within this long.
# Without it every request, cache hits included, would ask the database.
ACTIVE_TTL_SECONDS = 5.0


@dataclass(frozen=True)
class Variant:
    prompt_id: int
    name: str
    system_prompt: str
    template: str
    weight: int
    builtin: bool

    @property
    def cache_tag(self) -> str:
        """What the cache key adds for this prompt: nothing for the built-in one (its keys stay
        those of today), the version's id for the others (two versions with the same text are
        still two variants, each with its own answers)."""
        return "" if self.builtin else f"prompt:{self.prompt_id}"


@dataclass(frozen=True)
class Running:
    """The active experiment, as the pipeline needs it: no ORM objects on the hot path."""

    experiment_id: int
    name: str
    variants: tuple[Variant, ...]


@dataclass(frozen=True)
class Assignment:
    experiment_id: int
    variant: Variant


_cached: tuple[float, Running | None] | None = None


def forget() -> None:
    """Drop this process's copy of the active experiment (read again on the next request)."""
    global _cached
    _cached = None


def remember(found: Running | None, seconds: float = ACTIVE_TTL_SECONDS) -> None:
    """Take this as the active experiment for that long (the test suite starts each test with
    "none runs" for good, so tests without a database still run the pipeline)."""
    global _cached
    _cached = (time.monotonic() + seconds, found)


@receiver(post_save, sender=Experiment)
@receiver(post_delete, sender=Experiment)
@receiver(post_save, sender=ExperimentVariant)
@receiver(post_delete, sender=ExperimentVariant)
@receiver(post_save, sender=PromptVersion)
@receiver(post_delete, sender=PromptVersion)
def _changed(**kwargs: Any) -> None:
    forget()


def variant_of(prompt: PromptVersion, weight: int = 1) -> Variant:
    # The built-in version runs the code's prompt, whatever copy its row holds.
    return Variant(
        prompt_id=prompt.pk,
        name=prompt.name,
        system_prompt=SYSTEM_PROMPT if prompt.builtin else prompt.system_prompt,
        template=PROMPT_TEMPLATE if prompt.builtin else prompt.template,
        weight=weight,
        builtin=prompt.builtin,
    )


async def _load() -> Running | None:
    experiment = await Experiment.objects.filter(active=True).order_by("-created_at").afirst()
    if experiment is None:
        return None
    rows = ExperimentVariant.objects.filter(
        experiment=experiment, weight__gt=0, prompt__active=True
    ).select_related("prompt")
    variants = tuple([variant_of(row.prompt, row.weight) async for row in rows])
    if not variants:
        return None
    return Running(experiment.pk, experiment.name, variants)


async def running() -> Running | None:
    """The active experiment (None: none runs), from this process's copy when it is fresh."""
    if _cached is not None:
        if time.monotonic() < _cached[0]:
            return _cached[1]
        # Stale: this request reads it again; the requests that come meanwhile keep using this
        # copy instead of each reading it too (16 concurrent cache hits made 16 queries).
        remember(_cached[1])
    try:
        found = await _load()
    except DatabaseError as error:
        # The database is away: generations go on with the built-in prompt (as with no
        # experiment) rather than fail; asked again after ACTIVE_TTL_SECONDS.
        logger.warning("Cannot read the active prompt experiment: %s", error)
        found = None
    remember(found)
    return found


def sticky_key(
    resume: str, *, api_key_id: int | None = None, optimization: Optimization | None = None
) -> str:
    """Who is asking, as far as the experiment is concerned (see the module docstring)."""
    if api_key_id is None and optimization is not None:
        api_key_id = optimization.api_key_id
    if api_key_id is not None:
        return f"key:{api_key_id}"
    if optimization is not None and optimization.session_key:
        return f"session:{optimization.session_key}"
    return "resume:" + hashlib.sha256(resume.encode()).hexdigest()


def assign(experiment: Running, key: str) -> Variant:
    """The variant for this sticky key: deterministic, in proportion to the weights."""
    digest = hashlib.sha256(f"{experiment.experiment_id}:{key}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") % sum(v.weight for v in experiment.variants)
    for variant in experiment.variants:
        if point < variant.weight:
            return variant
        point -= variant.weight
    raise AssertionError("unreachable: point < the sum of the weights")


async def choose(
    resume: str, *, api_key_id: int | None = None, optimization: Optimization | None = None
) -> Assignment | None:
    """The assignment of a new generation, or None when no experiment runs (then nothing is
    hashed: the fallback key hashes the whole resume)."""
    experiment = await running()
    if experiment is None:
        return None
    key = sticky_key(resume, api_key_id=api_key_id, optimization=optimization)
    return Assignment(experiment.experiment_id, assign(experiment, key))


def builtin_version() -> PromptVersion:
    """The built-in prompt's row, created if missing and its copy of the text kept current."""
    version, created = PromptVersion.objects.get_or_create(
        builtin=True,
        defaults={"name": "built-in", "system_prompt": SYSTEM_PROMPT, "template": PROMPT_TEMPLATE},
    )
    if not created and (version.system_prompt, version.template) != (
        SYSTEM_PROMPT,
        PROMPT_TEMPLATE,
    ):
        version.system_prompt, version.template = SYSTEM_PROMPT, PROMPT_TEMPLATE
        version.save(update_fields=["system_prompt", "template"])
    return version


# -- the comparison ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    field: str
    label: str
    kind: str  # "mean" or "proportion"
    better: str  # "higher", "lower" or "" (neither: tokens are a cost, but not a fault)
    # "generation": fresh generations only (cache hits repeat an answer and take no time);
    # "user": what people did with what they got (replays have no users, hits do).
    rows: str


MEASURES = (
    Measure("score_gain", "Match-score gain (points)", "mean", "higher", "generation"),
    Measure("unsupported", "Unsupported claims per result", "mean", "lower", "generation"),
    Measure("invalid", "Validation failures", "proportion", "lower", "generation"),
    Measure("output_tokens", "Output tokens", "mean", "", "generation"),
    Measure("cost_usd", "Cost (USD)", "mean", "lower", "generation"),
    Measure("latency_ms", "Latency (ms)", "mean", "lower", "generation"),
    Measure("edited", "Edited on the review page", "proportion", "", "user"),
    Measure("reverted", "Reverted on the review page", "proportion", "lower", "user"),
    Measure("downloaded", "Downloaded", "proportion", "higher", "user"),
)


def _measures(row: dict[str, Any]) -> dict[str, float | None]:
    """One record's value of each measure (None: not known for it, e.g. an unpriced model)."""
    delta, flags = row["result__ats_score__delta"], row["result__grounding"]
    valid = row["result__is_valid"]
    return {
        "score_gain": float(delta) if isinstance(delta, int | float) else None,
        "unsupported": float(len(flags)) if isinstance(flags, list) else None,
        "invalid": None if valid is None else float(valid is False),
        "output_tokens": float(row["output_tokens"]),
        "cost_usd": None if row["cost_usd"] is None else float(row["cost_usd"]),
        "latency_ms": row["latency_ms"],
        "edited": float(row["edited_at"] is not None),
        "reverted": float(row["revert_count"] > 0),
        "downloaded": float(row["download_count"] > 0),
    }


def _records(experiment: Experiment) -> dict[int, list[tuple[dict[str, Any], dict[str, Any]]]]:
    """Each prompt version's finished records in this experiment: (row, its measures)."""
    rows = (
        Optimization.objects.filter(experiment=experiment, status=Optimization.Status.DONE)
        .values(
            "prompt_version_id",
            "cached",
            "replay",
            "output_tokens",
            "cost_usd",
            "latency_ms",
            "edited_at",
            "revert_count",
            "download_count",
            "result__ats_score__delta",
            "result__grounding",
            "result__is_valid",
        )
        .order_by()
    )
    found: dict[int, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for values in rows:
        row = cast(dict[str, Any], values)
        found.setdefault(row["prompt_version_id"], []).append((row, _measures(row)))
    return found


@dataclass(frozen=True)
class Cell:
    """One variant's line for one measure, with its difference from the control."""

    variant: str
    estimate: ab.Estimate | None
    difference: ab.Difference | None
    verdict: str  # "" for the control itself


@dataclass(frozen=True)
class Comparison:
    experiment: str
    control: str
    variants: list[dict[str, Any]]  # name, weight, results, replays, fresh
    measures: list[tuple[Measure, list[Cell]]]
    minimum: int = ab.MIN_RESULTS


def _values(records: list[tuple[dict[str, Any], dict[str, Any]]], measure: Measure) -> list[float]:
    if measure.rows == "generation":
        chosen = [values for row, values in records if not row["cached"]]
    else:
        chosen = [values for row, values in records if not row["replay"]]
    return [v for values in chosen if (v := values[measure.field]) is not None]


def _estimate(measure: Measure, values: list[float]) -> ab.Estimate | None:
    if measure.kind == "proportion":
        return ab.proportion(round(sum(values)), len(values))
    return ab.mean(values)


def _difference(measure: Measure, control: list[float], other: list[float]) -> ab.Difference | None:
    if measure.kind == "proportion":
        return ab.proportion_difference(
            round(sum(control)), len(control), round(sum(other)), len(other)
        )
    return ab.mean_difference(control, other)


def compare(experiment: Experiment) -> Comparison:
    """Every measure of every variant, each against the control: the built-in prompt when it
    is one of the variants, else the first."""
    variants = list(experiment.variants.select_related("prompt"))
    if not variants:
        return Comparison(experiment.name, "", [], [])
    control = next((v for v in variants if v.prompt.builtin), variants[0])
    ordered = [control, *[v for v in variants if v is not control]]
    records = _records(experiment)
    summary = [
        {
            "name": str(v.prompt),
            "weight": v.weight,
            "active": v.prompt.active,
            "results": len(records.get(v.prompt_id, [])),
            "fresh": sum(not row["cached"] for row, _ in records.get(v.prompt_id, [])),
            "replays": sum(row["replay"] for row, _ in records.get(v.prompt_id, [])),
        }
        for v in ordered
    ]
    table = []
    for measure in MEASURES:
        base = _values(records.get(control.prompt_id, []), measure)
        cells = [Cell(str(control.prompt), _estimate(measure, base), None, "")]
        for variant in ordered[1:]:
            values = _values(records.get(variant.prompt_id, []), measure)
            difference = _difference(measure, base, values)
            cells.append(
                Cell(
                    str(variant.prompt),
                    _estimate(measure, values),
                    difference,
                    ab.verdict(len(base), len(values), difference, measure.better),
                )
            )
        table.append((measure, cells))
    return Comparison(experiment.name, str(control.prompt), summary, table)
