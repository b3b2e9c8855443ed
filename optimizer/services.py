"""The pipeline: the one owner of a generation's life, from the cache lookup to its record.

    stream(request)   -> async iterator of Events: start, chunk*, warning*, done | error
    generate(request) -> drains stream() and returns the done result (or raises PipelineError)

0. prompt = the built-in one, or the running experiment's variant for this caller
   (optimizer/experiments.py; a replay names its variant)
1. key = LLMCache key(prompt, system prompt, model, max_tokens, temperature, provider
   [, variant: a prompt version other than the built-in one])
2. hit  -> replay the stored chunks (same boundaries), the stored warnings, done (cached=true)
3. miss -> single-flight (optimizer/flights.py): the first of identical requests leads and calls
   provider.stream() under the retry policy (retried only before the first chunk), publishing
   its events; identical requests meanwhile follow those events instead of calling upstream
4. every text delta -> a chunk event at once (no buffering)
5. end  -> sanitize, validate, parse, analyse -> warning event -> done(result)
6. only a complete, valid result is cached (structured result + ordered chunks)

This module is the only writer of Optimization rows: a job's row (created here, claimed here,
updated as the generation runs), or an API call's row (one INSERT after the response).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import itertools
import logging
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypedDict, cast

from django.conf import settings
from django.utils import timezone

from optimizer import experiments, flights, letters
from optimizer.analysis import is_blocking, process
from optimizer.analysis.flags import blocking_first
from optimizer.api_keys import RateCount
from optimizer.background import in_background
from optimizer.events import Event
from optimizer.job_posting import hiring_company
from optimizer.live_check import LiveGrounding, in_analysis_thread
from optimizer.llm import breaker, budget, cache_control, cache_ttl, prompts, ratelimit
from optimizer.llm.cache import LLMCache, get_llm_cache
from optimizer.llm.cache_control import CachePolicy
from optimizer.llm.client import LLMRequest, LLMUsage, Provider, get_provider, model_name
from optimizer.llm.errors import LLMError
from optimizer.llm.pricing import cost_usd
from optimizer.llm.prompts import LETTER_KINDS, PROMPT_TEMPLATE, SYSTEM_PROMPT, build_prompt
from optimizer.llm.retry import RetryConfig
from optimizer.llm.validator import ResponseValidator, parse_sections
from optimizer.models import Optimization
from optimizer.redis_client import REDIS_ERRORS, RedisBusy

logger = logging.getLogger(__name__)

CACHE_ENTRY_VERSION = 1
BUSY_MESSAGE = "The service is busy right now; retry in a moment"
INTERNAL_ERROR_MESSAGE = "Internal error while running the optimization; please try again"
_UNFINISHED = (
    Optimization.Status.PENDING,
    Optimization.Status.QUEUED,
    Optimization.Status.RUNNING,
)


@dataclass(frozen=True)
class OptimizeRequest:
    resume: str
    job_description: str
    output_language: str = ""  # "" = the resume's own language (prompts.OUTPUT_LANGUAGES)
    # What to write (letters.KINDS): the resume, or a cover letter / outreach note for the job.
    kind: str = "resume"
    tone: str = ""  # a letter's (prompts.TONES); "" = prompts.DEFAULT_TONE
    # A letter from an optimization: its rewrite, for wording only (grounding is always
    # against `resume`, the original), and its id for the record.
    tailored_resume: str = ""
    parent_id: Any = None


class PipelineError(Exception):
    def __init__(self, message: str, code: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retry_after = retry_after


class UsageStats(TypedDict, total=False):
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int  # Anthropic prompt cache: prefix written (1.25x input)
    cache_read_input_tokens: int  # and read (0.1x input)
    cost_usd: float | None
    model: str
    cached: bool
    saved_usd: float
    provider: str
    attempts: int
    latency_ms: float
    time_to_first_chunk_ms: float | None
    cached_at: str | None  # hits only
    cache: str  # HIT | MISS | BYPASS: what the response cache did for this request
    fallback_from: str  # the configured model, when one of LLM_FALLBACK_MODELS answered
    shared: bool  # an identical request's generation, followed while it ran (single-flight)
    service_tier: str  # "batch": answered through the Message Batches API (half price)


class OptimizationResult(TypedDict):
    """The done event's result: the seed's fields plus the analysis (JSON, stored as is)."""

    optimized_resume: str
    changes_made: list[str]
    expected_improvement: str
    usage_stats: UsageStats
    warnings: list[str]
    is_valid: bool
    quality: dict[str, Any]
    stop_reason: str | None
    ats_score: dict[str, Any]
    grounding: list[dict[str, Any]]
    grounding_mode: str
    diff: list[dict[str, Any]]


class LetterResult(TypedDict):
    """A cover letter's or outreach note's done result (POST /api/v1/cover-letter, jobs)."""

    kind: str
    tone: str
    company: str
    text: str
    optimization_id: str | None
    usage_stats: UsageStats
    warnings: list[str]
    is_valid: bool
    quality: dict[str, Any]
    stop_reason: str | None
    grounding: list[dict[str, Any]]
    grounding_mode: str


# What a done event carries: a resume's result or a letter's.
Result = OptimizationResult | LetterResult


@dataclass
class _Clock:
    started: float = field(default_factory=time.monotonic)
    marks: dict[str, float] = field(default_factory=dict)

    def mark(self, name: str) -> float:
        elapsed = round((time.monotonic() - self.started) * 1000, 2)
        self.marks.setdefault(name, elapsed)
        return elapsed


def retry_config() -> RetryConfig:
    return RetryConfig(
        max_retries=settings.LLM_RETRY_MAX_RETRIES,
        initial_delay=settings.LLM_RETRY_INITIAL_DELAY,
        max_delay=settings.LLM_RETRY_MAX_DELAY,
        exponential_base=settings.LLM_RETRY_EXPONENTIAL_BASE,
        jitter=settings.LLM_RETRY_JITTER,
    )


def build_llm_request(
    request: OptimizeRequest, variant: experiments.Variant | None = None
) -> LLMRequest:
    """The upstream request; variant: a prompt experiment's prompt (None: the built-in one).
    Letters have prompts of their own, never a resume experiment's variant."""
    if request.kind != letters.KIND_RESUME:
        return _letter_llm_request(request)
    template = variant.template if variant else PROMPT_TEMPLATE
    return LLMRequest(
        prompt=build_prompt(
            request.resume, request.job_description, request.output_language, template
        ),
        system_prompt=variant.system_prompt if variant else SYSTEM_PROMPT,
        model=model_name(),
        max_tokens=settings.LLM_MAX_TOKENS,
        temperature=settings.LLM_TEMPERATURE,
        resume=request.resume,
        job_description=request.job_description,
        output_language=request.output_language,
    )


