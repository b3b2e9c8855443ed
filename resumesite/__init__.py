from __future__ import annotations

# The Celery app, loaded with Django so that @shared_task uses it (Celery's Django recipe).
from resumesite.celery import app as celery_app

__all__ = ("celery_app",)
