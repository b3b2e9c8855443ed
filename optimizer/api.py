"""/api/v1 JSON views: the seed's endpoints plus jobs for GET-only EventSource clients.

Every generation goes through the pipeline (optimizer/services.py: generate() and stream(), which
also record it); jobs go through optimizer/jobs.py. Errors use one shape,
{"error": {"code", "message", "field"}} (optimizer/decorators.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from django import forms
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from optimizer import batch_events, batches, jobs, letters, review, services
from optimizer.api_keys import KeyInfo, RateCount, authenticate, count_request, require_key
from optimizer.decorators import ApiError, View, api_view, error, parse_json
from optimizer.documents.export import PAGE_SIZES
from optimizer.downloads import FORMATS, download_response
from optimizer.events import Event, render_json
from optimizer.forms import (
    ApiOptimizeForm,
    BatchOptionsForm,
    JobKindForm,
    LetterOptionsForm,
    OptimizeForm,
    PageOptimizeForm,
    job_description_field,
)
from optimizer.health import health
from optimizer.http import ApiRequest
from optimizer.jsonio import JsonResponse
from optimizer.llm import cache_control
from optimizer.llm.cache import get_llm_cache
from optimizer.models import Batch, Optimization
from optimizer.openapi import openapi_document
from optimizer.sse import InvalidLastEventId, last_event_id, sse_response, with_heartbeats

# Form error code -> API error code. Every one of them is a 400 (see docs/api.md).
_INPUT_ERROR_CODES = {
    "required": "required",
    "invalid_type": "invalid_type",
    "min_length": "too_short",
    "max_length": "too_long",
    "null_characters_not_allowed": "invalid_characters",
    "invalid_characters": "invalid_characters",
    "empty": "empty_file",  # Django's FileField code for a zero-byte upload
    "invalid_choice": "invalid_choice",  # output_language not one of prompts.OUTPUT_LANGUAGES
}
# Pipeline error code -> HTTP status. Retryable upstream trouble is a 503 with Retry-After.
_UPSTREAM_BAD_REQUEST = ("upstream_bad_request", "upstream_request_too_large")
_MISCONFIGURED = ("llm_auth", "upstream_not_found")
NOT_CONFIGURED_CODE = "llm_not_configured"
NOT_CONFIGURED_MESSAGE = "LLM not configured correctly; the operator has been told"
CACHE_UNAVAILABLE = "cache_unavailable"


def optimize_request(data: dict[str, Any]) -> services.OptimizeRequest:
    """Validate the two texts (unknown fields are ignored) or raise a 400 ApiError.

    A multipart body may carry resume_file (PDF, DOCX or TXT) instead of resume_raw_text; it is
    read by the same form the web page uses.
    """
    upload = data.pop("resume_file", None)
    if upload is not None:
        form: OptimizeForm = PageOptimizeForm(data=data, files={"resume_file": upload})
    else:
        form = ApiOptimizeForm(data=data)
    _check(form)
    return services.OptimizeRequest(
        form.cleaned_data["resume_raw_text"],
        form.cleaned_data["job_description_text"],
        form.cleaned_data.get("output_language") or "",
    )


def _check(form: forms.Form) -> None:
    """Raise the form's first error as the API's 400 (413 for a file too large)."""
    if form.is_valid():
        return
    for name, errors in form.errors.as_data().items():
        first = errors[0]
        message = " ".join(first.messages)
        code = _INPUT_ERROR_CODES.get(first.code or "", first.code or "invalid")
        if code == "required":
            message = "This field is required and must not be empty or only whitespace."
        status = 413 if code == "file_too_large" else 400
        raise ApiError(status, code, f"{name}: {message}", field=name)


async def read_optimize_request(data: dict[str, Any]) -> services.OptimizeRequest:
    if "resume_file" in data:
        # Reading a PDF or DOCX is CPU work: keep it off the event loop.
        return await sync_to_async(optimize_request, thread_sensitive=False)(data)
    return optimize_request(data)


def public_failure(code: str, message: str) -> tuple[str, str]:
    """The code and message a client is told of a pipeline failure.

    A refused key or an unknown model is the operator's to fix: the client learns that the LLM
    is not configured, never which part is wrong (services logs the real cause). The same for
    the JSON errors and the streams' error events.
    """
    if code in _MISCONFIGURED:
        return NOT_CONFIGURED_CODE, NOT_CONFIGURED_MESSAGE
    return code, message


def pipeline_error(code: str, message: str, retry_after: float | None) -> ApiError:
    """An upstream or pipeline failure as an HTTP error; never carries a credential."""
    code, message = public_failure(code, message)
    if code in _UPSTREAM_BAD_REQUEST:
        return ApiError(422, code, message)
    if code == NOT_CONFIGURED_CODE:
        return ApiError(503, code, message)
    if code == "cancelled":
        return ApiError(409, "cancelled", message)
    if code == "internal_error":
        return ApiError(500, code, message)
    if code == "budget_exceeded" and retry_after is not None:
        return ApiError(
            429, code, message, headers={"Retry-After": str(max(1, round(retry_after)))}
        )
    headers = {"Retry-After": str(max(1, round(retry_after)))} if retry_after is not None else None
    return ApiError(503, code, message, headers=headers)


# -- open endpoints ------------------------------------------------------------------------


@api_view("GET")
async def health_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(await health())


@api_view("GET")
async def openapi_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document())


@api_view("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
async def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    raise ApiError(404, "not_found", f"No API endpoint at {request.path}")


# -- generation ----------------------------------------------------------------------------


def read_cache_policy(request: ApiRequest) -> cache_control.CachePolicy:
    """Cache-Control, X-Cache-TTL and the body's cache_ttl, or a 400 before any LLM call."""
    try:
        return cache_control.parse(request.headers, request.json)
    except cache_control.CacheControlError as problem:
        raise ApiError(
            400, cache_control.ERROR_CODE, problem.message, field=problem.field
        ) from None


