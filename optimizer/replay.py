"""Replay: run past requests through each variant of an experiment, to compare before going live.

    python manage.py replay_experiment EXPERIMENT [--limit N] [--provider offline]
                                                  [--concurrency N] [--max-usd X]

The inputs are the most recent distinct requests (resume, job description, output language)
of finished records that are not replays themselves. Each one runs through every variant (the
experiment need not be active, and a variant with weight 0 is replayed too: that is how a new
prompt gets results before it gets traffic) with services.generate(), the one pipeline:
each replay is an Optimization row marked replay=True with its experiment and prompt version,
so it counts in the comparison. The cache lookup is skipped (a replay measures a fresh
generation) and the answer is stored under the variant's key, ready for when it goes live.

Bounded: --limit inputs (at most MAX_LIMIT), --concurrency calls at a time, and --max-usd: a
call is only started if what the run spent plus the worst case of the calls under way and of
this one stays within it. The site's daily budget applies as to any call.
"""

from __future__ import annotations

from collections.abc import Callable

from optimizer import experiments, services, warming
from optimizer.llm import budget
from optimizer.llm.cache_control import CachePolicy
from optimizer.llm.client import Provider
from optimizer.models import Experiment, Optimization

MAX_LIMIT = 1000


class ReplayError(ValueError):
    """A replay that cannot run, and why."""


def find_experiment(name_or_id: str) -> Experiment:
    """By name, or by id; ReplayError names what was not found."""
    found = Experiment.objects.filter(name=name_or_id).first()
    if found is None and name_or_id.isdigit():
        found = Experiment.objects.filter(pk=int(name_or_id)).first()
    if found is None:
        names = ", ".join(Experiment.objects.values_list("name", flat=True)[:10]) or "none yet"
        raise ReplayError(f"No experiment named or numbered {name_or_id!r} (experiments: {names})")
    return found


def stored_requests(limit: int) -> list[services.OptimizeRequest]:
    """The most recent distinct requests of finished, non-replay records."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ReplayError(f"--limit must be 1 to {MAX_LIMIT}")
    rows = (
        Optimization.objects.filter(status=Optimization.Status.DONE, replay=False)
        .order_by("-created_at")
        .values_list("resume_text", "job_description", "output_language")
    )
    seen: dict[tuple[str, str, str], None] = {}
    for row in rows.iterator():
        seen.setdefault(row, None)
        if len(seen) == limit:
            break
    return [services.OptimizeRequest(*row) for row in seen]


def variants_of(experiment: Experiment) -> list[experiments.Variant]:
    variants = [
        experiments.variant_of(v.prompt, v.weight)
        for v in experiment.variants.select_related("prompt")
    ]
    if not variants:
        raise ReplayError(f"Experiment {experiment.name!r} has no variants to replay")
    return variants


async def replay(
    experiment_id: int,
    variants: list[experiments.Variant],
    requests: list[services.OptimizeRequest],
    *,
    provider: Provider | None = None,
    concurrency: int = 2,
    max_usd: float | None = None,
    progress: Callable[[warming.Report], None] | None = None,
) -> warming.Report:
    """Run every request through every variant, at most `concurrency` at a time; the report's
    `warmed` counts the replays made."""
    if not 1 <= concurrency <= warming.MAX_CONCURRENCY:
        raise ReplayError(f"--concurrency must be 1 to {warming.MAX_CONCURRENCY}")
    if max_usd is not None and max_usd < 0:
        raise ReplayError("--max-usd must not be negative")
    # Request by request, each through all variants: a run stopped by its budget leaves the
    # variants with the same inputs.
    tasks = [(r, v) for r in requests for v in variants]
    policy = CachePolicy(lookup=False)

    async def call(
        task: tuple[services.OptimizeRequest, experiments.Variant],
    ) -> services.Result:
        request, variant = task
        row = await services.create_optimization(
            resume=request.resume,
            job_description=request.job_description,
            output_language=request.output_language,
            replay=True,
        )
        return await services.generate(
            request,
            optimization=row,
            provider=provider,
            cache_policy=policy,
            assignment=experiments.Assignment(experiment_id, variant),
        )

    def worst(task: tuple[services.OptimizeRequest, experiments.Variant]) -> float:
        return budget.estimate_usd(services.build_llm_request(*task)) or 0.0

    report = warming.Report(total=len(tasks))
    await warming.run_within_budget(
        tasks,
        call,
        worst,
        report,
        concurrency=concurrency,
        max_usd=max_usd,
        progress=progress,
        name=lambda task: task[1].name,
    )
    return report
