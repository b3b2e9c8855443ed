"""System checks: tell the operator at start-up what is not configured."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Info, Warning, register


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

    if settings.LLM_PROVIDER == "anthropic" and price_for(settings.ANTHROPIC_MODEL) is None:
        messages.append(
            Warning(
                f"No price is known for ANTHROPIC_MODEL={settings.ANTHROPIC_MODEL!r}: "
                "costs will be reported as null.",
                hint="Add it with LLM_PRICES='{\"model\": [input_usd_per_mtok, output_usd_per_mtok]}'.",
                id="optimizer.W001",
            )
        )
    return messages


REQUIRED_MIDDLEWARE = (
    "optimizer.middleware.SecurityHeadersMiddleware",
    "optimizer.middleware.CsrfViewMiddleware",
)


@register("security")
def middleware_check(app_configs: Any, **kwargs: Any) -> list[Any]:
    """Our async-native middleware stands in for Django's: it must be installed."""
    return [
        Error(f"{path} is missing from MIDDLEWARE", id="optimizer.E002")
        for path in REQUIRED_MIDDLEWARE
        if path not in settings.MIDDLEWARE
    ]
