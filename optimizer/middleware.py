"""Async-native middleware.

Under ASGI, Django runs every hook of a `MiddlewareMixin` through `sync_to_async`: a thread hop
per hook. Django's seven default middleware cost about 1.6 ms a request that way on our machine,
more than an empty async request. The hooks of the middleware below do no I/O (they read and set
headers and cookies, or build lazy objects), so they run inline on the event loop. The one hook
that can do I/O, saving a session, still goes to a thread, and only when a session was used.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware
from django.http import HttpRequest, HttpResponseBase, HttpResponsePermanentRedirect
from django.middleware import common, csrf
from django.utils.deprecation import MiddlewareMixin
from whitenoise.middleware import WhiteNoiseMiddleware

# What get_response is in async mode, the only mode in which __acall__ runs: Django hands every
# async-capable middleware a coroutine function (django-stubs types it as sync or async).
AsyncGetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]


def _async_like(middleware: Callable[..., Any], get_response: Any) -> bool:
    """Make a hybrid middleware async when the handler it wraps is (Django's rule); True if so."""
    if iscoroutinefunction(get_response):
        markcoroutinefunction(middleware)
        return True
    return False


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# The JSON API's paths: requests authenticated by their API key (optimizer/api_keys.py), which
# read no session, user, CSRF cookie or message.
API_PATH_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PATH_PREFIX)


class InlineHooksMixin(MiddlewareMixin):
    """Run process_request/process_response on the event loop instead of in a thread."""

    get_response: AsyncGetResponse

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase | None = None
        if hasattr(self, "process_request"):
            response = self.process_request(request)
        response = response or await self.get_response(request)
        if hasattr(self, "process_response"):
            response = self.process_response(request, response)
        return response


class PageHooksMixin(InlineHooksMixin):
    """For the page's middleware (sessions, CSRF, the user, messages): an API request goes
    straight past it. Those four built a session store, a lazy user, a CSRF secret and a
    message store per request that the API never reads: ~15% of a cache hit's time on
    POST /api/v1/generate (c=1 p50 1.23x the empty Django view with them, 1.17x without)."""

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        if is_api_request(request):
            return await self.get_response(request)
        return await super().__acall__(request)


class CommonMiddleware(InlineHooksMixin, common.CommonMiddleware):
    pass


class AuthenticationMiddleware(PageHooksMixin, auth_middleware.AuthenticationMiddleware):
    """Sets lazy request.user / request.auser: nothing is read until a view asks."""


class MessageMiddleware(PageHooksMixin, messages_middleware.MessageMiddleware):
    pass


class CsrfViewMiddleware(PageHooksMixin, csrf.CsrfViewMiddleware):
    """CSRF checks read the request already in memory; no I/O, so no thread."""

    async def process_view(  # type: ignore[override]  # async on purpose: the stub's hook is sync
        self, request: HttpRequest, callback: Any, callback_args: Any, callback_kwargs: Any
    ) -> HttpResponseBase | None:
        return super().process_view(request, callback, callback_args, callback_kwargs)


class SessionMiddleware(sessions_middleware.SessionMiddleware):
    """The session is created lazily; only a request that used it pays for saving it. An API
    request has none (PageHooksMixin)."""

    get_response: AsyncGetResponse

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        if is_api_request(request):
            return await self.get_response(request)
        self.process_request(request)
        response = await self.get_response(request)
        if not request.session.accessed:
            return response
        # django-stubs types the hook's response as HttpResponse; Django's code takes any
        # HttpResponseBase, and SSE views return a StreamingHttpResponse.
        hook = sync_to_async(self.process_response)
        return await hook(request, response)  # type: ignore[arg-type]  # stub: HttpResponse only


class SecurityHeadersMiddleware:
    """Django's SecurityMiddleware and XFrameOptionsMiddleware in one async-native piece, plus a
    Content-Security-Policy that allows only our own scripts and styles."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response
        self.async_mode = _async_like(self, get_response)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        return self._redirect(request) or self._headers(self.get_response(request))

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        return self._redirect(request) or self._headers(await self.get_response(request))

    def _redirect(self, request: HttpRequest) -> HttpResponseBase | None:
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return HttpResponsePermanentRedirect(
                f"https://{request.get_host()}{request.get_full_path()}"
            )
        return None

    def _headers(self, response: HttpResponseBase) -> HttpResponseBase:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        policy = settings.SECURE_REFERRER_POLICY
        if policy:  # Django accepts a list or a comma-separated string (SecurityMiddleware)
            value = policy if isinstance(policy, str) else ",".join(policy)
            response.headers.setdefault("Referrer-Policy", value)
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if not getattr(response, "csp_exempt", False):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if settings.SECURE_HSTS_SECONDS and settings.SECURE_SSL:
            value = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                value += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                value += "; preload"
            response.headers.setdefault("Strict-Transport-Security", value)
        return response


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise for /static/ only; every other path passes straight through, on the loop."""

    sync_capable = True
    async_capable = True
    get_response: AsyncGetResponse

    def __init__(self, get_response: Any) -> None:
        super().__init__(get_response)
        self.async_mode = _async_like(self, get_response)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        return super().__call__(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith(self.static_prefix):
            if self.autorefresh:
                static_file = await sync_to_async(self.find_file)(request.path_info)
            else:
                static_file = self.files.get(request.path_info)
            if static_file is not None:
                response: HttpResponseBase = self.serve(static_file, request)  # WhiteNoise: untyped
                return response
        return await self.get_response(request)