@api_view("POST")
@require_key(count_with_lookup=True)  # the hot path: a hit is one Redis round trip
@parse_json
async def generate(request: ApiRequest) -> JsonResponse:
    policy = read_cache_policy(request)
    optimize = await read_optimize_request(request.json)
    return await _answer(request, optimize, policy, request.rate_count)


async def _answer(
    request: ApiRequest,
    optimize: services.OptimizeRequest,
    policy: cache_control.CachePolicy,
    rate_count: RateCount | None = None,
) -> JsonResponse:
    """One JSON answer from the pipeline (a resume or a letter)."""
    try:
        result = await services.generate(
            optimize, api_key_id=request.api_key.id, cache_policy=policy, rate_count=rate_count
        )
    except services.PipelineError as failure:
        raise pipeline_error(failure.code, failure.message, failure.retry_after) from None
    return JsonResponse(result, headers={"X-Cache": result["usage_stats"].get("cache", "MISS")})


@api_view("POST")
@require_key()
@parse_json
async def generate_stream(request: ApiRequest) -> HttpResponseBase:
    policy = read_cache_policy(request)
    return _stream(request, await read_optimize_request(request.json), policy)


def _stream(
    request: ApiRequest, optimize: services.OptimizeRequest, policy: cache_control.CachePolicy
) -> HttpResponseBase:
    """The pipeline's events as SSE (a resume or a letter)."""
    stream = services.stream(optimize, api_key_id=request.api_key.id, cache_policy=policy)
    # The headers go out before the lookup: the done event's usage_stats.cache says HIT or MISS.
    response = sse_response(with_heartbeats(_public_events(stream), render_json))
    if not policy.lookup:
        response.headers["X-Cache"] = "BYPASS"
    return response


# -- letters: a cover letter or an outreach note for the job (issue 16, item 1) ---------------


async def read_letter_request(request: ApiRequest) -> services.OptimizeRequest:
    """The seed's request plus kind and tone, or optimization_id instead of the two texts:
    that optimization's resume and job (the caller's own only), its rewrite for wording."""
    data = request.json
    options = LetterOptionsForm(data=data)
    _check(options)
    kind = options.cleaned_data["kind"] or Optimization.Kind.COVER_LETTER
    tone = options.cleaned_data["tone"] or ""
    if not (optimization_id := options.cleaned_data["optimization_id"]):
        optimize = await read_optimize_request(data)
        return dataclasses.replace(optimize, kind=kind, tone=tone)
    for name in ("resume_raw_text", "job_description_text", "resume_file"):
        if name in data:
            raise ApiError(
                400,
                "invalid_body",
                f"{name}: send optimization_id or the resume and job description, not both",
                field=name,
            )
    parent = await _own_optimization(request, optimization_id)
    return services.OptimizeRequest(
        parent.resume_text,
        parent.job_description,
        parent.output_language,
        kind=kind,
        tone=tone,
        tailored_resume=review.final_text(parent),
        parent_id=parent.pk,
    )