def _letter_llm_request(request: OptimizeRequest) -> LLMRequest:
    """A letter's request: its own system prompt and template; the kind, the tone and the
    company are in the prompt text, hence in the cache key."""
    tone = request.tone or prompts.DEFAULT_TONE
    company = hiring_company(request.job_description)
    prompt = prompts.build_letter_prompt(
        request.resume,
        request.job_description,
        kind=request.kind,
        tone=tone,
        company=company,
        tailored_resume=request.tailored_resume,
        output_language=request.output_language,
    )
    # The resume's request for everything else (model, limits, raw inputs), so the two stay alike.
    base = build_llm_request(dataclasses.replace(request, kind=letters.KIND_RESUME))
    return dataclasses.replace(
        base,
        prompt=prompt,
        system_prompt=prompts.LETTER_SYSTEM_PROMPT,
        kind=request.kind,
        tone=tone,
        company=company,
    )


def llm_cache_key(
    cache: LLMCache,
    llm_request: LLMRequest,
    provider_name: str,
    variant: experiments.Variant | None = None,
) -> str:
    """The cache key of an upstream request (and of the prompt variant that made it)."""
    return cache.make_key(
        llm_request.prompt,
        llm_request.system_prompt,
        llm_request.model,
        llm_request.max_tokens,
        llm_request.temperature,
        provider=provider_name,
        variant=variant.cache_tag if variant else "",
    )


# -- the pipeline ------------------------------------------------------------------------------


@dataclass
class _Run:
    """One generation under way: what it asks, where it is recorded, its event ids and clock."""

    request: OptimizeRequest
    llm_request: LLMRequest
    key: str
    cache: LLMCache
    provider: Provider
    config: RetryConfig
    record: _Record
    ids: itertools.count[int]
    clock: _Clock = field(default_factory=_Clock)
    policy: CachePolicy = cache_control.DEFAULT
    cache_status: str = "MISS"  # HIT | MISS | BYPASS (no lookup), told as usage_stats.cache
    attempts: int = 0
    cost_usd: float | None = None  # what the upstream call cost, once known
    fallback_from: str | None = None  # the primary model, when a fallback model answered
    chunks: list[str] = field(default_factory=list)
    ended: bool = False  # a done or error event was produced: nothing left to cancel
    detached: bool = False  # its client left, the generation goes on for its followers
    # Held around the upstream call (a batch item's slot: optimizer/slots.py); None: no limit.
    upstream_gate: Callable[[], AbstractAsyncContextManager[None]] | None = None

    def event(self, kind: str, **data: Any) -> Event:
        return Event(next(self.ids), {"type": kind, **data})


