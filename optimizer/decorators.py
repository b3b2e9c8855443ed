"""The API's view decorators and its one error shape.

    @api_view("POST")       JSON 405 with Allow; ApiError -> error shape; no CSRF (key auth only);
                            any other exception -> JSON 500 (503 when the database is busy)
                            with a request id that the log line carries too
    @parse_json             413 (too big), 415 (not JSON), 400 (invalid JSON / not an object)

API-key auth and the rate limit (@require_key) are in optimizer.api_keys.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from optimizer.jsonio import JsonResponse

if TYPE_CHECKING:
    from optimizer.http import ApiRequest

# Coroutine, not Awaitable: what django-stubs' path() accepts for an async view.
logger = logging.getLogger(__name__)

View = Callable[..., Coroutine[Any, Any, HttpResponseBase]]


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


def _request_id() -> str:
    """A short id that ties a 5xx answer to its log line."""
    return uuid.uuid4().hex[:16]


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
            except DatabaseError as failure:
                # Saturated or away (e.g. "too many clients", a pool timeout): a JSON 503 the
                # client can retry, never Django's HTML 500.
                request_id = _request_id()
                logger.error(
                    "Database unavailable on %s %s (request %s): %s",
                    request.method,
                    request.path,
                    request_id,
                    failure,
                )
                message = (
                    f"The database is busy or unavailable; retry shortly (request {request_id})"
                )
                headers = {"Retry-After": "1", "X-Request-ID": request_id}
                return error(503, "database_unavailable", message, headers=headers)
            except Exception:
                request_id = _request_id()
                logger.exception(
                    "Unhandled error on %s %s (request %s)",
                    request.method,
                    request.path,
                    request_id,
                )
                message = f"Internal error; the operator has been told (request {request_id})"
                return error(500, "internal_error", message, headers={"X-Request-ID": request_id})

        return csrf_exempt(wrapper)

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
    content_type = request.content_type or ""
    if content_type != "application/json" and not (
        content_type.startswith("application/") and content_type.endswith("+json")
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
        cast("ApiRequest", request).json = read_json_object(request)
        return await view(request, *args, **kwargs)

    return wrapper
