"""The project's admin site: Django's default site plus the cache inspection pages.

Installed through `OptimizerAdminConfig.default_site`, so `admin.site` (and every
`@admin.register`) is still the one default site; it only gains the /admin/cache/ URLs.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import URLPattern, URLResolver, path, re_path


class OptimizerAdminSite(admin.AdminSite):
    site_header = "ATS Resume Optimizer"
    site_title = "ATS Resume Optimizer admin"
    index_title = "Operations"
    # The record and key lists are wide tables; the sidebar would squeeze them off-screen.
    enable_nav_sidebar = False

    def get_urls(self) -> list[URLResolver | URLPattern]:
        from optimizer import admin_cache

        entry = r"^cache/entry/(?P<digest>[0-9a-f]{64})/"
        cache_urls: list[URLResolver | URLPattern] = [
            path("cache/", self.admin_view(admin_cache.cache_overview), name="cache"),
            re_path(entry + r"$", self.admin_view(admin_cache.cache_entry), name="cache_entry"),
            re_path(
                entry + r"invalidate/$",
                self.admin_view(admin_cache.cache_invalidate),
                name="cache_invalidate",
            ),
            path("cache/clear/", self.admin_view(admin_cache.cache_clear), name="cache_clear"),
        ]
        # Ours first: the default catch-all app URLs would otherwise swallow /admin/cache/.
        return cache_urls + super().get_urls()


class OptimizerAdminConfig(AdminConfig):
    """Replaces "django.contrib.admin" in INSTALLED_APPS (Django's documented way)."""

    default_site = "optimizer.admin_site.OptimizerAdminSite"