async def _own_optimization(request: ApiRequest, optimization_id: str) -> Optimization:
    """The caller's finished resume optimization; any other id (malformed, unknown, another
    key's, a letter's) is the same 404, so that nobody learns another caller's ids exist."""
    parent = await _own_resume(request, optimization_id)
    if parent.status != Optimization.Status.DONE or not parent.result:
        raise ApiError(
            409,
            "not_finished",
            "optimization_id: that optimization has no result yet",
            field="optimization_id",
        )
    return parent


@api_view("POST")
@require_key()
@parse_json
async def cover_letter(request: ApiRequest) -> JsonResponse:
    policy = read_cache_policy(request)
    return await _answer(request, await read_letter_request(request), policy)


@api_view("POST")
@require_key()
@parse_json
async def cover_letter_stream(request: ApiRequest) -> HttpResponseBase:
    policy = read_cache_policy(request)
    return _stream(request, await read_letter_request(request), policy)


async def _public_events(events: AsyncGenerator[Event, None]) -> AsyncIterator[Event]:
    """The events with each error as public_failure() tells it (no upstream status with it)."""
    async with contextlib.aclosing(events):  # closing this closes the pipeline at once
        async for event in events:
            if event.type == "error":
                code, message = public_failure(event.data.get("code", ""), event.data["message"])
                if code != event.data.get("code"):
                    data = {"type": "error", "message": message, "code": code}
                    event = Event(event.id, data)
            yield event


# -- jobs ----------------------------------------------------------------------------------


def _signer(purpose: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"optimizer.api.job-{purpose}")


def job_token(job_id: uuid.UUID, purpose: str) -> str:
    """A short-lived token for one job and one purpose (stream or result); no key in the URL."""
    return _signer(purpose).sign(str(job_id)).split(":", 1)[1]


