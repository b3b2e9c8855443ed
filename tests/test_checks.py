"""Deploy checks: ours find what Django's stock checks find with Django's stock middleware.

Our async-native middleware replaces Django's, so Django skips every deploy check gated on its
own middleware. For each settings combination below, Django's checks run with Django's default
MIDDLEWARE and nothing silenced, ours run with our MIDDLEWARE, and the two must agree once the
stock ids are mapped to the ids that stand in for them.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import Tags, run_checks
from django.test import AsyncClient, override_settings

# Django's startproject MIDDLEWARE.
STOCK_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# What our middleware makes Django report ("not installed"): optimizer.E002 covers it.
REPLACED = ["security.W001", "security.W002", "security.W003"]

# Stock id -> the id that reports the same problem with our middleware; None: no such problem.
OURS_FOR_STOCK: dict[str, str | None] = {
    "security.W004": "optimizer.W004",
    "security.W005": "optimizer.W005",
    "security.W008": "optimizer.W008",
    "security.W016": "optimizer.W016",
    "security.W019": "optimizer.W019",
    "security.W021": "optimizer.W021",
    "security.W022": "optimizer.W022",
    "security.E023": "optimizer.E023",
    # Django's session checks still run (they also look at INSTALLED_APPS); with its middleware
    # they report W012/W015 ("app and middleware"), with ours W010/W013 ("app").
    "security.W012": "security.W010",
    "security.W015": "security.W013",
    # Our SecurityHeadersMiddleware sends nosniff and COOP same-origin whatever the settings say
    # (test_it_sends_nosniff_and_coop_whatever_the_settings_say).
    "security.W006": None,
    "security.E024": None,
}

PRODUCTION: dict[str, Any] = {
    "DEBUG": False,
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-key-0123456789",
    "ALLOWED_HOSTS": ["resumes.example.com"],
    "SECURE_SSL": True,
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": False,
}
# The settings.py defaults with no variables set (SECURE_SSL off).
DEVELOPMENT: dict[str, Any] = {
    **PRODUCTION,
    "SECURE_SSL": False,
    "SECURE_SSL_REDIRECT": False,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
    "SECURE_HSTS_SECONDS": 0,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
}

CASES: dict[str, dict[str, Any]] = {
    "production": {},
    "production with preload": {"SECURE_HSTS_PRELOAD": True},
    "development defaults": DEVELOPMENT,
    "SECURE_SSL with SECURE_HSTS_SECONDS=0": {"SECURE_HSTS_SECONDS": 0},
    "no subdomains in HSTS": {"SECURE_HSTS_INCLUDE_SUBDOMAINS": False},
    "no SSL redirect": {"SECURE_SSL_REDIRECT": False},
    "CSRF cookie not secure": {"CSRF_COOKIE_SECURE": False},
    "CSRF token in the session": {"CSRF_COOKIE_SECURE": False, "CSRF_USE_SESSIONS": True},
    "session cookie not secure": {"SESSION_COOKIE_SECURE": False},
    "session cookie not HttpOnly": {"SESSION_COOKIE_HTTPONLY": False},
    "X-Frame-Options SAMEORIGIN": {"X_FRAME_OPTIONS": "SAMEORIGIN"},
    "no referrer policy": {"SECURE_REFERRER_POLICY": None},
    "invalid referrer policy": {"SECURE_REFERRER_POLICY": "same-origin, nonsense"},
    "referrer policy fallbacks": {"SECURE_REFERRER_POLICY": ["origin", "same-origin"]},
    "nosniff off": {"SECURE_CONTENT_TYPE_NOSNIFF": False},
    "invalid COOP": {"SECURE_CROSS_ORIGIN_OPENER_POLICY": "nonsense"},
    "DEBUG": {"DEBUG": True},
}


def _found(**overrides: Any) -> set[str]:
    """The ids `check --deploy` would print (security tag) under these settings."""
    with override_settings(**{**PRODUCTION, **overrides}):
        messages = run_checks(include_deployment_checks=True, tags=[Tags.security])
        return {m.id for m in messages if not m.is_silenced() and m.id is not None}


def _stock(**overrides: Any) -> set[str]:
    found = _found(MIDDLEWARE=STOCK_MIDDLEWARE, SILENCED_SYSTEM_CHECKS=[], **overrides)
    # Our checks (and optimizer.E002) also run here; Django's are the ones compared.
    mapped = {OURS_FOR_STOCK.get(i, i) for i in found if i.startswith("security.")}
    return {i for i in mapped if i is not None}


def _ours(**overrides: Any) -> set[str]:
    return _found(SILENCED_SYSTEM_CHECKS=REPLACED, **overrides)


@pytest.mark.parametrize("overrides", CASES.values(), ids=CASES.keys())
def test_it_finds_what_stock_django_finds(overrides: dict[str, Any]) -> None:
    assert _ours(**overrides) == _stock(**overrides)


def test_it_finds_each_problem_the_middleware_made_django_skip() -> None:
    # Guards the comparison above against both sides finding nothing.
    found = set().union(*(_ours(**overrides) for overrides in CASES.values()))
    stand_ins = {i for i in OURS_FOR_STOCK.values() if i and i.startswith("optimizer.")}
    assert stand_ins <= found


def test_it_reports_the_issue_12_configuration() -> None:
    found = _ours(SECURE_HSTS_SECONDS=0)
    assert found == {"optimizer.W004"}


def test_a_good_production_configuration_reports_nothing() -> None:
    # With settings.py's own silencing: only optimizer.W021 (no preload) is silenced by choice.
    assert _found() == set()
    assert _found(SECURE_HSTS_PRELOAD=True) == set()


def test_it_warns_that_hsts_is_not_sent_without_secure_ssl() -> None:
    # The one deliberate difference: Django's middleware would send HSTS on HTTPS requests
    # whatever SECURE_SSL says, ours sends it only with SECURE_SSL=True. So ours report that
    # no HSTS is sent, and nothing about the subdomains or preload of a header never sent.
    overrides = {**DEVELOPMENT, "SECURE_HSTS_SECONDS": 31536000}
    hsts_details = {"optimizer.W005", "optimizer.W021"}
    assert _stock(**overrides) >= hsts_details
    assert _ours(**overrides) == _stock(**overrides) - hsts_details | {"optimizer.W004"}


def test_it_reports_our_middleware_missing() -> None:
    found = _found(MIDDLEWARE=STOCK_MIDDLEWARE, SILENCED_SYSTEM_CHECKS=REPLACED)
    assert "optimizer.E002" in found
    # Our stand-ins are gated on our middleware, as Django's are on its own.
    assert not {i for i in found if i.startswith("optimizer.W")}


@pytest.mark.django_db
@override_settings(SECURE_CONTENT_TYPE_NOSNIFF=False, SECURE_CROSS_ORIGIN_OPENER_POLICY=None)
async def test_it_sends_nosniff_and_coop_whatever_the_settings_say() -> None:
    response = await AsyncClient().get("/api/v1/health")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
