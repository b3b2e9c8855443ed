"""System checks: tell the operator at start-up what is not configured."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from django.conf import settings
from django.core.checks import Error, Info, Tags, Warning, register
from django.core.checks.security.base import REFERRER_POLICY_VALUES


@register()
def llm_settings_check(app_configs: Any, **kwargs: Any) -> list[Any]:
    messages: list[Any] = []
    if settings.LLM_PROVIDER == "offline":
        messages.append(
            Info(
                "ANTHROPIC_API_KEY is not set: the offline optimizer answers instead of Claude.",
                id="optimizer.I001",
            )
        )
    from optimizer.llm.pricing import price_for

    setting = {"anthropic": "ANTHROPIC_MODEL", "openai_compatible": "LLM_MODEL"}
    name = setting.get(settings.LLM_PROVIDER)
    if name is not None and price_for(getattr(settings, name)) is None:
        messages.append(
            Warning(
                f"No price is known for {name}={getattr(settings, name)!r}: "
                "costs will be reported as null.",
                hint="Add it with LLM_PRICES='{\"model\": [input_usd_per_mtok, output_usd_per_mtok]}'.",
                id="optimizer.W001",
            )
        )
    if settings.LLM_BASE_URL and settings.LLM_PROVIDER != "openai_compatible":
        messages.append(
            Warning(
                f"LLM_BASE_URL is set but LLM_PROVIDER={settings.LLM_PROVIDER}: the server at "
                f"{settings.LLM_BASE_URL} is not used.",
                hint="Set LLM_PROVIDER=openai_compatible (and LLM_MODEL) to use it.",
                id="optimizer.W002",
            )
        )
    return messages


SECURITY_HEADERS = "optimizer.middleware.SecurityHeadersMiddleware"
CSRF = "optimizer.middleware.CsrfViewMiddleware"
REQUIRED_MIDDLEWARE = (SECURITY_HEADERS, CSRF)


@register("security")
def middleware_check(app_configs: Any, **kwargs: Any) -> list[Any]:
    """Our async-native middleware stands in for Django's: it must be installed."""
    return [
        Error(f"{path} is missing from MIDDLEWARE", id="optimizer.E002")
        for path in REQUIRED_MIDDLEWARE
        if path not in settings.MIDDLEWARE
    ]


# Django's deploy checks below are gated on its own middleware being in MIDDLEWARE, so with ours
# installed instead (and security.W001-W003 silenced) Django skips them. Each one here stands in
# for the Django check with the same number, gated on our middleware, and says what our
# middleware does. security.W006 (nosniff) and security.E024 (COOP) have no stand-in: our
# SecurityHeadersMiddleware sends both headers whatever the settings say.


def _hsts_sent() -> bool:
    """Our middleware sends HSTS only with SECURE_SSL (Django's: on any HTTPS request)."""
    return bool(settings.SECURE_HSTS_SECONDS and settings.SECURE_SSL)


class _StandIn(NamedTuple):
    check_id: str
    middleware: str  # the check is skipped without it, as Django skips without its own
    passed: Callable[[], bool]  # Django's condition, on the settings our middleware reads
    msg: str  # formatted with settings=
    hint: str


# One row a check, laid out by hand (fmt: skip) so that the table reads as one.
_SSL_HINT = "Behind a TLS proxy set SECURE_SSL=True: it sets {}."
_STAND_INS = (
    _StandIn(
        "optimizer.W004", SECURITY_HEADERS, lambda: bool(settings.SECURE_SSL),
        "No Strict-Transport-Security header is sent: SECURE_SSL is not True.",
        _SSL_HINT.format("SECURE_SSL_REDIRECT, the secure cookies and HSTS"),
    ),
    _StandIn(
        "optimizer.W004", SECURITY_HEADERS, lambda: not settings.SECURE_SSL or _hsts_sent(),
        "No Strict-Transport-Security header is sent: SECURE_HSTS_SECONDS is 0.",
        "Unset it for the default with SECURE_SSL=True, 31536000 (a year). Read Django's HSTS "
        "documentation first: browsers that saw the header refuse plain HTTP for that long.",
    ),
    _StandIn(
        "optimizer.W005", SECURITY_HEADERS,
        lambda: not _hsts_sent() or settings.SECURE_HSTS_INCLUDE_SUBDOMAINS is True,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS is not True: HSTS does not cover subdomains.",
        "settings.py sets it whenever SECURE_HSTS_SECONDS > 0.",
    ),
    _StandIn(
        "optimizer.W021", SECURITY_HEADERS,
        lambda: not _hsts_sent() or settings.SECURE_HSTS_PRELOAD is True,
        "SECURE_HSTS_PRELOAD is not True: the site cannot join the browsers' preload list.",
        "settings.py silences this: preloading is hard to undo. Set SECURE_HSTS_PRELOAD=True "
        "once every subdomain serves HTTPS for good.",
    ),
    _StandIn(
        "optimizer.W008", SECURITY_HEADERS, lambda: settings.SECURE_SSL_REDIRECT is True,
        "SECURE_SSL_REDIRECT is not True: plain HTTP is answered, not redirected to HTTPS.",
        _SSL_HINT.format("SECURE_SSL_REDIRECT") + " Or make the proxy redirect.",
    ),
    _StandIn(
        "optimizer.W019", SECURITY_HEADERS, lambda: settings.X_FRAME_OPTIONS == "DENY",
        "X_FRAME_OPTIONS is {settings.X_FRAME_OPTIONS!r}, not 'DENY'.",
        "No page of ours is meant to be framed; settings.py sets 'DENY'.",
    ),
    _StandIn(
        "optimizer.W016", CSRF,
        lambda: settings.CSRF_USE_SESSIONS or settings.CSRF_COOKIE_SECURE is True,
        "CSRF_COOKIE_SECURE is not True: the CSRF cookie is also sent over plain HTTP.",
        _SSL_HINT.format("CSRF_COOKIE_SECURE"),
    ),
)  # fmt: skip


@register(Tags.security, deploy=True)
def stand_in_deploy_check(app_configs: Any, **kwargs: Any) -> list[Any]:
    return [
        Warning(check.msg.format(settings=settings), hint=check.hint, id=check.check_id)
        for check in _STAND_INS
        if check.middleware in settings.MIDDLEWARE and not check.passed()
    ]


@register(Tags.security, deploy=True)
def referrer_policy_check(app_configs: Any, **kwargs: Any) -> list[Any]:
    if SECURITY_HEADERS not in settings.MIDDLEWARE:
        return []
    policy = settings.SECURE_REFERRER_POLICY
    if policy is None:
        msg = "SECURE_REFERRER_POLICY is not set: no valid Referrer-Policy header is sent."
        return [Warning(msg, hint="settings.py sets 'same-origin'.", id="optimizer.W022")]
    # Django accepts a comma-separated string or an iterable of values (fallbacks).
    values = {v.strip() for v in policy.split(",")} if isinstance(policy, str) else set(policy)
    if values <= REFERRER_POLICY_VALUES:
        return []
    valid = ", ".join(sorted(REFERRER_POLICY_VALUES))
    msg = f"SECURE_REFERRER_POLICY={policy!r} is not a valid Referrer-Policy."
    return [Error(msg, hint=f"Valid values are: {valid}.", id="optimizer.E023")]
