"""ASGI entry point: `uvicorn resumesite.asgi:application --lifespan off`.

Django's handler with no per-request thread for async requests: see optimizer/asgi.py. Each
worker warms up before it serves: see optimizer/warm.py.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resumesite.settings")

from optimizer.asgi import get_asgi_application
from resumesite import serve  # noqa: F401  uvicorn's shutdown drains streams, in every worker

application = get_asgi_application()

from optimizer.warm import warm_up  # noqa: E402  (needs the apps that the line above loads)

warm_up()  # the first request is as fast as the next (optimizer/warm.py)