async def stream(
    request: OptimizeRequest,
    *,
    optimization: Optimization | None = None,
    api_key_id: int | None = None,
    cache: LLMCache | None = None,
    provider: Provider | None = None,
    config: RetryConfig | None = None,
    first_event_id: int = 1,
    replay_chunks: bool = True,
    attempt: int = 1,
    cache_policy: CachePolicy | None = None,
    assignment: experiments.Assignment | None = None,
    choose_variant: bool = True,
    upstream_gate: Callable[[], AbstractAsyncContextManager[None]] | None = None,
    rate_count: RateCount | None = None,
) -> AsyncGenerator[Event, None]:
    """Every event of one generation. optimization: the job's row, updated as it runs;
    api_key_id: an API call, stored as one new row at the end; neither: nothing is recorded.

    replay_chunks=False: a hit yields no chunk events (generate() only wants the result;
    building 50 events it would throw away cost a third of a hit's CPU). attempt > 1: a job run
    again after its runner died; its start event says restart: true and the attempt.
    cache_policy: the request's Cache-Control / X-Cache-TTL (optimizer/llm/cache_control.py).
    assignment: the prompt variant to run (a replay); else, when choose_variant, the active
    experiment's choice for this caller (optimizer/experiments.py), or the built-in prompt.
    upstream_gate: entered around the upstream call only (never for a cache hit or a followed
    flight): a batch item waits there for one of BATCH_MAX_CONCURRENCY slots.
    rate_count: the API key's rate-limit count, sent with the cache lookup (a hit's one round
    trip) or on its own before anything else; over the limit it raises ApiError (429)."""
    provider = provider or get_provider()
    # A resume experiment's variants are resume prompts: letters are never assigned one.
    if assignment is None and choose_variant and request.kind == letters.KIND_RESUME:
        assignment = await experiments.choose(
            request.resume, api_key_id=api_key_id, optimization=optimization
        )
    variant = assignment.variant if assignment else None
    llm_request = build_llm_request(request, variant)
    cache = cache or get_llm_cache()
    key = llm_cache_key(cache, llm_request, provider.name, variant)
    run = _Run(
        request=request,
        llm_request=llm_request,
        key=key,
        cache=cache,
        provider=provider,
        config=config or retry_config(),
        record=_Record(
            request, optimization, api_key_id, prior_attempts=attempt - 1, assignment=assignment
        ),
        ids=itertools.count(first_event_id),
        policy=cache_policy or cache_control.DEFAULT,
        upstream_gate=upstream_gate,
    )
    await run.record.start(key, provider.name, llm_request.model)
    restart = {"restart": True, "attempt": attempt} if attempt > 1 else {}
    yield run.event("start", message=_start_message(request), stage="checking_cache", **restart)

    lookup = settings.CACHE_ENABLED and run.policy.lookup
    try:
        entry = await cache.get_by_key(key, rate_count) if lookup else None
    except RedisBusy as busy:
        logger.warning("Cache lookup refused: %s", busy)
        yield await _failure(run, LLMError(BUSY_MESSAGE, code="busy", retry_after=1.0))
        return
    if rate_count is not None and not rate_count.settled:
        await rate_count.send()  # no lookup reached Redis: counted before any upstream call
    if (
        entry is not None
        and entry.get("version") == CACHE_ENTRY_VERSION
        and run.policy.accepts(entry)  # max-age: too old an answer is a miss
    ):
        run.cache_status = "HIT"
        path = _hit(run, entry, replay_chunks)
    else:
        run.cache_status = "MISS" if lookup else "BYPASS"
        flight = await flights.take(key)
        if flight is None:
            path = _miss(run)
        elif flight.leader:
            path = _lead(run, flight)
        else:
            path = _follow(run, flight)
    try:
        async with contextlib.aclosing(path):
            async for event in path:
                yield event
    except (asyncio.CancelledError, GeneratorExit):
        # The client went away (the task was cancelled while waiting upstream, or the consumer
        # closed this generator at a yield): the upstream stream is closed by now.
        if not run.ended and not run.detached:
            logger.info("Client went away after %d chunks: upstream closed", len(run.chunks))
            await asyncio.shield(run.record.cancel(run.clock))
        raise
    except Exception:
        if run.ended:
            raise
        # A bug, not an upstream failure: the client still gets an error event and the record
        # says failed, instead of a job that looks "running" forever.
        logger.exception("Optimization failed unexpectedly")
        error = LLMError(INTERNAL_ERROR_MESSAGE, code="internal_error")
        yield await _failure(run, error)


async def _hit(
    run: _Run, entry: dict[str, Any], replay_chunks: bool
) -> AsyncGenerator[Event, None]:
    run.clock.mark("cache_hit")
    if entry["chunks"]:
        run.clock.mark("first_chunk")
    if replay_chunks:
        for chunk in entry["chunks"]:
            yield run.event("chunk", content=chunk)
    result = _hit_result(entry, run.clock)
    if result["warnings"]:
        yield run.event("warning", issues=result["warnings"])
    run.cache.add_saving(result["usage_stats"]["saved_usd"])  # rides on the next lookup
    yield await _success(run, result)


async def _miss(run: _Run) -> AsyncGenerator[Event, None]:
    """The upstream call, within the run's upstream gate when it has one (a batch item's slot,
    held from before the call until its last event)."""
    gated = run.upstream_gate is not None and not _prepaid(run.provider)
    gate = run.upstream_gate() if gated and run.upstream_gate else contextlib.nullcontext()
    async with gate, contextlib.aclosing(_budgeted(run)) as events:
        async for event in events:
            yield event


async def _budgeted(run: _Run) -> AsyncGenerator[Event, None]:
    """The upstream call under the day's spend budgets (optimizer/llm/budget.py): its worst
    case reserved before, settled to its real cost after."""
    job = run.record.job
    key_id = run.record.api_key_id or (job.api_key_id if job is not None else None)
    # The web page's jobs also count on the page's own budgets, and their session's.
    page = job is not None and job.source == Optimization.Source.PAGE
    page_session = job.session_key if page and job else None
    if _prepaid(run.provider):
        # A Message Batches answer (optimizer/batches.py): in hand and paid for already. The
        # budgets were asked when it was sent; what it cost counts on them now.
        try:
            async with contextlib.aclosing(_generate(run)) as events:
                async for event in events:
                    yield event
        finally:
            await asyncio.shield(budget.record(key_id, run.cost_usd, page_session=page_session))
        return
    try:
        reservation = await budget.reserve(run.llm_request, key_id, page_session=page_session)
    except budget.BudgetExceeded as refused:
        yield await _failure(run, refused)
        return
    try:
        async with contextlib.aclosing(_generate(run)) as events:
            async for event in events:
                yield event
    finally:
        await asyncio.shield(budget.settle(reservation, run.cost_usd))


