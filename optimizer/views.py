"""Pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from optimizer.health import health


async def home(request: HttpRequest) -> HttpResponse:
    # Content negotiation: browsers get the page, API clients and curl the health JSON.
    if request.accepts("text/html") and "text/html" in request.headers.get("Accept", ""):
        return HttpResponse("<!doctype html><title>ATS Resume Optimizer</title><p>Coming up.</p>")
    return JsonResponse(await health())
