"""WSGI entry point, for management tooling only: the product runs under ASGI (SSE)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resumesite.settings")

application = get_wsgi_application()
