from __future__ import annotations

from django.apps import AppConfig


class OptimizerConfig(AppConfig):
    name = "optimizer"
    verbose_name = "Resume optimizer"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from optimizer import checks  # noqa: F401  (registers system checks)
