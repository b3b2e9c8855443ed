# The product. Build: docker build -t ats-resume-optimizer .
# Web:    docker run -p 8000:8000 -e SECRET_KEY=... -e ANTHROPIC_API_KEY=... \
#           -e ALLOWED_HOSTS=resumes.example.com,127.0.0.1 -e REDIS_URL=redis://redis:6379/0 \
#           -e CELERY_BROKER_URL=redis://redis:6379/0 -e DATABASE_URL=postgres://... ats-resume-optimizer
# Worker: the same image and variables with -e ROLE=worker (celery -A resumesite worker).
# compose.yaml runs web, worker, Redis and PostgreSQL together.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/data \
    STATIC_ROOT=/app/staticfiles \
    ROLE=web

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v0 \
    && useradd --system --uid 10001 app \
    && mkdir -p /data && chown app /data

USER app
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health').status != 200)"

# ROLE=web: migrations run at start so a fresh volume works; uvicorn has no lifespan support for
# Django; one worker per core unless WEB_CONCURRENCY says otherwise; uvloop and httptools come
# with uvicorn[standard]. ROLE=worker: a Celery worker running generations (threads, CELERY_WORKER_CONCURRENCY).
CMD ["sh", "-c", "if [ \"$ROLE\" = worker ]; then exec celery -A resumesite worker --loglevel info; else python manage.py migrate --noinput -v0 && exec python -m resumesite.serve resumesite.asgi:application --lifespan off --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY:-$(nproc)} --proxy-headers --forwarded-allow-ips=* --no-access-log; fi"]
