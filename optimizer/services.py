"""The pipeline: the only place that orchestrates cache, provider, retry, validation and records.

    stream(request)   -> async iterator of Events: start, chunk*, warning*, done | error
    generate(request) -> drains stream() and returns the done result (or raises PipelineError)

1. key = LLMCache key(prompt, system prompt, model, max_tokens, temperature)
2. hit  -> replay the stored chunks (same boundaries), the stored warnings, done (cached=true)
3. miss -> provider.stream() under the retry policy, retried only before the first chunk
4. every text delta -> a chunk event at once (no buffering)
5. end  -> sanitize, validate, parse -> warning event -> done(result)
6. only a complete, valid result is cached (structured result + ordered chunks); the
   Optimization record, when given, is updated with result, usage, cost and timings.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from optimizer.analysis import (
    GroundingStream,
    annotate_unsupported,
    check_grounding,
    compare_scores,
    is_blocking,
    word_diff,
)
from optimizer.events import Event
from optimizer.llm.cache import LLMCache, get_llm_cache
from optimizer.llm.client import LLMRequest, LLMUsage, Provider, get_provider, model_name
from optimizer.llm.errors import LLMError
from optimizer.llm.pricing import cost_usd
from optimizer.llm.prompts import SYSTEM_PROMPT, build_prompt
from optimizer.llm.retry import RetryConfig, retry_with_exponential_backoff
from optimizer.llm.validator import ResponseValidator, parse_sections, section_heading
from optimizer.models import Optimization

logger = logging.getLogger(__name__)

CACHE_ENTRY_VERSION = 1


@dataclass(frozen=True)
class OptimizeRequest:
    resume: str
    job_description: str


class PipelineError(Exception):
    def __init__(self, message: str, code: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retry_after = retry_after


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


def build_llm_request(request: OptimizeRequest) -> LLMRequest:
    return LLMRequest(
        prompt=build_prompt(request.resume, request.job_description),
        system_prompt=SYSTEM_PROMPT,
        model=model_name(),
        max_tokens=settings.LLM_MAX_TOKENS,
        temperature=settings.LLM_TEMPERATURE,
        resume=request.resume,
        job_description=request.job_description,
    )


def cache_key_for(request: OptimizeRequest, cache: LLMCache | None = None) -> str:
    llm = build_llm_request(request)
    return (cache or get_llm_cache()).make_key(
        llm.prompt, llm.system_prompt, llm.model, llm.max_tokens, llm.temperature
    )


async def _open_stream(
    provider: Provider, llm_request: LLMRequest
) -> tuple[str | LLMUsage, AsyncIterator[str | LLMUsage]]:
    """Start an upstream stream and wait for its first item: the part that may be retried."""
    upstream = provider.stream(llm_request)
    try:
        first = await upstream.__anext__()
    except BaseException:
        await upstream.aclose()  # type: ignore[attr-defined]
        raise
    return first, upstream


async def stream(
    request: OptimizeRequest,
    *,
    optimization: Optimization | None = None,
    cache: LLMCache | None = None,
    provider: Provider | None = None,
    config: RetryConfig | None = None,
    first_event_id: int = 1,
    replay_chunks: bool = True,
) -> AsyncIterator[Event]:
    """replay_chunks=False: a hit yields no chunk events (generate() only wants the result;
    building 50 events it would throw away cost a third of a hit's CPU)."""
    cache = cache or get_llm_cache()
    provider = provider or get_provider()
    config = config or retry_config()
    ids = itertools.count(first_event_id)
    clock = _Clock()

    def event(kind: str, **data: Any) -> Event:
        return Event(next(ids), {"type": kind, **data})

    llm_request = build_llm_request(request)
    key = cache.make_key(
        llm_request.prompt,
        llm_request.system_prompt,
        llm_request.model,
        llm_request.max_tokens,
        llm_request.temperature,
    )
    if optimization is not None:
        await _record_start(optimization, key, provider.name, llm_request.model)
    yield event("start", message="Starting resume optimization...", stage="checking_cache")

    entry = await cache.get_by_key(key) if settings.CACHE_ENABLED else None
    if entry is not None and entry.get("version") == CACHE_ENTRY_VERSION:
        clock.mark("cache_hit")
        if entry["chunks"]:
            clock.mark("first_chunk")
        if replay_chunks:
            for chunk in entry["chunks"]:
                yield event("chunk", content=chunk)
        result = _hit_result(entry, clock)
        if result["warnings"]:
            yield event("warning", issues=result["warnings"])
        saved = entry["result"]["usage_stats"].get("cost_usd") or 0.0
        cache.add_saving(saved)  # written with the next lookup: no round trip of its own
        if optimization is not None:
            await _record_finish(optimization, result, clock, attempts=0)
        yield event("done", message="Optimization complete", result=result)
        return

    attempts = 0

    async def open_counted() -> tuple[str | LLMUsage, AsyncIterator[str | LLMUsage]]:
        nonlocal attempts
        attempts += 1
        return await _open_stream(provider, llm_request)

    chunks: list[str] = []
    usage: LLMUsage | None = None
    grounding = _ResumeGrounding(request.resume)
    try:
        first, upstream = await retry_with_exponential_backoff(open_counted, config)
    except LLMError as error:
        async for failure in _fail(event, optimization, error, clock, attempts):
            yield failure
        return
    except asyncio.CancelledError:
        logger.info("Client went away while waiting for the first token")
        if optimization is not None:
            await _record_cancel(optimization, clock)
        raise
    try:
        item: str | LLMUsage = first
        while True:
            if isinstance(item, LLMUsage):
                usage = item
                break
            clock.mark("first_chunk")
            chunks.append(item)
            yield event("chunk", content=item)
            if flags := grounding.feed(item):
                yield _grounding_warning(event, flags)
            try:
                item = await upstream.__anext__()
            except StopAsyncIteration:
                break
    except LLMError as error:
        # Text already reached the client: never retry silently, report the failure.
        async for failure in _fail(event, optimization, error, clock, attempts):
            yield failure
        return
    except asyncio.CancelledError:
        logger.info("Client went away after %d chunks: closing the upstream stream", len(chunks))
        if optimization is not None:
            await _record_cancel(optimization, clock)
        raise
    finally:
        await upstream.aclose()  # type: ignore[attr-defined]

    if flags := grounding.finish():
        yield _grounding_warning(event, flags)
    # Validation and analysis are CPU work (tens of ms, more on odd input): off the event loop,
    # so that other streams on this worker keep flowing meanwhile.
    result, cacheable = await sync_to_async(_finish, thread_sensitive=False)(
        "".join(chunks), usage, llm_request.model, provider.name, clock, attempts, request
    )
    # Grounding flags went out while streaming; the rest of the warnings go out now.
    if late := [w for w in result["warnings"] if w not in grounding.messages]:
        yield event("warning", issues=late)
    if cacheable and settings.CACHE_ENABLED:
        await cache.set_by_key(key, _cache_entry(result, chunks, request))
    if optimization is not None:
        await _record_finish(optimization, result, clock, attempts=attempts)
    yield event("done", message="Optimization complete", result=result)


async def generate(request: OptimizeRequest, **kwargs: Any) -> dict[str, Any]:
    """The done result of stream(), for clients that want one JSON answer."""
    async for item in stream(request, replay_chunks=False, **kwargs):
        if item.type == "done":
            return dict(item.data["result"])
        if item.type == "error":
            raise PipelineError(
                item.data["message"], item.data["code"], item.data.get("retry_after")
            )
    raise PipelineError("The pipeline ended without a result", "internal_error")


# -- building results --------------------------------------------------------------------------


class _ResumeGrounding:
    """Grounding flags for the OPTIMIZED RESUME section, as soon as each line is complete.

    Only whole lines of the resume section are fed, so the CHANGES MADE section (where missing
    keywords are suggested, not claimed) is never checked as if it were the resume.
    """

    def __init__(self, original: str) -> None:
        self.stream = GroundingStream(original)
        self.text = ""
        self.fed = 0
        self.done = False
        self.messages: set[str] = set()

    def feed(self, delta: str) -> list[Any]:
        if self.done:
            return []
        self.text += delta
        end = self.text.rfind("\n") + 1
        if end <= self.fed:
            return []
        complete = self.text[self.fed : end]
        cut = _section_end(complete)
        if cut is not None:
            complete = complete[:cut]
            self.done = True
        self.fed = end
        flags = self.stream.feed(complete)
        if self.done:
            flags += self.stream.finish()
        return self._new(flags)

    def finish(self) -> list[Any]:
        if self.done:
            return []
        self.done = True
        rest = self.text[self.fed :]
        cut = _section_end(rest)
        flags = self.stream.feed(rest[:cut] if cut is not None else rest) + self.stream.finish()
        return self._new(flags)

    def _new(self, flags: list[Any]) -> list[Any]:
        fresh = [flag for flag in flags if flag.message not in self.messages]
        self.messages.update(flag.message for flag in fresh)
        return fresh


def _section_end(text: str) -> int | None:
    """Offset of the first CHANGES MADE / EXPECTED IMPROVEMENT heading line in text, if any."""
    offset = 0
    for line in text.splitlines(keepends=True):
        if section_heading(line) in ("CHANGES MADE", "EXPECTED IMPROVEMENT"):
            return offset
        offset += len(line)
    return None


def _grounding_warning(event: Callable[..., Event], flags: list[Any]) -> Event:
    return event(
        "warning",
        issues=[flag.message for flag in flags],
        grounding=[flag.to_dict() for flag in flags],
    )


def _finish(
    text: str,
    usage: LLMUsage | None,
    model: str,
    provider_name: str,
    clock: _Clock,
    attempts: int,
    request: OptimizeRequest,
) -> tuple[dict[str, Any], bool]:
    validator = ResponseValidator()
    is_valid, issues = validator.validate(text)
    clean = validator.sanitize(text)
    sections, missing = parse_sections(clean)
    warnings = list(issues)
    warnings += [f"Missing section: {name}" for name in missing]
    stop_reason = usage.stop_reason if usage else None
    if stop_reason == "max_tokens":
        warnings.append("Response truncated: the model reached the max_tokens limit")
    input_tokens = usage.input_tokens if usage else 0
    output_tokens = usage.output_tokens if usage else 0
    used_model = usage.model if usage and usage.model else model
    cost = cost_usd(used_model, input_tokens, output_tokens)
    if cost is None:
        warnings.append(f"No price is known for model {used_model}: cost not reported")
    analysis = analyse(request, sections["optimized_resume"])
    warnings += [flag["message"] for flag in analysis["grounding"]]
    blocking = [flag for flag in analysis["grounding"] if flag["blocking"]]
    strict_failure = settings.GROUNDING_MODE == "strict" and bool(blocking)
    if strict_failure:
        warnings.append(
            f"Strict grounding: {len(blocking)} unsupported employer, title, degree or number "
            "claim(s); the result is not valid"
        )
    total_ms = clock.mark("done")
    result = {
        **sections,
        "usage_stats": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cost_usd": cost,
            "model": used_model,
            "cached": False,
            "saved_usd": 0.0,
            "provider": provider_name,
            "attempts": attempts,
            "latency_ms": total_ms,
            "time_to_first_chunk_ms": clock.marks.get("first_chunk"),
        },
        "warnings": warnings,
        "is_valid": is_valid and not missing and stop_reason != "max_tokens" and not strict_failure,
        "quality": validator.assess_quality(clean),
        "stop_reason": stop_reason,
        **analysis,
    }
    cacheable = (
        result["is_valid"] and bool(sections["optimized_resume"]) and stop_reason != "max_tokens"
    )
    return result, cacheable