async def _generate(run: _Run) -> AsyncGenerator[Event, None]:
    request = run.request
    upstream_started = time.monotonic()
    try:
        first, upstream = await _open_with_fallbacks(run)
    except LLMError as error:
        yield await _failure(run, error)
        return
    # The claim check reads the original (CPU work: about 10 ms for a page, 120 ms at the
    # 30,000-character limit) and checks each line, on an analysis thread and behind the relay
    # (optimizer/live_check.py): no chunk waits for it. Started once the upstream answered:
    # before the call, it ran for every request the breaker refused too, and a 529 storm's
    # refusals queued behind it (~1 s).
    grounding = LiveGrounding(request)
    usage: LLMUsage | None = None
    try:
        item: str | LLMUsage = first
        while not isinstance(item, LLMUsage):
            run.clock.mark("first_chunk")
            run.chunks.append(item)
            yield run.event("chunk", content=item)
            grounding.feed(item)
            if flags := grounding.found():
                yield _grounding_warning(run, flags)
            try:
                item = await upstream.__anext__()
            except StopAsyncIteration:
                break
        else:
            usage = item
    except LLMError as error:
        # Text already reached the client: never retry silently, report the failure.
        await grounding.close()
        yield await _failure(run, error)
        return
    except BaseException:
        await grounding.close()
        raise
    finally:
        await upstream.aclose()
    # The upstream call's own duration (retries included) for the admin dashboard's p50/p95.
    upstream_ms = (time.monotonic() - upstream_started) * 1000
    in_background(run.cache.record_upstream_latency(upstream_ms))

    if flags := await grounding.finish():
        yield _grounding_warning(run, flags)
    # Validation and analysis are CPU work (tens of ms, more on odd input): off the event loop,
    # so that other streams on this worker keep flowing meanwhile. A resume's text is read on
    # the analysis thread, then analysed where its claim check ran (the analysis process), and
    # neither waits for the other's queue.
    text = "".join(run.chunks)
    stats = (usage, run.provider.name, run.llm_request.model, run.attempts, run.clock)
    if run.request.kind == letters.KIND_RESUME:
        read = await in_analysis_thread(read_text, text)
        analysis = await grounding.analyse(read.sections["optimized_resume"])
        result: Result = build_result(run.request, read, analysis, *stats)
    else:
        result = await in_analysis_thread(build_letter_result, run.request, text, *stats)
    run.cost_usd = result["usage_stats"]["cost_usd"]
    # Grounding flags went out while streaming; the rest of the warnings go out now.
    if late := [w for w in result["warnings"] if w not in grounding.messages]:
        yield run.event("warning", issues=late)
    if run.fallback_from:  # a fallback model's answer: apart from the primary's cache key
        result["usage_stats"]["fallback_from"] = run.fallback_from
    cacheable = is_cacheable(result) and not run.fallback_from
    if settings.CACHE_ENABLED and run.policy.store and cacheable:
        # How long depends on how good the answer is (optimizer/llm/cache_ttl.py).
        decision = cache_ttl.decide(cast(dict[str, Any], result), run.policy.ttl)
        if decision.cached:
            entry = _cache_entry(result, run.chunks, run.request, decision)
            await run.cache.set_by_key(run.key, entry, decision.ttl_seconds)
        else:
            logger.info("Result not cached (%s)", decision.reason)
            await run.cache.count_not_cached()
    yield await _success(run, result)


def _start_message(request: OptimizeRequest) -> str:
    """The seed's words for a resume; a letter says what it is writing."""
    if request.kind == letters.KIND_RESUME:
        return "Starting resume optimization..."
    return f"Starting {LETTER_KINDS[request.kind]}..."


# Generations whose client left while others follow them: kept referenced until they end.
_detached: set[asyncio.Future[None]] = set()


async def _lead(run: _Run, flight: flights.Flight) -> AsyncGenerator[Event, None]:
    """The miss path for the first of identical requests: the generation runs in a task of its
    own that publishes each event for the followers, so that it can outlive this client."""
    queue: asyncio.Queue[Event | Exception | None] = asyncio.Queue()
    producer = asyncio.ensure_future(_produce(run, flight, queue))
    finished = False
    try:
        while (item := await queue.get()) is not None:
            if isinstance(item, Exception):
                raise item
            yield item
        finished = True
    finally:
        if not finished and not producer.done():
            if run.ended:
                # The answer is out; the producer is only releasing the lock: let it.
                await asyncio.gather(asyncio.shield(producer), return_exceptions=True)
            elif await flight.followers():
                logger.info("Client went away; flight %s goes on for its followers", flight.id)
                run.detached = True
                _detached.add(producer)
                producer.add_done_callback(_detached.discard)
            else:
                producer.cancel()  # nobody else wants it: close upstream now
                await asyncio.gather(producer, return_exceptions=True)


