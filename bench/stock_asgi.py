"""Django's stock ASGI handler on the product, for the with/without rows (see optimizer/asgi.py).

uvicorn bench.stock_asgi:application --lifespan off
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resumesite.settings")

from django.core.asgi import get_asgi_application

application = get_asgi_application()