def analyse(request: OptimizeRequest, optimized_resume: str) -> dict[str, Any]:
    """The explainable parts of a result: match score before/after, grounding flags, diff."""
    flags = check_grounding(request.resume, optimized_resume) if optimized_resume else []
    grounding = [{**flag.to_dict(), "blocking": is_blocking(flag)} for flag in flags]
    return {
        "ats_score": compare_scores(request.resume, optimized_resume, request.job_description),
        "grounding": grounding,
        "grounding_mode": settings.GROUNDING_MODE,
        "diff": annotate_unsupported(word_diff(request.resume, optimized_resume), flags),
    }


def _cache_entry(
    result: dict[str, Any], chunks: list[str], request: OptimizeRequest
) -> dict[str, Any]:
    return {
        "version": CACHE_ENTRY_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "model": result["usage_stats"]["model"],
        "job_excerpt": " ".join(request.job_description.split())[:200],
        "result": result,
        "chunks": chunks,
    }


def _hit_result(entry: dict[str, Any], clock: _Clock) -> dict[str, Any]:
    """The stored result, re-labelled: original token counts, nothing charged, what it saved."""
    result = dict(entry["result"])
    original = dict(result["usage_stats"])
    result["usage_stats"] = {
        **original,
        "cost_usd": 0.0,
        "saved_usd": original.get("cost_usd") or 0.0,
        "cached": True,
        "attempts": 0,
        "latency_ms": clock.mark("done"),
        "time_to_first_chunk_ms": clock.marks.get("first_chunk"),
        "cached_at": entry.get("created_at"),
    }
    return result


