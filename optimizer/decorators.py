"""The API's plumbing: one error shape, JSON bodies, API-key auth, the per-key rate limit.

    @api_view("POST")       JSON 405 with Allow; ApiError -> error shape; no CSRF (key auth only)
    @require_key()          Authorization: Bearer <key> or X-API-Key: <key>; 401/403; 429
    @parse_json             413 (too big), 415 (not JSON), 400 (invalid JSON / not an object)

The hot path (a cache hit on POST /api/v1/generate) costs no DB query and one Redis round trip
here: a key's record is remembered in-process for API_KEY_CACHE_SECONDS, and the rate-limit
counter, the usage counter and the once-a-minute flush claim go out in one pipeline.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils import timezone

from optimizer.llm.cache import REDIS_ERRORS, get_llm_cache
from optimizer.models import ApiKey, hash_api_key

logger = logging.getLogger(__name__)

View = Callable[..., Awaitable[HttpResponseBase]]

# Keys are "ats_" + 43 characters; anything much longer is not a key (and is not hashed).
MAX_KEY_LENGTH = 200
# request_count/last_used_at are written at most once per this many seconds per key.
USAGE_FLUSH_SECONDS = 60
_KEY_CACHE_MAX_ENTRIES = 1024


# -- errors ------------------------------------------------------------------------------------


def error(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    """The one error shape: {"error": {"code", "message", "field"}}."""
    body = {"error": {"code": code, "message": message, "field": field}}
    return JsonResponse(body, status=status, headers=headers)


class ApiError(Exception):
    """Raised anywhere under @api_view; answered with the error shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers

    def response(self) -> JsonResponse:
        return error(self.status, self.code, self.message, self.field, self.headers)


def api_view(*methods: str) -> Callable[[View], View]:
    """An async JSON API view: method check (405 + Allow), ApiError handling, CSRF-exempt.

    CSRF protects cookie-authenticated requests; the API only accepts API keys in headers,
    which a cross-site form cannot send, and never looks at the session cookie.
    """
    allowed = ", ".join(methods)

    def decorate(view: View) -> View:
        @functools.wraps(view)
        async def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in methods:
                message = f"Method {request.method} is not allowed here; use {allowed}"
                return error(405, "method_not_allowed", message, headers={"Allow": allowed})
            try:
                return await view(request, *args, **kwargs)
            except ApiError as failure:
                return failure.response()

        wrapper.csrf_exempt = True  # type: ignore[attr-defined]
        return wrapper

    return decorate


# -- JSON bodies -------------------------------------------------------------------------------


def read_multipart(request: HttpRequest) -> dict[str, Any]:
    """A multipart/form-data body (text fields plus an optional resume_file) as a dict.

    The byte limit is the upload limit plus room for the text fields, not API_MAX_BODY_BYTES:
    a PDF resume is bigger than any JSON body we accept.
    """
    limit = settings.UPLOAD_MAX_BYTES + settings.API_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise ApiError(413, "body_too_large", f"The request body is larger than {limit} bytes")
    try:
        data: dict[str, Any] = {name: request.POST.get(name) for name in request.POST}
        upload = request.FILES.get("resume_file")
    except RequestDataTooBig:
        raise ApiError(413, "body_too_large", "The form fields are too large") from None
    except Exception as failure:  # MultiPartParserError and kin: a malformed body
        raise ApiError(400, "invalid_body", f"The multipart body is malformed: {failure}") from None
    if upload is not None:
        data["resume_file"] = upload
    return data


def read_json_object(request: HttpRequest) -> dict[str, Any]:
    """The request body as a JSON object, or an ApiError that says what is wrong with it."""
    if request.content_type == "multipart/form-data":
        return read_multipart(request)
    limit = settings.API_MAX_BODY_BYTES
    too_big = ApiError(413, "body_too_large", f"The request body is larger than {limit} bytes")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise too_big
    try:
        # Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE with an HTML 400: make it ours.
        body = request.body
    except RequestDataTooBig:
        raise too_big from None
    if len(body) > limit:  # chunked uploads declare no length
        raise too_big
    if not body:
        raise ApiError(400, "invalid_json", "The request body is empty: send a JSON object")
    if request.content_type != "application/json" and not (
        request.content_type.startswith("application/") and request.content_type.endswith("+json")
    ):
        raise ApiError(
            415,
            "unsupported_media_type",
            "Send the body as JSON (Content-Type: application/json), or as multipart/form-data "
            "with a resume_file",
        )
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_json", "The request body is not valid UTF-8") from None
    except RecursionError:
        raise ApiError(400, "invalid_json", "The JSON body is nested too deeply") from None
    except ValueError as failure:
        raise ApiError(
            400, "invalid_json", f"The request body is not valid JSON: {failure}"
        ) from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_body", "The JSON body must be an object")
    return data


def parse_json(view: View) -> View:
    """Sets request.json to the decoded JSON object."""

    @functools.wraps(view)
    async def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        request.json = read_json_object(request)  # type: ignore[attr-defined]
        return await view(request, *args, **kwargs)

    return wrapper


# -- API keys ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyInfo:
    """What a view needs to know about the caller's key (never the key itself)."""

    id: int
    name: str
    is_admin: bool


# key hash -> (valid until, monotonic clock; KeyInfo). Per worker; bounded; cleared on any change.
_known_keys: dict[str, tuple[float, KeyInfo]] = {}


