from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from optimizer.llm.client import model_name
from optimizer.llm.servers import display_url


def product(request: HttpRequest) -> dict[str, Any]:
    return {
        "PRODUCT_NAME": "ATS Resume Optimizer",
        "LLM_PROVIDER": settings.LLM_PROVIDER,
        "LLM_MODEL": model_name(),
        "LLM_SERVER": display_url(settings.LLM_BASE_URL) if settings.LLM_BASE_URL else "",
        "RESUME_MAX_CHARS": settings.RESUME_MAX_CHARS,
        "JOB_DESCRIPTION_MAX_CHARS": settings.JOB_DESCRIPTION_MAX_CHARS,
    }
