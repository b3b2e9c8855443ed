"""The Celery app: `celery -A resumesite worker` runs generations (optimizer/tasks.py).

Settings come from Django's, prefixed CELERY_ (resumesite/settings.py). Without
CELERY_BROKER_URL there is no worker: jobs run in the web process, through the same function.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from typing import Any

from celery import Celery
from celery.signals import worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resumesite.settings")

app = Celery("resumesite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["optimizer"])

logger = logging.getLogger("optimizer.tasks")
_stop = threading.Event()


@worker_ready.connect
def _start_sweeping(**kwargs: Any) -> None:
    """Each worker looks for jobs whose runner died, every JOB_LEASE_SECONDS, and at Message
    Batches in progress every ANTHROPIC_BATCH_POLL_SECONDS: no beat needed."""
    from django.conf import settings

    from optimizer import batches, jobs

    def sweep_forever() -> None:
        polled = 0.0
        while not _stop.wait(settings.JOB_LEASE_SECONDS):
            try:
                asyncio.run(jobs.sweep())
            except Exception:  # keep sweeping; the next round may succeed
                logger.exception("Sweeping jobs failed")
            # Message Batches in progress (ANTHROPIC_BATCH): read their results once ended.
            if time.monotonic() - polled >= settings.ANTHROPIC_BATCH_POLL_SECONDS:
                polled = time.monotonic()
                try:
                    asyncio.run(batches.poll_upstream())
                except Exception:
                    logger.exception("Polling Message Batches failed")

    threading.Thread(target=sweep_forever, name="job-sweeper", daemon=True).start()


@worker_shutdown.connect
def _stop_sweeping(**kwargs: Any) -> None:
    _stop.set()
