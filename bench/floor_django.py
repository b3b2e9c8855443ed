"""Floor (b): an empty `async def` Django view with no middleware, no apps, no database.

This module is at once the settings module, the URLconf and the app factory:

    uvicorn bench.floor_django:application --factory --lifespan off
"""

from __future__ import annotations

import os
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path

SECRET_KEY = "bench-floor-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.floor_django"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, Any] = {}
USE_TZ = True


async def empty(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"{}", content_type="application/json")


urlpatterns = [path("api/v1/generate", empty)]


def application() -> Any:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor_django"
    from django.core.asgi import get_asgi_application

    return get_asgi_application()
