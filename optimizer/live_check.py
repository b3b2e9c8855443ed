"""The analysis of a generation, off the event loop and off the relay's path.

Checking claims, scoring and diffing are CPU work: a few milliseconds a page, more on a long
resume. On the event loop they hold up every other stream of the worker; awaited between two
chunks they hold up this one. So:

- they run on the worker's analysis threads (`ANALYSIS_THREADS`, default 1: one thread that
  competes with the loop for the GIL relays better under load than several, which take turns
  with it; the work queues instead of the chunks);
- `LiveGrounding` checks the lines of a streaming answer as they complete, behind the relay:
  a chunk goes to the client at once, and the claim check of the lines it completed runs
  meanwhile, on the lines that arrived since its last pass. Its flags go out with a later
  chunk, or before the result.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings

from optimizer import letters
from optimizer.analysis import ResumeGrounding, score
from optimizer.analysis.evidence import Evidence
from optimizer.analysis.flags import GroundingFlag

if TYPE_CHECKING:
    from optimizer.services import OptimizeRequest

T = TypeVar("T")
_executor: ThreadPoolExecutor | None = None


def executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(settings.ANALYSIS_THREADS, thread_name_prefix="analysis")
    return _executor


async def in_analysis_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """fn(*args, **kwargs) on an analysis thread, in a copy of the caller's context."""
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(executor(), call)


def grounding_for(request: OptimizeRequest) -> ResumeGrounding:
    """The streamed claim check for this request, with the original already read (and scored
    against the job: the result's score then reads the rewrite alone)."""
    if request.kind != letters.KIND_RESUME:
        return letters.LetterGrounding(request.resume, request.job_description)
    checker = ResumeGrounding(request.resume, job=request.job_description)
    score.prime(request.resume, request.job_description)
    return checker


class LiveGrounding:
    """The claim check of a streaming answer, a step behind it.

    feed() takes each delta without waiting; found() hands over the flags the check has found
    since; finish() waits for the check of the rest and returns its flags."""

    def __init__(self, request: OptimizeRequest) -> None:
        self._request = request
        self._deltas: list[str] = []
        self._found: list[GroundingFlag] = []
        self._ended = False
        self._wake = asyncio.Event()
        self._checker: ResumeGrounding | None = None
        self._task = asyncio.ensure_future(self._run())

    @property
    def evidence(self) -> Evidence:
        """The original as the check read it (the final check reuses it); after finish()."""
        assert self._checker is not None
        return self._checker.stream.evidence

    @property
    def messages(self) -> set[str]:
        """The messages of every flag handed over so far."""
        return self._checker.messages if self._checker is not None else set()

    def feed(self, delta: str) -> None:
        self._deltas.append(delta)
        if "\n" in delta:  # the check works on whole lines: nothing to do before one ends
            self._wake.set()

    def found(self) -> list[GroundingFlag]:
        if self._task.done() and not self._ended:
            self._task.result()  # a check that failed fails the generation, as it would inline
        flags, self._found = self._found, []
        return flags

    async def finish(self) -> list[GroundingFlag]:
        self._ended = True
        self._wake.set()
        await self._task
        return self.found()

    async def close(self) -> None:
        """Stop checking (the generation ended early: its client left, or it failed)."""
        if not self._task.done():
            self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task

    async def _run(self) -> None:
        checker = await in_analysis_thread(grounding_for, self._request)
        self._checker = checker
        while True:
            if not self._deltas and not self._ended:
                self._wake.clear()
                await self._wake.wait()
            text, self._deltas = "".join(self._deltas), []
            if text:
                self._found += await in_analysis_thread(checker.feed, text)
            if self._ended and not self._deltas:
                self._found += await in_analysis_thread(checker.finish)
                return