def job_urls(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    urls: dict[str, Any] = {}
    for purpose in ("stream", "result"):
        path = reverse(f"api-job-{purpose}", args=[job_id])
        urls[f"{purpose}_url"] = request.build_absolute_uri(
            f"{path}?token={job_token(job_id, purpose)}"
        )
    # Downloads are readable by whoever may read the result: they carry the result token.
    token = job_token(job_id, "result")
    urls["download_urls"] = {
        fmt: request.build_absolute_uri(
            f"{reverse('api-job-download', args=[job_id, fmt])}?token={token}"
        )
        for fmt in FORMATS
    }
    return urls


async def _job_for(request: HttpRequest, job_id: uuid.UUID, purpose: str) -> Optimization:
    """The job, if the request carries its signed token or the API key that created it."""
    token = request.GET.get("token")
    key: KeyInfo | None = None
    if token:
        try:
            _signer(purpose).unsign(f"{job_id}:{token}", max_age=settings.JOB_TOKEN_MAX_AGE_SECONDS)
        except signing.SignatureExpired:
            raise ApiError(
                401, "token_expired", "This link has expired: POST /api/v1/jobs again"
            ) from None
        except signing.BadSignature:
            raise ApiError(401, "invalid_token", "The token in this link is not valid") from None
    else:
        key = await authenticate(request)
        await count_request(key)
    job = await Optimization.objects.filter(pk=job_id, source=Optimization.Source.API).afirst()
    if job is None or (key is not None and not key.is_admin and job.api_key_id != key.id):
        raise ApiError(404, "job_not_found", "No such job")
    return job


async def _with_restart_hint(events: AsyncIterator[Event]) -> AsyncIterator[Event]:
    """A cancelled job's error event says how to start a new run."""
    async for event in events:
        if event.type == "error" and event.data.get("code") == "cancelled":
            event = Event(event.id, {**event.data, "restart_url": reverse("api-jobs")})
        yield event


# What a cross-origin page may send and read. EventSource sends Last-Event-ID when it
# reconnects; a fetch()-based SSE client may send Authorization or Cache-Control. Retry-After
# (a 202 from result_url) and X-Request-ID (a 5xx) are not readable cross-origin unless exposed.
_CORS_ALLOW_HEADERS = "Authorization, Cache-Control, Last-Event-ID"
_CORS_EXPOSE_HEADERS = "Retry-After, X-Request-ID"
_CORS_MAX_AGE_SECONDS = "600"


def _cors_origin(request: HttpRequest) -> str | None:
    """The Access-Control-Allow-Origin value for this request, or None: origin not allowed."""
    origin = request.headers.get("Origin")
    if not origin:
        return None
    allowed = settings.JOB_CORS_ALLOWED_ORIGINS
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None


def _job_cors(view: View) -> View:
    """CORS for a job link (JOB_CORS_ALLOWED_ORIGINS), so an integrator's page can open it.

    On these two views, not in a middleware: django-cors-headers' middleware would run on
    every request, the cache hits of POST /api/v1/generate included. No credentials: the
    signed token is in the URL. An origin not allowed gets no CORS headers (the browser
    refuses); with the setting empty the view behaves as if this decorator were not there.
    """

    @functools.wraps(view)  # keeps api_view's csrf_exempt mark
    async def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.JOB_CORS_ALLOWED_ORIGINS:
            return await view(request, *args, **kwargs)
        origin = _cors_origin(request)
        preflight = (
            request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        )
        response: HttpResponseBase
        if origin and preflight:
            response = HttpResponse(status=204)
            response.headers["Access-Control-Allow-Methods"] = "GET"
            response.headers["Access-Control-Allow-Headers"] = _CORS_ALLOW_HEADERS
            response.headers["Access-Control-Max-Age"] = _CORS_MAX_AGE_SECONDS
        else:  # a not-allowed preflight gets the view's 405, without CORS headers
            response = await view(request, *args, **kwargs)
            if origin:
                response.headers["Access-Control-Expose-Headers"] = _CORS_EXPOSE_HEADERS
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
        # The answer depends on Origin: a shared cache must not serve one origin's to another.
        patch_vary_headers(response, ("Origin",))
        return response

    return wrapper


@api_view("POST")
@require_key()
@parse_json
async def create_job(request: ApiRequest) -> JsonResponse:
    kind = JobKindForm(data=request.json)
    _check(kind)
    if kind.cleaned_data["kind"] in letters.KINDS[1:]:
        optimize = await read_letter_request(request)
    else:
        optimize = await read_optimize_request(request.json)
    job = await services.create_optimization(
        resume=optimize.resume,
        job_description=optimize.job_description,
        source=Optimization.Source.API,
        api_key_id=request.api_key.id,
        output_language=optimize.output_language,
        kind=optimize.kind,
        tone=optimize.tone,
        parent_id=optimize.parent_id,
    )
    urls = job_urls(request, job.pk)
    body = {"id": str(job.pk), "status": job.status, **urls}
    return JsonResponse(body, status=202, headers={"Location": urls["result_url"]})


@_job_cors
@api_view("GET")
async def job_stream(request: HttpRequest, job_id: uuid.UUID) -> HttpResponseBase:
    job = await _job_for(request, job_id, "stream")
    try:
        resume_after = last_event_id(request)
    except InvalidLastEventId as problem:
        raise ApiError(400, "invalid_last_event_id", str(problem)) from None
    events = _with_restart_hint(_public_events(jobs.follow(job, last_event_id=resume_after)))
    return sse_response(with_heartbeats(events, render_json))


@_job_cors
@api_view("GET")
async def job_result(request: HttpRequest, job_id: uuid.UUID) -> JsonResponse:
    job = await _job_for(request, job_id, "result")
    await jobs.touch(job.pk)  # a result poller is a viewer: the job is not orphaned
    status = job.status
    if status == Optimization.Status.PENDING and await jobs.start(job):
        status = Optimization.Status.RUNNING
    if status in (
        Optimization.Status.PENDING,
        Optimization.Status.QUEUED,
        Optimization.Status.RUNNING,
    ):
        body = {"id": str(job.pk), "status": status, **job_urls(request, job.pk)}
        return JsonResponse(body, status=202, headers={"Retry-After": "1"})
    if status == Optimization.Status.DONE and job.result:
        return JsonResponse(job.result)
    if status == Optimization.Status.CANCELLED or job.error_code == "cancelled":
        return error(
            409,
            "cancelled",
            "This job was cancelled (nobody was watching it). POST /api/v1/jobs to start again.",
        )
    code = job.error_code or "internal_error"
    raise pipeline_error(code, job.error_message, await _failure_retry_after(job))


async def _failure_retry_after(job: Optimization) -> float:
    """How long a failed job's 503 asks to wait: what its error event said (the upstream's
    retry-after), else 1 s, so that a retryable failure always says when to try again."""
    final = await jobs.final_event(job.pk)
    if final is not None and final.type == "error":
        retry_after = final.data.get("retry_after")
        if isinstance(retry_after, int | float):
            return float(retry_after)
    return 1.0


@api_view("GET")
async def job_download(request: HttpRequest, job_id: uuid.UUID, fmt: str) -> HttpResponse:
    """The finished job's resume as .txt, .md, .docx or .pdf (result token or the job's key)."""
    if fmt not in FORMATS:
        raise ApiError(404, "unknown_format", f"Unknown format: use one of {', '.join(FORMATS)}")
    job = await _job_for(request, job_id, "result")
    if job.status != Optimization.Status.DONE or not job.result:
        raise ApiError(409, "not_finished", "This job has no result yet: GET its result_url first")
    page = request.GET.get("page") or None
    if page is not None and page not in PAGE_SIZES:
        raise ApiError(
            400, "invalid_page_size", f"Unknown page size: use one of {', '.join(PAGE_SIZES)}"
        )
    return await download_response(job, fmt, page=page)


# -- batches: one resume, several jobs (issue 16, item 3) ------------------------------------


def read_job_descriptions(data: dict[str, Any]) -> list[str]:
    """job_descriptions: a list of 1 to BATCH_MAX_JOBS texts, each checked as
    job_description_text is; an error names the item (job_descriptions[2])."""
    name = "job_descriptions"
    value = data.get(name)
    limit = settings.BATCH_MAX_JOBS
    if value is None:
        raise ApiError(400, "required", f"{name}: a list of 1 to {limit} job descriptions", name)
    if not isinstance(value, list):
        raise ApiError(400, "invalid_type", f"{name}: must be a list of strings", field=name)
    if not value:
        raise ApiError(400, "too_short", f"{name}: give at least one job description", name)
    if len(value) > limit:
        raise ApiError(
            400,
            "too_many_jobs",
            f"{name}: {len(value)} job descriptions; a batch takes at most {limit}",
            field=name,
        )
    field = job_description_field()
    texts = []
    for index, text in enumerate(value):
        try:
            texts.append(field.clean(text))
        except forms.ValidationError as problems:
            problem = problems.error_list[0]
            code = _INPUT_ERROR_CODES.get(problem.code or "", problem.code or "invalid")
            message = " ".join(problem.messages)
            if code == "required":
                message = "This job description is empty: remove it or paste the job ad."
            where = f"{name}[{index}]"
            raise ApiError(400, code, f"{where}: {message}", field=where) from None
    return texts


async def read_batch_request(request: ApiRequest) -> batches.BatchRequest:
    """The resume (resume_raw_text, or optimization_id: that resume optimization's resume,
    the caller's own only), job_descriptions, output_language and deferred; or a 400/404."""
    data = request.json
    options = BatchOptionsForm(data=data)
    _check(options)
    job_descriptions = read_job_descriptions(data)
    optimization_id = options.cleaned_data["optimization_id"]
    if optimization_id and "resume_raw_text" in data:
        raise ApiError(
            400,
            "invalid_body",
            "resume_raw_text: send optimization_id or the resume, not both",
            field="resume_raw_text",
        )
    if optimization_id:
        resume = (await _own_resume(request, optimization_id)).resume_text
    else:
        # The resume through the form that checks it for every endpoint (a stand-in job).
        form = ApiOptimizeForm(data={**data, "job_description_text": job_descriptions[0]})
        _check(form)
        resume = form.cleaned_data["resume_raw_text"]
    return batches.BatchRequest(
        resume,
        job_descriptions,
        options.cleaned_data.get("output_language") or "",
        deferred=bool(options.cleaned_data.get("deferred")),
    )


async def _own_resume(request: ApiRequest, optimization_id: str) -> Optimization:
    """The caller's resume optimization (finished or not: only its resume is used); any other
    id (malformed, unknown, another key's, a letter's) is the same 404."""
    missing = ApiError(
        404, "not_found", "optimization_id: no such optimization", field="optimization_id"
    )
    try:
        pk = uuid.UUID(optimization_id)
    except ValueError:
        raise missing from None
    found = await Optimization.objects.filter(pk=pk, kind=Optimization.Kind.RESUME).afirst()
    key = request.api_key
    if found is None or (not key.is_admin and found.api_key_id != key.id):
        raise missing
    return found


@api_view("POST")
@require_key()
@parse_json
async def create_batch(request: ApiRequest) -> JsonResponse:
    batch = await batches.create_batch(
        await read_batch_request(request),
        source=Optimization.Source.API,
        api_key_id=request.api_key.id,
    )
    body = await batch_body(request, batch)
    return JsonResponse(body, status=202, headers={"Location": body["url"]})


async def _own_batch(request: ApiRequest, batch_id: uuid.UUID) -> Batch:
    batch = await Batch.objects.filter(pk=batch_id).afirst()
    key = request.api_key
    if batch is None or (not key.is_admin and batch.api_key_id != key.id):
        raise ApiError(404, "batch_not_found", "No such batch")
    return batch


@api_view("GET")
@require_key()
async def batch_detail(request: ApiRequest, batch_id: uuid.UUID) -> JsonResponse:
    batch = await _own_batch(request, batch_id)
    await batches.poll_if_due(batch)
    return JsonResponse(await batch_body(request, batch))


async def batch_body(request: HttpRequest, batch: Batch) -> dict[str, Any]:
    """A batch as the API tells it: each item's job (its links, as POST /api/v1/jobs gives
    them), status and match before and after."""
    items = await batches.items_of(batch)
    writing = await batch_events.writing(batch.pk)
    return {
        "id": str(batch.pk),
        "url": request.build_absolute_uri(reverse("api-batch", args=[batch.pk])),
        "created_at": batch.created_at.isoformat(),
        "status": batches.batch_status(items),
        "deferred": batch.deferred,
        "message_batch": (
            {"id": batch.upstream_id, "status": batch.upstream_status}
            if batch.upstream_id
            else None
        ),
        "counts": batches.counts(items),
        "items": [_batch_item(request, item, str(item.pk) in writing) for item in items],
    }


def _batch_item(request: HttpRequest, item: Optimization, writing: bool) -> dict[str, Any]:
    score = item.score or {}
    failed = item.status in (Optimization.Status.FAILED, Optimization.Status.CANCELLED)
    code, message = public_failure(item.error_code, item.error_message)
    return {
        "position": item.batch_position,
        "job_id": str(item.pk),
        "job_title": item.job_title,
        "company": item.company,
        "status": item.status,
        # Running and holding an upstream slot (the others that run wait for their turn).
        "writing": writing and item.status == Optimization.Status.RUNNING,
        "match_before": score.get("before"),
        "match_after": score.get("after"),
        "match_delta": score.get("delta"),
        "cost_usd": float(item.cost_usd) if item.cost_usd is not None else None,
        "cached": item.cached,
        "error": {"code": code or "failed", "message": message} if failed else None,
        **job_urls(request, item.pk),
    }


# -- cache -----------------------------------------------------------------------------------


@api_view("GET")
@require_key()
async def cache_stats(request: ApiRequest) -> JsonResponse:
    stats = await get_llm_cache().get_stats()
    fields = ("total_keys", "ttl_seconds", "hits", "misses", "hit_rate", "saved_usd", "available")
    return JsonResponse({name: stats[name] for name in fields} | {"backend": stats["backend"]})


@api_view("DELETE")
@require_key(admin=True)
async def cache_clear(request: ApiRequest) -> JsonResponse:
    cache = get_llm_cache()
    # clear_all() answers 0 when Redis fails, as when there was nothing to delete: ask Redis
    # before, and after a 0, so that an outage is a 503 rather than "cleared".
    if not await cache.connect():
        raise _cache_unavailable(cache.retry_interval)
    deleted = await cache.clear_all()
    if not deleted and not await cache.connect():
        raise _cache_unavailable(cache.retry_interval)
    return JsonResponse({"success": True, "message": "Cache cleared", "deleted": deleted})


def _cache_unavailable(retry_after: float) -> ApiError:
    return ApiError(
        503,
        CACHE_UNAVAILABLE,
        "The cache is unavailable (Redis does not answer): it was not cleared. Try again later.",
        headers={"Retry-After": str(max(1, round(retry_after)))},
    )
