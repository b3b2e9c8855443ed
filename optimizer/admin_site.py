"""The project's admin site: Django's default site plus the cache inspection pages.

Installed through `OptimizerAdminConfig.default_site`, so `admin.site` (and every
`@admin.register`) is still the one default site; it only gains the /admin/cache/ URLs.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, re_path, reverse
from django.views.decorators.http import require_POST


class OptimizerAdminSite(admin.AdminSite):
    site_header = "ATS Resume Optimizer"
    site_title = "ATS Resume Optimizer admin"
    index_title = "Operations"
    # The record and key lists are wide tables; the sidebar would squeeze them off-screen.
    enable_nav_sidebar = False

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Django's index plus the upstream circuit breaker's state (optimizer/llm/breaker.py)."""
        from optimizer.llm import breaker

        state = async_to_sync(breaker.current_state)()
        context = {"upstream_breaker": state, **(extra_context or {})}
        response: TemplateResponse = super().index(request, context)
        return response

    def get_urls(self) -> list[URLResolver | URLPattern]:
        from optimizer import admin_cache

        entry = r"^cache/entry/(?P<digest>[0-9a-f]{64})/"
        cache_urls: list[URLResolver | URLPattern] = [
            path("cache/", self.admin_view(admin_cache.cache_overview), name="cache"),
            # Async SSE view with its own staff check (admin_view's wrapper is sync).
            path("cache/live/", admin_cache.cache_live, name="cache_live"),
            re_path(entry + r"$", self.admin_view(admin_cache.cache_entry), name="cache_entry"),
            re_path(
                entry + r"invalidate/$",
                self.admin_view(admin_cache.cache_invalidate),
                name="cache_invalidate",
            ),
            path("cache/clear/", self.admin_view(admin_cache.cache_clear), name="cache_clear"),
            path("upstream/reset/", self.admin_view(reset_breaker), name="upstream_breaker_reset"),
        ]
        # Ours first: the default catch-all app URLs would otherwise swallow /admin/cache/.
        return cache_urls + super().get_urls()


@require_POST
def reset_breaker(request: HttpRequest) -> HttpResponseRedirect:
    """Close the configured model's circuit breaker by hand (the upstream is known healthy)."""
    from optimizer.llm import breaker
    from optimizer.llm.client import get_provider, model_name

    async_to_sync(breaker.Breaker(get_provider().name, model_name()).reset)()
    messages.success(request, "Circuit breaker closed")
    return HttpResponseRedirect(reverse("admin:index"))


class OptimizerAdminConfig(AdminConfig):
    """Replaces "django.contrib.admin" in INSTALLED_APPS (Django's documented way)."""

    default_site = "optimizer.admin_site.OptimizerAdminSite"
