"""Cache warming: run known requests through the pipeline ahead of the people who will ask.

    python manage.py warm_cache FILE.jsonl [--dry-run] [--concurrency N] [--max-usd X] [--refresh]
    admin: Optimizations -> select records -> "Warm the cache with these requests"

Each request goes through services.generate(), the one pipeline: the same cache key, quality
TTL, single-flight and records rules as any request, and the same spend budgets: the site's
daily budget (SITE_DAILY_BUDGET_USD) refuses a call that would cross it, and warming then stops
scheduling more (budget_exceeded). --max-usd caps this run too: a request is only started if
what the run spent plus the worst case of the calls under way and of this one stays within it.
Requests already cached are skipped (checked with EXISTS, which touches no hit/miss counter)
unless refresh is asked, which regenerates them (Cache-Control: no-cache semantics).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from optimizer import services
from optimizer.forms import OptimizeForm
from optimizer.llm import budget
from optimizer.llm.cache import get_llm_cache
from optimizer.llm.cache_control import CachePolicy
from optimizer.llm.client import get_provider
from optimizer.redis_client import REDIS_ERRORS

MAX_CONCURRENCY = 16


class WarmInputError(ValueError):
    """A request file that cannot be warmed: says which line and why."""


@dataclass
class Plan:
    to_run: list[services.OptimizeRequest]
    cached: int  # already in the cache: skipped
    estimated_usd: float  # worst case of to_run (budget.estimate_usd: prompt + max_tokens)
    unpriced: int  # requests whose model has no known price (no estimate)


@dataclass
class Report:
    """What a run of generations did (warming's, and replays': warmed = generated)."""

    total: int
    cached: int = 0
    warmed: int = 0
    failed: int = 0
    not_started: int = 0
    spent_usd: float = 0.0
    stopped: str = ""  # why warming stopped early ("" when it ran everything)
    errors: list[str] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.cached + self.warmed + self.failed

    @property
    def troubled(self) -> bool:
        return bool(self.failed or self.stopped)

    def message(self, headline: str) -> str:
        """The admin's one-line account of a run: the headline, failures, spend, why it stopped."""
        text = f"{headline}, failed {self.failed}, spent ${self.spent_usd:.4f}."
        if self.stopped:
            text += f" Stopped early: {self.stopped}."
        if self.errors:
            text += f" First error: {self.errors[0]}"
        return text


def parse_requests(lines: Iterable[str]) -> list[services.OptimizeRequest]:
    """JSONL: one object a line with the API's fields, resume_raw_text and job_description_text,
    validated like the API's (sizes, characters). Blank lines and lines starting with # are
    skipped. WarmInputError names the first bad line."""
    requests = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(line)
        except ValueError as error:
            raise WarmInputError(f"line {number}: not JSON ({error})") from None
        if not isinstance(data, dict):
            raise WarmInputError(f"line {number}: expected a JSON object")
        unknown = set(data) - {"resume_raw_text", "job_description_text"}
        if unknown:
            raise WarmInputError(
                f"line {number}: unknown field(s) {', '.join(sorted(unknown))}; expected "
                "resume_raw_text and job_description_text"
            )
        form = OptimizeForm(data)
        if not form.is_valid():
            name, problems = next(iter(form.errors.items()))
            raise WarmInputError(f"line {number}: {name}: {problems[0]}")
        requests.append(
            services.OptimizeRequest(
                form.cleaned_data["resume_raw_text"], form.cleaned_data["job_description_text"]
            )
        )
    if not requests:
        raise WarmInputError("no requests: the file has no JSON lines")
    return requests


def _key(request: services.OptimizeRequest) -> str:
    llm = services.build_llm_request(request)
    return services.llm_cache_key(get_llm_cache(), llm, get_provider().name)


async def plan(requests: list[services.OptimizeRequest], *, refresh: bool = False) -> Plan:
    """What warming would do: which requests are cached already, and the worst-case cost."""
    cache = get_llm_cache()
    cached_flags = [False] * len(requests)
    if not refresh:
        try:
            async with cache.redis.async_client().pipeline(transaction=False) as pipe:
                for request in requests:
                    pipe.exists(cache.full_key(_key(request)))
                cached_flags = [bool(n) for n in await pipe.execute()]
        except REDIS_ERRORS:
            pass  # the cache is away: everything would be generated (and not stored)
    to_run = [r for r, cached in zip(requests, cached_flags, strict=True) if not cached]
    estimates = [budget.estimate_usd(services.build_llm_request(r)) for r in to_run]
    return Plan(
        to_run=to_run,
        cached=sum(cached_flags),
        estimated_usd=sum(e for e in estimates if e is not None),
        unpriced=sum(e is None for e in estimates),
    )


