"""The product's URLs; plus, while main has no /api/v1/generate yet, a minimal stand-in for it.

The stand-in runs the same pipeline (services.generate / services.stream) with no key auth and
no rate limit: the harness labels every figure measured through it "stand-in".
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, get_resolver, path
from django.views.decorators.csrf import csrf_exempt

from optimizer import services
from optimizer.events import render_json
from optimizer.sse import sse_response, with_heartbeats
from resumesite.urls import urlpatterns as product_urlpatterns


def product_has_api() -> bool:
    try:
        get_resolver("resumesite.urls").resolve("/api/v1/generate")
    except Resolver404:
        return False
    return True


def _request(http: HttpRequest) -> services.OptimizeRequest:
    body = json.loads(http.body)
    return services.OptimizeRequest(body["resume_raw_text"], body["job_description_text"])


@csrf_exempt
async def stand_in_generate(request: HttpRequest) -> HttpResponse:
    try:
        return JsonResponse(await services.generate(_request(request)))
    except services.PipelineError as error:
        return JsonResponse({"error": {"code": error.code, "message": error.message}}, status=502)


@csrf_exempt
async def stand_in_stream(request: HttpRequest) -> HttpResponse:
    return sse_response(with_heartbeats(services.stream(_request(request)), render_json))


STAND_IN = not product_has_api()
urlpatterns = [
    *(
        [
            path("api/v1/generate", stand_in_generate),
            path("api/v1/generate/stream", stand_in_stream),
        ]
        if STAND_IN
        else []
    ),
    *product_urlpatterns,
]