async def _produce(run: _Run, flight: flights.Flight, queue: asyncio.Queue[Any]) -> None:
    lease = asyncio.ensure_future(flight.keep_lease())
    released = False
    try:
        async with contextlib.aclosing(_miss(run)) as events:
            async for event in events:
                # Queued for the worker's flight writer (flights.py): our own client does not
                # wait for Redis; a failed write is logged there, and followers take over when
                # the lease lapses.
                written = await flight.publish(event.data)
                if event.type in ("done", "error"):
                    # The end is in the flight's stream before the lock goes: a follower that
                    # finds the lock gone reads it. Released before our own client sees the
                    # end: a retry it sends at once must lead a new flight, not follow this
                    # finished one (and replay its error). The result is cached by now, so late
                    # arrivals hit it.
                    await asyncio.shield(written)
                    lease.cancel()
                    await asyncio.shield(flight.release())
                    released = True
                queue.put_nowait(event)
                if run.detached and not await flight.followers():
                    logger.info("Nobody follows flight %s any more: closing upstream", flight.id)
                    await run.record.cancel(run.clock)
                    return
    except Exception as error:
        queue.put_nowait(error)
    finally:
        lease.cancel()
        if not released:
            # Shielded: a cancelled leader must not leave the lock behind for a lease.
            await asyncio.shield(flight.release())
        queue.put_nowait(None)


async def _follow(run: _Run, flight: flights.Flight) -> AsyncGenerator[Event, None]:
    """An identical request while the leader's generation runs: its events, renumbered.

    When the leader dies, or the flight's events cannot be read (Redis away or too slow), the
    follower calls upstream itself, as it would have without single-flight."""
    joined = False
    try:
        await flight.join()
        joined = True
        async with contextlib.aclosing(flight.events()) as shared:
            async for data in shared:
                if data is None:
                    logger.warning("Flight %s lost its leader: calling upstream", flight.id)
                    break
                kind = data.pop("type")
                if kind == "chunk":
                    run.clock.mark("first_chunk")
                    run.chunks.append(data["content"])
                    yield run.event("chunk", **data)
                elif kind == "warning":
                    yield run.event("warning", **data)
                elif kind == "done":
                    yield await _success(run, _relabelled(data["result"], run.clock, shared=True))
                    return
                elif kind == "error":
                    failure = LLMError(
                        data["message"],
                        code=data["code"],
                        retry_after=data.get("retry_after"),
                        status=data.get("upstream_status"),
                    )
                    yield await _failure(run, failure)
                    return
    except REDIS_ERRORS as error:
        logger.warning("Flight %s unreadable (%s): calling upstream", flight.id, error)
    finally:
        if joined:
            await asyncio.shield(flight.leave())
    run.chunks.clear()  # the result is the new call's text alone
    async with contextlib.aclosing(_miss(run)) as alone:
        async for event in alone:
            yield event


async def _open_with_fallbacks(
    run: _Run,
) -> tuple[str | LLMUsage, AsyncGenerator[str | LLMUsage, None]]:
    """The upstream stream of the model, or of the next of LLM_FALLBACK_MODELS when it stays
    overloaded after its retries or its breaker is open (before any text was streamed).

    Each model's call is under the retry policy, each attempt asked of that model's shared
    circuit breaker first, then waiting out an exhausted rate limit (anthropic-ratelimit-*)."""
    if _prepaid(run.provider):
        # The answer is in hand: no breaker to ask, no rate limit to wait for, no fallback.
        return await _open_stream(run)
    primary = run.llm_request.model
    models = [primary, *[m for m in settings.LLM_FALLBACK_MODELS if m != primary]]
    provider = run.provider.name
    for index, model in enumerate(models):
        if index:
            logger.warning("Model %s unavailable: falling back to %s", models[index - 1], model)
            run.llm_request = dataclasses.replace(run.llm_request, model=model)
            run.fallback_from = primary
        pacer = ratelimit.Pacer(provider, model, run.config.max_delay, run.config.sleep)
        try:
            # (awaited here, within this iteration: the lambda's pacer is this model's)
            return await breaker.call(
                provider,
                model,
                lambda pacer=pacer: pacer.attempt(lambda: _open_stream(run)),  # type: ignore[misc]
                run.config,
            )
        except LLMError as error:
            if index == len(models) - 1 or not breaker.falls_back(error):
                raise
    raise AssertionError("unreachable: the last model's failure is raised")


def _prepaid(provider: Provider) -> bool:
    """A provider that replays an answer already generated and paid for upstream."""
    return bool(getattr(provider, "prepaid", False))


MAX_TIMEOUT_GROWTH = 4  # the longest an attempt waits, in LLM_TIMEOUT_SECONDS


async def _open_stream(
    run: _Run,
) -> tuple[str | LLMUsage, AsyncGenerator[str | LLMUsage, None]]:
    """Start an upstream stream and wait for its first item: the part that may be retried.

    After a timeout the next attempt waits twice as long (up to 4x LLM_TIMEOUT_SECONDS): a
    long prompt that needs more time than the timeout would fail the same way every time."""
    run.attempts += 1
    upstream = run.provider.stream(run.llm_request)
    try:
        first = await upstream.__anext__()
    except BaseException as error:
        await upstream.aclose()
        if isinstance(error, LLMError) and error.code == "upstream_timeout":
            base = getattr(run.provider, "timeout", settings.LLM_TIMEOUT_SECONDS)
            longer = min((run.llm_request.timeout or base) * 2, base * MAX_TIMEOUT_GROWTH)
            run.llm_request = dataclasses.replace(run.llm_request, timeout=longer)
        raise
    return first, upstream


async def _success(run: _Run, result: Result) -> Event:
    result = cast(Result, {**result})
    result["usage_stats"] = {**result["usage_stats"], "cache": run.cache_status}
    await run.record.finish(result, run.clock)
    run.ended = True
    return run.event("done", message="Optimization complete", result=result)


