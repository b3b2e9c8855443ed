"""/api/v1 JSON views."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from optimizer.health import health


@require_GET
async def health_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(await health())
