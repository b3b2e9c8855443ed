"""Celery tasks: generations on workers (`celery -A resumesite worker`, see docs/operations.md).

A generation is I/O-bound: the worker runs many at once in threads (CELERY_WORKER_POOL
"threads"), each task with its own event loop running the same code as in-process jobs.
"""

from __future__ import annotations

import asyncio
import uuid

from celery import Task, shared_task
from django.conf import settings

from optimizer import jobs


@shared_task(bind=True, name="optimizer.run_job", max_retries=None)
def run_job(self: Task, job_id: str) -> str:
    outcome = asyncio.run(jobs.run(uuid.UUID(job_id)))
    if outcome == "held":
        # Redelivered while its lease is held: look again when a dead holder's lease would
        # have lapsed; a live holder finishes the job and the next look says "finished".
        raise self.retry(countdown=settings.JOB_LEASE_SECONDS)
    return outcome


@shared_task(name="optimizer.sweep_jobs")
def sweep_jobs() -> int:
    """Run again the jobs whose runner died (every worker runs this on a timer too)."""
    return asyncio.run(jobs.sweep())
