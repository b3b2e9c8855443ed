from __future__ import annotations

from django.urls import path, re_path

from optimizer import api

urlpatterns = [
    path("health", api.health_view, name="api-health"),
    path("openapi.json", api.openapi_view, name="api-openapi"),
    path("generate", api.generate, name="api-generate"),
    path("generate/stream", api.generate_stream, name="api-generate-stream"),
    path("cover-letter", api.cover_letter, name="api-cover-letter"),
    path("cover-letter/stream", api.cover_letter_stream, name="api-cover-letter-stream"),
    path("jobs", api.create_job, name="api-jobs"),
    path("jobs/<uuid:job_id>/stream", api.job_stream, name="api-job-stream"),
    path("jobs/<uuid:job_id>/result", api.job_result, name="api-job-result"),
    path("jobs/<uuid:job_id>/download.<str:fmt>", api.job_download, name="api-job-download"),
    path("batches", api.create_batch, name="api-batches"),
    path("batches/<uuid:batch_id>", api.batch_detail, name="api-batch"),
    path("cache/stats", api.cache_stats, name="api-cache-stats"),
    path("cache", api.cache_clear, name="api-cache"),
    # Last: any other path under /api/v1/ is a JSON 404, not Django's HTML page.
    re_path(r"^(?P<path>.*)$", api.not_found, name="api-not-found"),
]
