from __future__ import annotations

from django.apps import AppConfig


class OptimizerConfig(AppConfig):
    name = "optimizer"
    verbose_name = "Resume optimizer"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from optimizer import api_keys, checks, experiments  # noqa: F401  (signal receivers, system checks)
