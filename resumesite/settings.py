"""Settings for the ATS resume optimizer: one module, every value from the environment.

A fresh checkout runs with no variables set: SQLite in ./var, an embedded in-process cache with
Redis semantics (django-redis over fakeredis), and the offline provider when there is no
Anthropic key. `.env.example` lists every variable. A malformed value stops start-up with an
ImproperlyConfigured error that names the variable.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path
from typing import overload
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip()
    if value.lower() in ("true", "1", "yes", "on"):
        return True
    if value.lower() in ("false", "0", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"Unexpected value {name}={value!r}: use True or False")


def envint(name: str, default: int, minimum: int = 0) -> int:
    value = os.getenv(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"Unexpected value {name}={value!r}: expected an integer"
        ) from None
    if number < minimum:
        raise ImproperlyConfigured(f"Unexpected value {name}={value!r}: must be >= {minimum}")
    return number


# Overloaded so that a setting with a number for its default is typed float, not float | None.
@overload
def envfloat(name: str, default: float, minimum: float = ...) -> float: ...
@overload
def envfloat(name: str, default: None, minimum: float = ...) -> float | None: ...
def envfloat(name: str, default: float | None, minimum: float = 0.0) -> float | None:
    value = os.getenv(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"Unexpected value {name}={value!r}: expected a number"
        ) from None
    if number < minimum or number != number:
        raise ImproperlyConfigured(f"Unexpected value {name}={value!r}: must be >= {minimum}")
    return number


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def envorigins(name: str) -> list[str]:
    """Exact origins (scheme://host[:port], lowercased as browsers send them) or "*"."""
    origins = [item.lower() for item in envlist(name, "")]
    for origin in origins:
        if origin != "*" and not re.fullmatch(r"[a-z][a-z0-9+.-]*://[^/?#\s]+", origin):
            raise ImproperlyConfigured(
                f"Unexpected value {name}={origin!r}: expected origins like "
                "https://app.example.com (scheme, host, optional port; no path), or *"
            )
    return origins


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.getenv(name, default).strip().lower() or default
    if value not in choices:
        raise ImproperlyConfigured(f"Unexpected value {name}={value!r}: expected one of {choices}")
    return value


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in VAR_DIR."""
    if key := os.getenv("SECRET_KEY", "").strip():
        return key
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


DEBUG = envbool("DEBUG", "False")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

# Behind a TLS-terminating proxy set SECURE_SSL=True: HTTPS redirect, secure cookies, HSTS.
SECURE_SSL = envbool("SECURE_SSL", "False")
SECURE_SSL_REDIRECT = SECURE_SSL
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if SECURE_SSL else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")
if envbool("SECURE_PROXY_SSL_HEADER", "False"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 24 * 30, minimum=60)

INSTALLED_APPS = [
    "optimizer.admin_site.OptimizerAdminConfig",  # django.contrib.admin + the cache page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "optimizer",
]

# Every entry is async-native so that a request under ASGI makes no thread hop in the middleware
# stack (see optimizer/middleware.py for why and how).
MIDDLEWARE = [
    "optimizer.middleware.SecurityHeadersMiddleware",
    "optimizer.middleware.StaticFilesMiddleware",
    "optimizer.middleware.SessionMiddleware",
    "optimizer.middleware.CommonMiddleware",
    "optimizer.middleware.CsrfViewMiddleware",
    "optimizer.middleware.AuthenticationMiddleware",
    "optimizer.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# Django's deploy checks look for its own middleware by dotted path. Ours replace them with
# async-native equivalents (same headers, same CSRF checks); optimizer.E002 checks they are here,
# and optimizer/checks.py stands in for the deploy checks Django then skips. optimizer.W021
# (no HSTS preload) is Django's security.W021: preloading is an opt-in that is hard to undo.
SILENCED_SYSTEM_CHECKS = ["security.W001", "security.W002", "security.W003", "optimizer.W021"]

ROOT_URLCONF = "resumesite.urls"
ASGI_APPLICATION = "resumesite.asgi.application"
WSGI_APPLICATION = "resumesite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "optimizer.context_processors.product",
            ],
        },
    },
]

# Database: SQLite in VAR_DIR by default; DATABASE_URL (e.g. postgres://...) otherwise.
# CONN_MAX_AGE stays 0 under ASGI: persistent connections leak across event-loop threads.
# PostgreSQL goes through psycopg's pool (Django 5.1+): each worker process holds at most
# DATABASE_POOL_SIZE connections however many requests run at once, and a request waits up to
# DATABASE_POOL_TIMEOUT s for one (then a JSON 503) instead of PostgreSQL refusing with "too
# many clients". DATABASE_POOL_SIZE=0 turns the pool off.
DATABASE_POOL_SIZE = envint("DATABASE_POOL_SIZE", 10)
DATABASE_POOL_TIMEOUT = envfloat("DATABASE_POOL_TIMEOUT", 10.0, minimum=0.01)
if database_url := os.getenv("DATABASE_URL", "").strip():
    import dj_database_url

    try:
        DATABASES = {"default": dj_database_url.parse(database_url, conn_max_age=0)}
    except Exception as exc:
        raise ImproperlyConfigured(f"Unexpected value DATABASE_URL: {exc}") from None
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_POOL_SIZE:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_SIZE,
            "timeout": DATABASE_POOL_TIMEOUT,
        }
else:
    # WAL with synchronous=NORMAL: a commit appends to the log without an fsync, and readers
    # never wait for the writer. With the default rollback journal two uvicorn workers writing
    # a row per request queued on the file lock: refusals that take 10 ms took up to 2 s.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: django-redis in both modes, so keys, TTLs, SCAN and INCR behave the same.
# REDIS_URL set: a real Redis server. Unset: an in-process fakeredis server (one per process).
REDIS_URL = os.getenv("REDIS_URL", "").strip()
REDIS_SOCKET_TIMEOUT = envfloat("REDIS_SOCKET_TIMEOUT", 0.5, minimum=0.01)
# A new connection needs a TCP handshake and a HELLO, several passes of an event loop that a
# burst of hundreds of requests keeps busy: 0.5 s timed out under load (a cached burst got
# JSON 500s). A Redis that is down refuses at once, so only a black-holed one waits this long.
REDIS_CONNECT_TIMEOUT = envfloat("REDIS_CONNECT_TIMEOUT", 2.0, minimum=0.01)
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"Unexpected value REDIS_URL={REDIS_URL!r}: expected redis://, rediss:// or unix://"
    )
# REDIS_CLUSTER=True: REDIS_URL names one seed node of a Redis Cluster (redis://host:port, db 0
# only); the client finds the other nodes (docs/operations.md, "Redis Cluster").
REDIS_CLUSTER = envbool("REDIS_CLUSTER", "False")
if REDIS_CLUSTER and not REDIS_URL:
    raise ImproperlyConfigured("REDIS_CLUSTER=True needs REDIS_URL (one node of the cluster)")
if REDIS_CLUSTER and urlsplit(REDIS_URL).path.strip("/") not in ("", "0"):
    raise ImproperlyConfigured(
        f"Unexpected value REDIS_URL={REDIS_URL!r}: a Redis Cluster has only database 0"
    )
# Each pool (one sync, one asyncio per worker) holds at most this many connections; a caller
# waits up to REDIS_POOL_TIMEOUT s for a free one instead of failing at once.
REDIS_MAX_CONNECTIONS = envint("REDIS_MAX_CONNECTIONS", 200, minimum=1)
REDIS_POOL_TIMEOUT = envfloat("REDIS_POOL_TIMEOUT", 5.0, minimum=0.01)
# Viewers of a job each hold one connection of a separate pool while they wait for its events.
REDIS_MAX_BLOCKING_CONNECTIONS = envint("REDIS_MAX_BLOCKING_CONNECTIONS", 2000, minimum=1)
_redis_options: dict[str, object] = {
    "SERIALIZER": "django_redis.serializers.json.JSONSerializer",
    "CONNECTION_POOL_CLASS": "redis.BlockingConnectionPool",
    "CONNECTION_POOL_KWARGS": {
        "max_connections": REDIS_MAX_CONNECTIONS,
        "timeout": REDIS_POOL_TIMEOUT,
    },
    "SOCKET_CONNECT_TIMEOUT": REDIS_CONNECT_TIMEOUT,
    "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
    # A Redis outage is a cache miss, not a 500 (LLMCache logs it).
    "IGNORE_EXCEPTIONS": False,
}
if not REDIS_URL:
    from optimizer import redis_client

    _redis_options["CONNECTION_POOL_KWARGS"] = {
        "max_connections": REDIS_MAX_CONNECTIONS,
        "timeout": REDIS_POOL_TIMEOUT,
        **redis_client.connection_pool_kwargs(),
    }
if REDIS_CLUSTER:
    from optimizer import redis_client

    # django-redis's backend on redis-py's RedisCluster (one per process, per-node pools).
    _redis_options.update(redis_client.cluster_cache_options())
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL or "redis://embedded",
        "OPTIONS": _redis_options,
        "KEY_PREFIX": os.getenv("CACHE_KEY_PREFIX", ""),
    }
}
CACHE_TTL_SECONDS = envint("CACHE_TTL_SECONDS", 3600, minimum=1)
# Quality-aware TTLs (optimizer/llm/cache_ttl.py): a result with grounding flags, or a quality
# score under CACHE_GOOD_QUALITY, is kept for the shorter CACHE_TTL_FLAGGED_SECONDS (a new
# generation may do better); one under CACHE_MIN_QUALITY is not cached at all.
CACHE_TTL_FLAGGED_SECONDS = envint(
    "CACHE_TTL_FLAGGED_SECONDS", min(600, CACHE_TTL_SECONDS), minimum=1
)
if CACHE_TTL_FLAGGED_SECONDS > CACHE_TTL_SECONDS:
    raise ImproperlyConfigured(
        f"Unexpected value CACHE_TTL_FLAGGED_SECONDS={CACHE_TTL_FLAGGED_SECONDS}: must not be "
        f"longer than CACHE_TTL_SECONDS={CACHE_TTL_SECONDS}"
    )
CACHE_MIN_QUALITY = envfloat("CACHE_MIN_QUALITY", 0.5)
CACHE_GOOD_QUALITY = envfloat("CACHE_GOOD_QUALITY", 0.8)
for _name, _value in (
    ("CACHE_MIN_QUALITY", CACHE_MIN_QUALITY),
    ("CACHE_GOOD_QUALITY", CACHE_GOOD_QUALITY),
):
    if _value > 1:
        raise ImproperlyConfigured(f"Unexpected value {_name}={_value}: a quality score is 0 to 1")
if CACHE_MIN_QUALITY > CACHE_GOOD_QUALITY:
    raise ImproperlyConfigured(
        f"Unexpected value CACHE_MIN_QUALITY={CACHE_MIN_QUALITY}: must not be above "
        f"CACHE_GOOD_QUALITY={CACHE_GOOD_QUALITY}"
    )
CACHE_ENABLED = envbool("CACHE_ENABLED", "True")

SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Accounts (optimizer/accounts.py): email + password with Django's auth and its validators.
LOGIN_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The LLM
ANTHROPIC_API_KEY = os.getenv("ANTHROPIC_API_KEY", "").strip()
ANTHROPIC_BASE_URL = os.getenv("ANTHROPIC_BASE_URL", "").strip() or None
ANTHROPIC_MODEL = os.getenv("ANTHROPIC_MODEL", "claude-sonnet-5-5").strip()
LLM_PROVIDER = envchoice(
    "LLM_PROVIDER",
    "anthropic" if ANTHROPIC_API_KEY else "offline",
    ("anthropic", "openai_compatible", "offline"),
)
if LLM_PROVIDER == "anthropic" and not ANTHROPIC_API_KEY:
    raise ImproperlyConfigured("LLM_PROVIDER=anthropic needs ANTHROPIC_API_KEY")
# LLM_PROVIDER=openai_compatible: any server that speaks OpenAI's chat completions (Ollama,
# LM Studio, vLLM, llama.cpp's server, a hosted API), through the official openai SDK.
LLM_BASE_URL = os.getenv("LLM_BASE_URL", "").strip().rstrip("/")
LLM_MODEL = os.getenv("LLM_MODEL", "").strip()
LLM_API_KEY = os.getenv("LLM_API_KEY", "").strip()  # local servers need none
if LLM_PROVIDER == "openai_compatible":
    if not LLM_MODEL:
        raise ImproperlyConfigured(
            "LLM_PROVIDER=openai_compatible needs LLM_MODEL (e.g. llama3.1:8b for Ollama)"
        )
    _llm_url = urlsplit(LLM_BASE_URL)
    if _llm_url.scheme not in ("http", "https") or not _llm_url.hostname:
        raise ImproperlyConfigured(
            f"Unexpected value LLM_BASE_URL={LLM_BASE_URL!r}: LLM_PROVIDER=openai_compatible "
            "needs the server's URL, e.g. http://127.0.0.1:11434/v1 for Ollama"
        )
LLM_MAX_TOKENS = envint("LLM_MAX_TOKENS", 4096, minimum=1)
# Unset = the model's default. Current Sonnet models reject non-default sampling parameters.
LLM_TEMPERATURE = envfloat("LLM_TEMPERATURE", None)
LLM_TIMEOUT_SECONDS = envfloat("LLM_TIMEOUT_SECONDS", 120.0, minimum=1.0)
LLM_RETRY_MAX_RETRIES = envint("LLM_RETRY_MAX_RETRIES", 3)
LLM_RETRY_INITIAL_DELAY = envfloat("LLM_RETRY_INITIAL_DELAY", 1.0)
LLM_RETRY_MAX_DELAY = envfloat("LLM_RETRY_MAX_DELAY", 60.0)
LLM_RETRY_EXPONENTIAL_BASE = envfloat("LLM_RETRY_EXPONENTIAL_BASE", 2.0, minimum=1.0)
LLM_RETRY_JITTER = envbool("LLM_RETRY_JITTER", "True")
# The fixed system prompt is sent with cache_control (Anthropic prompt caching).
LLM_PROMPT_CACHING = envbool("LLM_PROMPT_CACHING", "True")
# Models tried in order when ANTHROPIC_MODEL stays overloaded or its breaker is open.
LLM_FALLBACK_MODELS = envlist("LLM_FALLBACK_MODELS", "")
# Daily (UTC day) and monthly (UTC calendar month) LLM spend budgets in USD
# (optimizer/llm/budget.py), 0 = no limit.
API_KEY_DAILY_BUDGET_USD = envfloat("API_KEY_DAILY_BUDGET_USD", 0.0)
API_KEY_MONTHLY_BUDGET_USD = envfloat("API_KEY_MONTHLY_BUDGET_USD", 0.0)
SITE_DAILY_BUDGET_USD = envfloat("SITE_DAILY_BUDGET_USD", 0.0)
SITE_MONTHLY_BUDGET_USD = envfloat("SITE_MONTHLY_BUDGET_USD", 0.0)
# The web page's own daily budgets: its requests together, and each browser session's.
WEB_DAILY_BUDGET_USD = envfloat("WEB_DAILY_BUDGET_USD", 0.0)
WEB_SESSION_DAILY_BUDGET_USD = envfloat("WEB_SESSION_DAILY_BUDGET_USD", 0.0)
# The circuit breaker per provider and model (optimizer/llm/breaker.py), shared through Redis.
# BREAKER_FAILURES=0 turns it off.
BREAKER_FAILURES = envint("BREAKER_FAILURES", 5)
BREAKER_WINDOW_SECONDS = envint("BREAKER_WINDOW_SECONDS", 60, minimum=1)
BREAKER_COOLDOWN_SECONDS = envfloat("BREAKER_COOLDOWN_SECONDS", 30.0, minimum=0.1)
# Extra or changed prices, JSON: {"model-id": [input_usd_per_mtok, output_usd_per_mtok]}
try:
    LLM_PRICES = json.loads(os.getenv("LLM_PRICES", "") or "{}")
    if not isinstance(LLM_PRICES, dict) or not all(
        isinstance(v, list) and len(v) == 2 and all(isinstance(p, int | float) for p in v)
        for v in LLM_PRICES.values()
    ):
        raise ValueError("expected an object of model -> [input, output]")
except ValueError as exc:
    raise ImproperlyConfigured(f"Unexpected value LLM_PRICES: {exc}") from None

# Input limits (characters), shared by the page and the API.
RESUME_MAX_CHARS = envint("RESUME_MAX_CHARS", 30000, minimum=100)
JOB_DESCRIPTION_MAX_CHARS = envint("JOB_DESCRIPTION_MAX_CHARS", 20000, minimum=100)
INPUT_MIN_CHARS = envint("INPUT_MIN_CHARS", 20, minimum=1)
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("REQUEST_MAX_BYTES", 6 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# Grounding check: "warn" lists unsupported claims; "strict" also marks the result not valid.
GROUNDING_MODE = envchoice("GROUNDING_MODE", "warn", ("warn", "strict"))

# API
API_RATE_LIMIT_PER_MINUTE = envint("API_RATE_LIMIT_PER_MINUTE", 60)
# A JSON body over this many bytes is refused with 413 before it is parsed. The default fits
# both texts at their character limits even if every character were a 6-byte \uXXXX escape.
API_MAX_BODY_BYTES = envint("API_MAX_BODY_BYTES", 512 * 1024, minimum=1024)
# How long a key lookup is remembered in each worker (revocation takes effect within this).
API_KEY_CACHE_SECONDS = envfloat("API_KEY_CACHE_SECONDS", 30.0)
# Store an Optimization row for API cache hits too (misses and failures are always stored).
API_RECORD_CACHE_HITS = envbool("API_RECORD_CACHE_HITS", "False")
# Lifetime of the signed stream_url/result_url tokens that POST /api/v1/jobs hands out.
JOB_TOKEN_MAX_AGE_SECONDS = envint("JOB_TOKEN_MAX_AGE_SECONDS", 3600, minimum=1)
# Web pages on these origins may open stream_url and result_url (CORS on those two views only;
# see optimizer/api.py _job_cors). Empty: no CORS headers at all. "*": any origin.
JOB_CORS_ALLOWED_ORIGINS = envorigins("JOB_CORS_ALLOWED_ORIGINS")
JOB_ORPHAN_GRACE_SECONDS = envint("JOB_ORPHAN_GRACE_SECONDS", 30)
# A generation's lease: renewed while it runs; one that lapses means its process died.
JOB_LEASE_SECONDS = envfloat("JOB_LEASE_SECONDS", 15.0, minimum=0.1)
# A web worker that is stopping (SIGTERM) lets the generations it runs in-process (no Celery
# broker) finish for up to this long before it exits (optimizer/drain.py). Give the container
# at least this much grace (docker stop -t, Kubernetes terminationGracePeriodSeconds).
JOB_DRAIN_SECONDS = envfloat("JOB_DRAIN_SECONDS", 60.0, minimum=0.0)
# Identical requests that miss the cache together share one upstream call (optimizer.flights).
SINGLE_FLIGHT = envbool("SINGLE_FLIGHT", "True")

# One resume, several jobs (optimizer/batches.py): at most BATCH_MAX_JOBS job descriptions a
# batch; at most BATCH_MAX_CONCURRENCY of all batches' items call upstream at once, across every
# worker (optimizer/slots.py).
BATCH_MAX_JOBS = envint("BATCH_MAX_JOBS", 10, minimum=1)
BATCH_MAX_CONCURRENCY = envint("BATCH_MAX_CONCURRENCY", 2, minimum=1)
# A batch whose owner does not need it now goes to Anthropic's Message Batches API (half price,
# results within 24 h), polled every ANTHROPIC_BATCH_POLL_SECONDS by a background task.
ANTHROPIC_BATCH = envbool("ANTHROPIC_BATCH", "False")
ANTHROPIC_BATCH_POLL_SECONDS = envfloat("ANTHROPIC_BATCH_POLL_SECONDS", 60.0, minimum=0.05)

# Celery runs jobs when CELERY_BROKER_URL is set (redis://... e.g. the REDIS_URL server, or
# amqp://... RabbitMQ); unset: jobs run in the web process, through the same function.
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", "").strip()
CELERY_TASK_ACKS_LATE = True  # a task is acknowledged when it ends, not when it starts
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed worker's task goes back to the queue
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a busy worker does not sit on tasks others could run
CELERY_WORKER_POOL = os.getenv("CELERY_WORKER_POOL", "threads")  # generations are I/O-bound
CELERY_WORKER_CONCURRENCY = envint("CELERY_WORKER_CONCURRENCY", 50, minimum=1)
# Redis broker: an unacknowledged task is redelivered after this long (longer than any
# generation, so a slow one is never run twice; a dead worker's jobs are swept sooner).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
SSE_HEARTBEAT_SECONDS = envfloat("SSE_HEARTBEAT_SECONDS", 15.0, minimum=0.05)
# A stream whose client falls this far behind (chunk text waiting to be sent) is closed with a
# client_too_slow error to resume from; a whole generation is far smaller (optimizer/sse.py).
SSE_MAX_PENDING_BYTES = envint("SSE_MAX_PENDING_BYTES", 1_048_576, minimum=1024)
# Processes per web worker for the claim check, match score and diff of resume generations
# (optimizer/live_check.py): off the worker's GIL, so that the event loop relaying the streams
# never waits for it. 0: on the worker's analysis thread instead.
ANALYSIS_PROCESSES = envint("ANALYSIS_PROCESSES", 1, minimum=0)
# Threads per web worker for the rest of a result (validation, sanitizing; the analysis too with
# ANALYSIS_PROCESSES=0, and a letter's): one competes least with the event loop.
ANALYSIS_THREADS = envint("ANALYSIS_THREADS", 1, minimum=1)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the finders when collectstatic has not run (fresh checkout, tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOG_LEVEL = envchoice("LOG_LEVEL", "info", ("debug", "info", "warning", "error"))
# json: one JSON object per line (a traceback included), for log shippers; text: for people.
LOG_FORMAT = envchoice("LOG_FORMAT", "json", ("json", "text"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "optimizer.log_format.JsonLineFormatter"},
        "text": {"format": "%(levelname)s: %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "loggers": {
        "optimizer": {"handlers": ["console"], "level": LOG_LEVEL.upper(), "propagate": True},
        # Every 5xx of a view, with its traceback (4xx answers are the clients' own mistakes).
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
