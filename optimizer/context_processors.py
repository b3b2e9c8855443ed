from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def product(request: HttpRequest) -> dict[str, Any]:
    return {
        "PRODUCT_NAME": "ATS Resume Optimizer",
        "LLM_PROVIDER": settings.LLM_PROVIDER,
        "LLM_MODEL": settings.ANTHROPIC_MODEL,
        "RESUME_MAX_CHARS": settings.RESUME_MAX_CHARS,
        "JOB_DESCRIPTION_MAX_CHARS": settings.JOB_DESCRIPTION_MAX_CHARS,
    }
