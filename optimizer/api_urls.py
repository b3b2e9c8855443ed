from __future__ import annotations

from django.urls import path

from optimizer import api

urlpatterns = [
    path("health", api.health_view, name="api-health"),
]
