"""Bench-only settings: the product's settings with the switches the with/without rows need.

    BENCH_MIDDLEWARE=django   Django's stock (MiddlewareMixin) classes in place of our
                              async-native ones: each hook then runs via sync_to_async.
    BENCH_CACHE_READ=aget     the hot cache read through Django's cache API (`cache.aget`, a
                              thread hop) instead of redis.asyncio (see bench/apps.py).

Also adds the stand-in API routes of bench/urls.py while main has no /api/v1/generate yet.
Nothing here is read by the product itself.
"""

from __future__ import annotations

import os

from resumesite.settings import *  # noqa: F403
from resumesite.settings import INSTALLED_APPS, MIDDLEWARE

BENCH_MIDDLEWARE = os.getenv("BENCH_MIDDLEWARE", "native")
BENCH_CACHE_READ = os.getenv("BENCH_CACHE_READ", "native")

# The stock class behind each of our async-native entries, in the same order.
STOCK_MIDDLEWARE = {
    "optimizer.middleware.SecurityHeadersMiddleware": [
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ],
    "optimizer.middleware.StaticFilesMiddleware": ["whitenoise.middleware.WhiteNoiseMiddleware"],
    "optimizer.middleware.SessionMiddleware": [
        "django.contrib.sessions.middleware.SessionMiddleware"
    ],
    "optimizer.middleware.CommonMiddleware": ["django.middleware.common.CommonMiddleware"],
    "optimizer.middleware.CsrfViewMiddleware": ["django.middleware.csrf.CsrfViewMiddleware"],
    "optimizer.middleware.AuthenticationMiddleware": [
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    ],
    "optimizer.middleware.MessageMiddleware": [
        "django.contrib.messages.middleware.MessageMiddleware"
    ],
}

if BENCH_MIDDLEWARE == "django":
    MIDDLEWARE = [stock for entry in MIDDLEWARE for stock in STOCK_MIDDLEWARE.get(entry, [entry])]

INSTALLED_APPS = [*INSTALLED_APPS, "bench.apps.BenchConfig"]
ROOT_URLCONF = "bench.urls"
