"""The middleware stack: async-native (no thread hop per hook) and the security headers."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient
from django.urls import path


def test_no_middleware_is_adapted_to_a_thread_under_asgi(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="django.request")
    ASGIHandler()  # loads the stack in async mode, logging every sync<->async adaptation
    adapted = [r.getMessage() for r in caplog.records if "adapted" in r.getMessage()]
    assert adapted == []


@pytest.mark.django_db
async def test_responses_carry_the_security_headers() -> None:
    response = await AsyncClient().get("/api/v1/health")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp


@pytest.mark.django_db
async def test_a_referrer_policy_list_is_sent_comma_separated_as_django_does(
    settings: Any,
) -> None:
    settings.SECURE_REFERRER_POLICY = ["origin", "same-origin"]
    response = await AsyncClient().get("/api/v1/health")
    assert response.headers["Referrer-Policy"] == "origin,same-origin"


@pytest.mark.django_db
async def test_static_files_are_served_without_collectstatic() -> None:
    response = await AsyncClient().get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)  # type: ignore[arg-type]


# -- the page's middleware is the page's: an API request goes past it ------------------------

seen: dict[str, set[str]] = {}


async def _probe(request: HttpRequest) -> HttpResponse:
    seen[request.path] = {
        name for name in ("session", "user", "_messages") if hasattr(request, name)
    }
    return HttpResponse("ok")


urlpatterns = [path("api/v1/probe", _probe), path("probe", _probe)]


@pytest.mark.django_db
async def test_an_api_request_builds_no_session_user_or_messages_and_a_page_request_does(
    settings: Any,
) -> None:
    settings.ROOT_URLCONF = __name__
    seen.clear()
    assert (await AsyncClient().get("/api/v1/probe")).status_code == 200
    assert (await AsyncClient().get("/probe")).status_code == 200
    assert seen == {"/api/v1/probe": set(), "/probe": {"session", "user", "_messages"}}