async def _failure(run: _Run, error: LLMError) -> Event:
    logger.error("Optimization failed: %s (%s)", error.message, error.code)
    await run.record.fail(error.code, error.message, run.attempts, run.clock)
    run.ended = True
    data: dict[str, Any] = {"message": error.message, "code": error.code}
    if error.retry_after is not None:
        data["retry_after"] = error.retry_after
    if error.status is not None:
        data["upstream_status"] = error.status
    return run.event("error", **data)


async def generate(request: OptimizeRequest, **kwargs: Any) -> Result:
    """The done result of stream(), for clients that want one JSON answer."""
    async with contextlib.aclosing(stream(request, replay_chunks=False, **kwargs)) as events:
        async for item in events:
            if item.type == "done":
                result: Result = item.data["result"]
                return result
            if item.type == "error":
                raise PipelineError(
                    item.data["message"], item.data["code"], item.data.get("retry_after")
                )
    raise PipelineError("The pipeline ended without a result", "internal_error")


# -- building results --------------------------------------------------------------------------


def _grounding_warning(run: _Run, flags: list[Any]) -> Event:
    return run.event(
        "warning",
        issues=[flag.message for flag in flags],
        grounding=[flag.to_dict() for flag in flags],
    )


@dataclass(frozen=True)
class ReadText:
    """A finished resume text, validated, sanitized and cut into its sections."""

    is_valid: bool
    issues: list[str]
    clean: str
    sections: dict[str, Any]  # parse_sections(): the resume's text, the changes made...
    missing: list[str]
    quality: dict[str, Any]


def read_text(text: str) -> ReadText:
    """CPU work (sanitizing parses the HTML): on the analysis thread."""
    validator = ResponseValidator()
    is_valid, issues = validator.validate(text)
    clean = validator.sanitize(text)
    sections, missing = parse_sections(clean)
    return ReadText(is_valid, issues, clean, sections, missing, validator.assess_quality(clean))


def build_result(
    request: OptimizeRequest,
    read: ReadText,
    analysis: process.Analysis,
    usage: LLMUsage | None,
    provider_name: str,
    model: str,
    attempts: int,
    clock: _Clock,
) -> Result:
    """The result of a finished generation from its text as read and its analysis."""
    warnings = list(read.issues)
    warnings += [f"Missing section: {name}" for name in read.missing]
    stop_reason = usage.stop_reason if usage else None
    if stop_reason == "max_tokens":
        warnings.append("Response truncated: the model reached the max_tokens limit")
    usage_stats = _usage_stats(usage, model, provider_name, attempts, clock, warnings)
    sections = read.sections
    explained = analyse(request, sections["optimized_resume"], analysis=analysis)
    warnings += [flag["message"] for flag in explained["grounding"]]
    strict_failure = _strict_failure(explained["grounding"], warnings)
    usage_stats["latency_ms"] = clock.mark("done")
    valid = read.is_valid and not read.missing and stop_reason != "max_tokens"
    return {
        "optimized_resume": sections["optimized_resume"],
        "changes_made": sections["changes_made"],
        "expected_improvement": sections["expected_improvement"],
        "usage_stats": usage_stats,
        "warnings": warnings,
        "is_valid": valid and not strict_failure,
        "quality": read.quality,
        "stop_reason": stop_reason,
        "ats_score": explained["ats_score"],
        "grounding": explained["grounding"],
        "grounding_mode": explained["grounding_mode"],
        "diff": explained["diff"],
    }


def build_letter_result(
    request: OptimizeRequest,
    text: str,
    usage: LLMUsage | None,
    provider_name: str,
    model: str,
    attempts: int,
    clock: _Clock,
) -> LetterResult:
    """A letter's result (CPU work: on the analysis thread)."""
    stats = functools.partial(_usage_stats, usage, model, provider_name, attempts, clock)
    return _letter_result(request, text, usage, clock, stats)


def _letter_result(
    request: OptimizeRequest,
    text: str,
    usage: LLMUsage | None,
    clock: _Clock,
    stats: Callable[[list[str]], UsageStats],
) -> LetterResult:
    """A letter's result: no sections to parse, a length that warns (never fails) outside its
    bounds, and the resume's claim check against the original resume."""
    # An outreach note of 40 words is about 250 characters: the resume's 100 is no floor.
    validator = ResponseValidator(min_length=50)
    is_valid, issues = validator.validate(text)
    clean = validator.sanitize(text).strip()
    warnings = list(issues) + letters.length_warnings(request.kind, clean)
    stop_reason = usage.stop_reason if usage else None
    if stop_reason == "max_tokens":
        warnings.append("Response truncated: the model reached the max_tokens limit")
    usage_stats = stats(warnings)
    grounding = analyse_letter(request, clean)
    warnings += [flag["message"] for flag in grounding]
    strict_failure = _strict_failure(grounding, warnings)
    usage_stats["latency_ms"] = clock.mark("done")
    return {
        "kind": request.kind,
        "tone": request.tone or prompts.DEFAULT_TONE,
        "company": hiring_company(request.job_description),
        "text": clean,
        "optimization_id": str(request.parent_id) if request.parent_id else None,
        "usage_stats": usage_stats,
        "warnings": warnings,
        "is_valid": is_valid and stop_reason != "max_tokens" and not strict_failure,
        "quality": letters.quality(request.kind, clean),
        "stop_reason": stop_reason,
        "grounding": grounding,
        "grounding_mode": settings.GROUNDING_MODE,
    }


