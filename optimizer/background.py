"""Bookkeeping after the response: tasks that must not add to a request's latency."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)

# Tasks are kept referenced until done, or the event loop may drop them half-way.
_background: set[asyncio.Task[Any]] = set()
MAX_BACKGROUND_TASKS = 1000


def in_background(coroutine: Coroutine[Any, Any, Any]) -> bool:
    """Run bookkeeping after the response, off its latency. False (and dropped) when overloaded.

    A fresh context: the request's thread-sensitive executor ends with the request, so the
    task's ORM calls go to the process-wide sync thread instead.
    """
    if len(_background) >= MAX_BACKGROUND_TASKS:
        logger.warning("Too much background bookkeeping pending: dropping one record")
        coroutine.close()
        return False
    task = asyncio.get_running_loop().create_task(coroutine, context=contextvars.Context())
    _background.add(task)
    task.add_done_callback(_finished)
    return True


def _finished(task: asyncio.Task[Any]) -> None:
    _background.discard(task)
    if not task.cancelled() and (failure := task.exception()) is not None:
        logger.error("Background bookkeeping failed: %r", failure)


async def drain_background() -> None:
    """Wait for pending bookkeeping (tests, shutdown)."""
    while _background:
        await asyncio.gather(*list(_background), return_exceptions=True)
