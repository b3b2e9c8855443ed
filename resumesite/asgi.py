"""ASGI entry point: `uvicorn resumesite.asgi:application --lifespan off`.

Django's handler with no per-request thread for async requests: see optimizer/asgi.py.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resumesite.settings")

from optimizer.asgi import get_asgi_application
from resumesite import serve  # noqa: F401  uvicorn's shutdown drains streams, in every worker

application = get_asgi_application()