def _usage_stats(
    usage: LLMUsage | None,
    model: str,
    provider_name: str,
    attempts: int,
    clock: _Clock,
    warnings: list[str],
) -> UsageStats:
    """What the call used and cost (latency_ms is set once the result is built)."""
    input_tokens = usage.input_tokens if usage else 0
    output_tokens = usage.output_tokens if usage else 0
    cache_written = usage.cache_creation_input_tokens if usage else 0
    cache_read = usage.cache_read_input_tokens if usage else 0
    used_model = usage.model if usage and usage.model else model
    batch = usage is not None and usage.service_tier == "batch"
    cost = cost_usd(used_model, input_tokens, output_tokens, cache_written, cache_read, batch=batch)
    if cost is None:
        warnings.append(f"No price is known for model {used_model}: cost not reported")
    stats: UsageStats = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": cache_written,
        "cache_read_input_tokens": cache_read,
        "cost_usd": cost,
        "model": used_model,
        "cached": False,
        "saved_usd": 0.0,
        "provider": provider_name,
        "attempts": attempts,
        "latency_ms": 0.0,
        "time_to_first_chunk_ms": clock.marks.get("first_chunk"),
    }
    if batch:
        stats["service_tier"] = "batch"  # answered through the Message Batches API, at half price
    return stats


def _strict_failure(grounding: list[dict[str, Any]], warnings: list[str]) -> bool:
    """GROUNDING_MODE=strict: blocking flags make the result invalid (said in a warning)."""
    blocking = [flag for flag in grounding if flag["blocking"]]
    if settings.GROUNDING_MODE != "strict" or not blocking:
        return False
    warnings.append(
        f"Strict grounding: {len(blocking)} unsupported employer, title, degree or number "
        "claim(s); the result is not valid"
    )
    return True


def is_cacheable(result: Result) -> bool:
    """Only a complete, valid answer is stored: never a truncated or empty one."""
    text = result.get("optimized_resume") or result.get("text")
    return result["is_valid"] and bool(text) and result["stop_reason"] != "max_tokens"


def analyse(
    request: OptimizeRequest, optimized_resume: str, *, analysis: process.Analysis | None = None
) -> dict[str, Any]:
    """The explainable parts of a result: match score before/after, grounding flags, diff.
    ``analysis``: process.analysis_of()'s answer, computed where the streamed check ran (the
    analysis process or thread); else computed here."""
    if analysis is None:
        analysis = process.analysis_of(request.resume, optimized_resume, request.job_description)
    flags, ats_score, diff = analysis
    return {
        "ats_score": ats_score,
        "grounding": [{**flag.to_dict(), "blocking": is_blocking(flag)} for flag in flags],
        "grounding_mode": settings.GROUNDING_MODE,
        "diff": diff,
    }


def analyse_letter(request: OptimizeRequest, letter: str) -> list[dict[str, Any]]:
    """A letter's grounding flags against the original resume (also after the user edits it)."""
    flags = blocking_first(letters.check_letter(request.resume, letter, request.job_description))
    return [{**flag.to_dict(), "blocking": is_blocking(flag)} for flag in flags]


def _cache_entry(
    result: Result,
    chunks: list[str],
    request: OptimizeRequest,
    decision: cache_ttl.TtlDecision | None = None,
) -> dict[str, Any]:
    decision = decision or cache_ttl.decide(cast(dict[str, Any], result))
    return {
        "version": CACHE_ENTRY_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "model": result["usage_stats"]["model"],
        "job_excerpt": " ".join(request.job_description.split())[:200],
        # The TTL this entry was given and why (the admin shows both).
        "ttl_seconds": decision.ttl_seconds,
        "ttl_tier": decision.tier,
        "ttl_reason": decision.reason,
        "result": result,
        "chunks": chunks,
    }


def _hit_result(entry: dict[str, Any], clock: _Clock) -> Result:
    """The stored result, re-labelled as a hit."""
    return _relabelled(entry["result"], clock, cached=True, cached_at=entry.get("created_at"))


def _relabelled(stored: dict[str, Any], clock: _Clock, **labels: Any) -> Result:
    """A result made by another call (a cache hit, or a shared flight): its original token
    counts, nothing charged, what it saved, and this request's own timings."""
    result = cast(Result, dict(stored))  # the JSON this module built
    original = result["usage_stats"]
    usage: dict[str, Any] = {
        **original,
        "cost_usd": 0.0,
        "saved_usd": original.get("cost_usd") or 0.0,
        "attempts": 0,
        "latency_ms": clock.mark("done"),
        "time_to_first_chunk_ms": clock.marks.get("first_chunk"),
        **labels,
    }
    result["usage_stats"] = cast(UsageStats, usage)
    return result


# -- records: the only code that writes Optimization rows ---------------------------------------