async def _fail(
    event: Callable[..., Event],
    optimization: Optimization | None,
    error: LLMError,
    clock: _Clock,
    attempts: int,
) -> AsyncIterator[Event]:
    logger.error("Optimization failed: %s (%s)", error.message, error.code)
    if optimization is not None:
        await _record_failure(optimization, error, clock, attempts)
    data: dict[str, Any] = {"message": error.message, "code": error.code}
    if error.retry_after is not None:
        data["retry_after"] = error.retry_after
    if error.status is not None:
        data["upstream_status"] = error.status
    yield event("error", **data)


# -- records -----------------------------------------------------------------------------------


async def _record_start(optimization: Optimization, key: str, provider: str, model: str) -> None:
    optimization.status = Optimization.Status.RUNNING
    optimization.started_at = timezone.now()
    optimization.cache_key = key
    optimization.provider = provider
    optimization.model = model
    await optimization.asave(
        update_fields=["status", "started_at", "cache_key", "provider", "model", "updated_at"]
    )


async def _record_finish(
    optimization: Optimization, result: dict[str, Any], clock: _Clock, attempts: int
) -> None:
    usage = result["usage_stats"]
    optimization.status = Optimization.Status.DONE
    optimization.result = result
    optimization.warnings = result["warnings"]
    optimization.model = usage["model"]
    optimization.input_tokens = usage["input_tokens"]
    optimization.output_tokens = usage["output_tokens"]
    optimization.cost_usd = usage["cost_usd"]
    optimization.cached = usage["cached"]
    optimization.attempts = attempts
    optimization.finished_at = timezone.now()
    optimization.latency_ms = clock.marks.get("done")
    optimization.first_chunk_ms = clock.marks.get("first_chunk")
    optimization.timings = clock.marks
    await optimization.asave()


async def _record_failure(
    optimization: Optimization, error: LLMError, clock: _Clock, attempts: int
) -> None:
    optimization.status = Optimization.Status.FAILED
    optimization.error_code = error.code
    optimization.error_message = error.message
    optimization.attempts = attempts
    optimization.finished_at = timezone.now()
    optimization.latency_ms = clock.mark("failed")
    optimization.timings = clock.marks
    await optimization.asave()


async def _record_cancel(optimization: Optimization, clock: _Clock) -> None:
    optimization.status = Optimization.Status.CANCELLED
    optimization.finished_at = timezone.now()
    optimization.timings = {**clock.marks, "cancelled": clock.mark("cancelled")}
    # The task is being cancelled: shield the write so the record is not left "running".
    await asyncio.shield(sync_to_async(optimization.save)())