@receiver(post_save, sender=ApiKey)
@receiver(post_delete, sender=ApiKey)
def _forget_known_keys(**kwargs: Any) -> None:
    # A revocation in this process applies at once; other workers see it within the TTL.
    _known_keys.clear()


def raw_key_from(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return request.headers.get("X-API-Key", "").strip() or None


async def authenticate(request: HttpRequest) -> KeyInfo:
    raw = raw_key_from(request)
    challenge = {"WWW-Authenticate": 'Bearer realm="api"'}
    if raw is None:
        raise ApiError(
            401,
            "missing_api_key",
            "An API key is required: send Authorization: Bearer <key> or X-API-Key: <key>",
            headers=challenge,
        )
    invalid = ApiError(401, "invalid_api_key", "The API key is not valid", headers=challenge)
    if len(raw) > MAX_KEY_LENGTH:
        raise invalid
    key_hash = hash_api_key(raw)
    now = time.monotonic()
    known = _known_keys.get(key_hash)
    if known is not None and known[0] > now:
        return known[1]
    row = (
        await ApiKey.objects.filter(key_hash=key_hash, revoked_at__isnull=True)
        .values_list("id", "name", "is_admin")
        .afirst()
    )
    if row is None:
        raise invalid
    info = KeyInfo(*row)
    if len(_known_keys) >= _KEY_CACHE_MAX_ENTRIES:
        _known_keys.clear()
    _known_keys[key_hash] = (now + settings.API_KEY_CACHE_SECONDS, info)
    return info


async def count_request(key: KeyInfo) -> None:
    """Count the request for the key's rate limit and usage; ApiError 429 over the limit.

    One pipelined round trip: INCR + EXPIRE on the per-minute window key (fixed windows,
    shared by all workers), INCR of the key's unflushed request count, and SET NX of a
    once-a-minute flush claim. The request that wins the claim writes the count and
    last_used_at to the database in the background, so the database sees at most one write per
    key per minute. If Redis is down the request is let through (logged), never a 500.
    """
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    cache = get_llm_cache()
    now = time.time()
    window = int(now // 60)
    window_key = cache.full_key(f"api:rate:{key.id}:{window}")
    usage_key = cache.full_key(f"api:usage:{key.id}")
    flush_key = cache.full_key(f"api:usage-flush:{key.id}")
    try:
        async with cache.async_client().pipeline(transaction=False) as pipe:
            pipe.incr(usage_key)
            pipe.set(flush_key, 1, nx=True, ex=USAGE_FLUSH_SECONDS)
            if limit:
                pipe.incr(window_key)
                pipe.expire(window_key, 120)
            replies = await pipe.execute()
    except REDIS_ERRORS as failure:
        logger.warning("Rate limit not checked for key %s (cache unavailable: %s)", key.id, failure)
        return
    if replies[1]:
        in_background(flush_usage(key.id))
    if limit and int(replies[2]) > limit:
        retry_after = max(1, math.ceil((window + 1) * 60 - now))
        raise ApiError(
            429,
            "rate_limited",
            f"Rate limit exceeded: {limit} requests per minute for this key. "
            f"Retry in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )


async def flush_usage(key_id: int) -> int:
    """Move the key's counted requests from Redis into ApiKey.request_count/last_used_at."""
    cache = get_llm_cache()
    try:
        count = int(await cache.async_client().getdel(cache.full_key(f"api:usage:{key_id}")) or 0)
    except REDIS_ERRORS as failure:
        logger.warning("Could not flush usage of key %s: %s", key_id, failure)
        return 0
    if count:
        await ApiKey.objects.filter(pk=key_id).aupdate(
            request_count=F("request_count") + count, last_used_at=timezone.now()
        )
    return count


def require_key(*, admin: bool = False) -> Callable[[View], View]:
    """Sets request.api_key (KeyInfo). 401 without a valid key, 403 for non-admin on admin views."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        async def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            key = await authenticate(request)
            if admin and not key.is_admin:
                raise ApiError(403, "forbidden", "This endpoint needs an admin API key")
            await count_request(key)
            request.api_key = key  # type: ignore[attr-defined]
            return await view(request, *args, **kwargs)

        return wrapper

    return decorate


# -- background work ---------------------------------------------------------------------------

# Tasks are kept referenced until done, or the event loop may drop them half-way.
_background: set[asyncio.Task[Any]] = set()
MAX_BACKGROUND_TASKS = 1000


def in_background(coroutine: Coroutine[Any, Any, Any]) -> bool:
    """Run bookkeeping after the response, off its latency. False (and dropped) when overloaded.

    A fresh context: the request's thread-sensitive executor ends with the request, so the
    task's ORM calls go to the process-wide sync thread instead.
    """
    if len(_background) >= MAX_BACKGROUND_TASKS:
        logger.warning("Too much background bookkeeping pending: dropping one record")
        coroutine.close()
        return False
    task = asyncio.get_running_loop().create_task(coroutine, context=contextvars.Context())
    _background.add(task)
    task.add_done_callback(_finished)
    return True


def _finished(task: asyncio.Task[Any]) -> None:
    _background.discard(task)
    if not task.cancelled() and (failure := task.exception()) is not None:
        logger.error("Background bookkeeping failed: %r", failure)


async def drain_background() -> None:
    """Wait for pending bookkeeping (tests, shutdown)."""
    while _background:
        await asyncio.gather(*list(_background), return_exceptions=True)