async def create_optimization(
    *,
    resume: str,
    job_description: str,
    source: str = Optimization.Source.API,
    session_key: str = "",
    user_id: int | None = None,
    api_key_id: int | None = None,
    resume_filename: str = "",
    output_language: str = "",
    kind: str = Optimization.Kind.RESUME,
    tone: str = "",
    parent_id: Any = None,
    base_resume_id: Any = None,
    replay: bool = False,
    batch_id: Any = None,
    batch_position: int | None = None,
) -> Optimization:
    """A pending job's row (the page's and POST /api/v1/jobs, and replays: optimizer/replay.py)."""
    return await Optimization.objects.acreate(
        replay=replay,
        resume_text=resume,
        job_description=job_description,
        source=source,
        session_key=session_key,
        user_id=user_id,
        api_key_id=api_key_id,
        resume_filename=resume_filename,
        output_language=output_language,
        kind=kind,
        tone=tone,
        parent_id=parent_id,
        base_resume_id=base_resume_id,
        batch_id=batch_id,
        batch_position=batch_position,
    )


async def claim(job: Optimization) -> bool:
    """pending -> running, atomically in the database: False when someone else claimed it."""
    claimed = await Optimization.objects.filter(
        pk=job.pk, status=Optimization.Status.PENDING
    ).aupdate(status=Optimization.Status.RUNNING)
    return bool(claimed)


async def record_failure(job_id: Any, code: str, message: str) -> None:
    """Mark an unfinished job failed when the code that runs it broke outside the pipeline."""
    await Optimization.objects.filter(pk=job_id, status__in=_UNFINISHED).aupdate(
        status=Optimization.Status.FAILED,
        error_code=code,
        error_message=message,
        finished_at=timezone.now(),
    )


class _Record:
    """Where one generation's outcome is written.

    A job: its existing row, updated at the start and at the end (awaited: viewers on other
    workers read the outcome from it). An API call: one INSERT after the response, in the
    background (cache hits only when API_RECORD_CACHE_HITS: even in the background an INSERT
    per hit took about 1.5 ms off every hit's latency on a busy 2-core machine). Neither: none.
    """

    def __init__(
        self,
        request: OptimizeRequest,
        optimization: Optimization | None,
        api_key_id: int | None,
        prior_attempts: int = 0,
        assignment: experiments.Assignment | None = None,
    ) -> None:
        self.prior_attempts = prior_attempts  # upstream calls of earlier runs of this job
        self.assignment = assignment  # the experiment's variant it runs, if one runs
        self.request = request
        self.job = optimization
        self.api_key_id = api_key_id
        self.started_at = timezone.now()

    async def start(self, key: str, provider: str, model: str) -> None:
        if self.job is None:
            return
        job = self.job
        job.status = Optimization.Status.RUNNING
        job.started_at = self.started_at
        job.cache_key = key
        job.provider = provider
        job.model = model
        self._label(job)
        await job.asave(
            update_fields=[
                "status",
                "started_at",
                "cache_key",
                "provider",
                "model",
                "prompt_version",
                "experiment",
                "updated_at",
            ]
        )

    def _label(self, row: Optimization) -> None:
        """Which experiment and prompt version made it (the comparison groups by these)."""
        if self.assignment is not None:
            row.experiment_id = self.assignment.experiment_id
            row.prompt_version_id = self.assignment.variant.prompt_id

    async def finish(self, result: Result, clock: _Clock) -> None:
        usage = result["usage_stats"]
        if self.job is None and (usage["cached"] and not settings.API_RECORD_CACHE_HITS):
            return
        row = self._row()
        row.status = Optimization.Status.DONE
        row.result = result
        row.warnings = result["warnings"]
        row.model = usage["model"]
        if self.job is None:  # a job's provider was recorded at the start
            row.provider = usage.get("provider", "")
        row.input_tokens = usage["input_tokens"]
        row.output_tokens = usage["output_tokens"]
        row.cost_usd = usage["cost_usd"]
        row.cached = usage["cached"]
        row.attempts = usage.get("attempts", 0) + self.prior_attempts
        row.latency_ms = clock.marks.get("done")
        row.first_chunk_ms = clock.marks.get("first_chunk")
        await self._save(row, clock)

    async def fail(self, code: str, message: str, attempts: int, clock: _Clock) -> None:
        row = self._row()
        row.status = Optimization.Status.FAILED
        row.error_code = code
        row.error_message = message
        row.attempts = attempts + self.prior_attempts
        row.latency_ms = clock.mark("failed")
        await self._save(row, clock)

    async def cancel(self, clock: _Clock) -> None:
        clock.mark("cancelled")
        if self.job is not None:
            # Only a job still under way: a cancel never overwrites an outcome.
            await Optimization.objects.filter(pk=self.job.pk, status__in=_UNFINISHED).aupdate(
                status=Optimization.Status.CANCELLED,
                finished_at=timezone.now(),
                timings=clock.marks,
            )
            self.job.status = Optimization.Status.CANCELLED
            return
        row = self._row()
        row.status = Optimization.Status.CANCELLED
        await self._save(row, clock)

    def _row(self) -> Optimization:
        if self.job is not None:
            return self.job
        row = Optimization(
            source=Optimization.Source.API,
            api_key_id=self.api_key_id,
            resume_text=self.request.resume,
            job_description=self.request.job_description,
            output_language=self.request.output_language,
            kind=self.request.kind,
            tone=self.request.tone,
            parent_id=self.request.parent_id,
            started_at=self.started_at,
        )
        self._label(row)
        return row

    async def _save(self, row: Optimization, clock: _Clock) -> None:
        row.finished_at = timezone.now()
        row.timings = clock.marks
        if self.job is not None:
            await row.asave()
        elif self.api_key_id is not None:
            in_background(row.asave(force_insert=True))
