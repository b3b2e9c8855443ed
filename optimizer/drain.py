"""A web worker that is being stopped (SIGTERM: a deploy, a scale-down) drains.

resumesite.serve calls begin() when uvicorn starts its graceful shutdown, after it has stopped
accepting connections. From then on:
- job viewers (the page's stream, a job's stream_url) end their response after the events they
  have, with no terminal event; EventSource reconnects with Last-Event-ID, the load balancer
  sends it to another worker, and that one goes on from the next event (none lost, none twice);
- direct streams (generate/stream) run to their end: their text lives only in this process;
- generations this process runs itself (no Celery broker) finish before it exits, up to
  JOB_DRAIN_SECONDS; their viewers elsewhere keep reading them from Redis.
A plain flag, read between reads of a stream: no task or timer per viewer.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger(__name__)
_draining = False


def begin() -> None:
    global _draining
    _draining = True
    logger.info("Worker %s is stopping: draining its event streams", os.getpid())


def draining() -> bool:
    return _draining