async def warm(
    requests: list[services.OptimizeRequest],
    *,
    concurrency: int = 2,
    max_usd: float | None = None,
    refresh: bool = False,
    progress: Callable[[Report], None] | None = None,
) -> Report:
    """Run the requests that are not cached, at most `concurrency` at a time, within the
    budgets. progress(report) is called once at the start and after each request."""
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise WarmInputError(f"concurrency must be 1 to {MAX_CONCURRENCY}")
    if max_usd is not None and max_usd < 0:
        raise WarmInputError("max_usd must not be negative")
    planned = await plan(requests, refresh=refresh)
    report = Report(total=len(requests), cached=planned.cached)
    policy = CachePolicy(lookup=False)  # skip the lookup (known missing, or refresh); store

    async def call(request: services.OptimizeRequest) -> services.Result:
        # The built-in prompt, experiment or not: the keys plan() checked.
        return await services.generate(request, cache_policy=policy, choose_variant=False)

    def worst(request: services.OptimizeRequest) -> float:
        return budget.estimate_usd(services.build_llm_request(request)) or 0.0

    await run_within_budget(
        planned.to_run,
        call,
        worst,
        report,
        concurrency=concurrency,
        max_usd=max_usd,
        progress=progress,
    )
    return report


T = TypeVar("T")


async def run_within_budget(
    items: list[T],
    call: Callable[[T], Awaitable[services.Result]],
    worst_usd: Callable[[T], float],
    report: Report,
    *,
    concurrency: int,
    max_usd: float | None,
    progress: Callable[[Report], None] | None = None,
    name: Callable[[T], str] | None = None,
) -> None:
    """call() each item in order, at most `concurrency` at a time, counted in the report:
    warming's, and replays' (optimizer/replay.py). An item is only started if what the run
    spent plus the worst case of the calls under way and of this one stays within max_usd; a
    refusal of the site's daily budget stops the run. progress(report) is called once at the
    start and after each item; name(item) prefixes its error messages."""
    pending = list(reversed(items))  # pop() from the end keeps their order
    in_flight: dict[int, float] = {}  # worker -> worst case of its call under way
    if progress:
        progress(report)

    def next_item(worker: int) -> T | None:
        if report.stopped or not pending:
            return None
        worst = worst_usd(pending[-1])
        if max_usd is not None and report.spent_usd + worst > max_usd:
            report.stopped = f"--max-usd {max_usd:g} reached"
            return None
        if max_usd is not None and report.spent_usd + sum(in_flight.values()) + worst > max_usd:
            # Room once the calls under way are settled, not now: this worker ends and the
            # others go on (the last one running always sees in_flight empty, so none hangs).
            return None
        in_flight[worker] = worst
        return pending.pop()

    async def worker(number: int) -> None:
        while (item := next_item(number)) is not None:
            try:
                result = await call(item)
            except services.PipelineError as error:
                report.failed += 1
                prefix = f"{name(item)}: " if name else ""
                report.errors.append(f"{prefix}{error.code}: {error.message}")
                if error.code == budget.CODE:
                    report.stopped = f"daily budget reached ({error.message})"
            else:
                report.warmed += 1
                report.spent_usd += result["usage_stats"].get("cost_usd") or 0.0
            finally:
                in_flight.pop(number, None)
            if progress:
                progress(report)

    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    report.not_started = len(pending)


def bar(report: Report, width: int = 30) -> str:
    """One line of terminal progress: [#####.....] 5/10 ..."""
    filled = round(width * report.done / report.total) if report.total else width
    text = (
        f"[{'#' * filled}{'.' * (width - filled)}] {report.done}/{report.total} "
        f"warmed {report.warmed}, already cached {report.cached}, failed {report.failed}, "
        f"spent ${report.spent_usd:.4f}"
    )
    return text + (f" (stopping: {report.stopped})" if report.stopped else "")


def describe(planned: Plan, requests: int) -> str:
    unpriced = f"; {planned.unpriced} with no known price" if planned.unpriced else ""
    return (
        f"{requests} request(s): {planned.cached} already cached, {len(planned.to_run)} to "
        f"generate, estimated at most ${planned.estimated_usd:.4f}{unpriced}"
    )
