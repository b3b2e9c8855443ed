"""The analysis of a generation, off the event loop and off the relay's path.

Checking claims, scoring and diffing are CPU work: a few milliseconds a page, more on a long
resume. On the event loop they hold up every other stream of the worker; awaited between two
chunks they hold up this one; on a thread of the worker they still take the GIL from the loop
(a loop that waits for it waits up to the 5 ms switch interval each time). So:

- a resume's analysis runs in the worker's analysis process (`ANALYSIS_PROCESSES`, default 1;
  0: on the worker's analysis thread instead, as letters always do): pure text
  (optimizer/analysis/process.py), no Django there. Each generation's calls go to one process,
  which keeps its check's state. A dead analysis process fails the generations it held, and
  the next ones get a new one; an analysis process ends within a second of its worker.
- `LiveGrounding` checks the lines of a streaming answer as they complete, behind the relay:
  a chunk goes to the client at once, and the claim check of the lines it completed runs
  meanwhile, on the lines that arrived since its last pass. Its flags go out with a later
  chunk, or before the result.
- the rest of the result (validation, sanitizing, sections) runs on the worker's analysis
  thread (`ANALYSIS_THREADS`, default 1: one thread competes least with the loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import itertools
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings

from optimizer import letters
from optimizer.analysis import ResumeGrounding, process, score
from optimizer.analysis.flags import GroundingFlag

if TYPE_CHECKING:
    from optimizer.services import OptimizeRequest

logger = logging.getLogger(__name__)
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


# One single-worker pool per analysis process: a generation's calls all go to one of them.
_processes: list[ProcessPoolExecutor | None] = []
_processes_lock = threading.Lock()  # a Celery worker's threads start generations at once
_check_ids = itertools.count()


def processes_enabled() -> bool:
    # A daemonic process (a Celery prefork child) may not start processes of its own.
    return settings.ANALYSIS_PROCESSES > 0 and not multiprocessing.current_process().daemon


def analysis_process(slot: int, broken: ProcessPoolExecutor | None = None) -> ProcessPoolExecutor:
    """Analysis process number ``slot`` (mod ANALYSIS_PROCESSES), started if need be; a new
    one in place of ``broken`` (one that died: the checks it held are lost)."""
    with _processes_lock:
        if not _processes:
            _processes.extend([None] * settings.ANALYSIS_PROCESSES)
        index = slot % len(_processes)
        if broken is not None and _processes[index] is broken:
            logger.error("An analysis process died: the next generations get another")
            _processes[index] = None
        pool = _processes[index]
        if pool is None:
            # forkserver: a child forked from a clean server process, not from this one with
            # its threads and event loop; it imports the analysis alone.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["optimizer.analysis.process"])
            pool = _processes[index] = ProcessPoolExecutor(
                1, mp_context=context, initializer=process.watch_parent, initargs=(os.getpid(),)
            )
        return pool


def in_analysis_process(pool: ProcessPoolExecutor, fn: Callable[..., T], *args: Any) -> Future[T]:
    """fn(*args) in that analysis process. A process that died fails the call
    (BrokenProcessPool) and is replaced for the next generations."""
    try:
        return pool.submit(fn, *args)
    except BrokenProcessPool:
        for slot in range(len(_processes)):
            analysis_process(slot, broken=pool)
        raise


def start_analysis_processes() -> list[int]:
    """Start every analysis process and load its word lists (at a worker's start): their pids."""
    if not processes_enabled():
        return []
    pids = []
    for slot in range(settings.ANALYSIS_PROCESSES):
        pool = analysis_process(slot)
        try:
            pids.append(in_analysis_process(pool, process.warm).result())
        except BrokenProcessPool:  # it died (before or while warming): warm its replacement
            pool = analysis_process(slot, broken=pool)
            pids.append(in_analysis_process(pool, process.warm).result())
    return pids


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
    since; finish() waits for the check of the rest and returns its flags; analyse() is the
    result's analysis, which reuses the check's reading of the original."""

    def __init__(self, request: OptimizeRequest) -> None:
        self._request = request
        self._deltas: list[str] = []
        self._found: list[GroundingFlag] = []
        self.messages: set[str] = set()  # of every flag handed over so far
        self._ended = False
        self._wake = asyncio.Event()
        self._checker: ResumeGrounding | None = None
        # In the analysis process: the check's id there (the slot is its number), else None.
        self._remote: tuple[ProcessPoolExecutor, str] | None = None
        if request.kind == letters.KIND_RESUME and processes_enabled():
            self._slot = next(_check_ids)
            self._remote = (analysis_process(self._slot), f"{os.getpid()}-{self._slot}")
        self._task = asyncio.ensure_future(self._run())

    def feed(self, delta: str) -> None:
        self._deltas.append(delta)
        if "\n" in delta:  # the check works on whole lines: nothing to do before one ends
            self._wake.set()

    def found(self) -> list[GroundingFlag]:
        if self._task.done() and not self._ended:
            self._task.result()  # a check that failed fails the generation, as it would inline
        flags, self._found = self._found, []
        self.messages.update(flag.message for flag in flags)
        return flags

    async def finish(self) -> list[GroundingFlag]:
        self._ended = True
        self._wake.set()
        await self._task
        return self.found()

    async def analyse(self, optimized: str) -> process.Analysis:
        """The result's analysis of ``optimized`` (a resume's), where the check ran."""
        request = self._request
        if self._remote is not None:
            pool, check = self._remote
            call = process.analyse, check, request.resume, optimized, request.job_description
            self._remote = None  # the analysis closes the check there
            return await asyncio.wrap_future(in_analysis_process(pool, *call))
        evidence = self._checker.stream.evidence if self._checker is not None else None
        return await in_analysis_thread(
            process.analysis_of, request.resume, optimized, request.job_description, evidence
        )

    async def close(self) -> None:
        """Stop checking (the generation ended early: its client left, or it failed)."""
        if not self._task.done():
            self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task
        if self._remote is not None:
            pool, check = self._remote
            self._remote = None
            with contextlib.suppress(Exception):
                in_analysis_process(pool, process.drop, check)

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(check, *args) in this check's analysis process, or fn(*args) on the thread."""
        if self._remote is not None:
            pool, check = self._remote
            return await asyncio.wrap_future(in_analysis_process(pool, fn, check, *args))
        return await in_analysis_thread(fn, *args)

    async def _run(self) -> None:
        request = self._request
        feed: Callable[..., list[GroundingFlag]]
        finish: Callable[..., list[GroundingFlag]]
        if self._remote is not None:
            start = process.start, request.resume, request.job_description
            try:
                await self._call(*start)
            except BrokenProcessPool:
                # It died before this check began there: nothing of it is lost, begin anew.
                pool, check = self._remote
                self._remote = (analysis_process(self._slot, broken=pool), check)
                await self._call(*start)
            feed, finish = process.feed, process.finish
        else:
            checker = await in_analysis_thread(grounding_for, request)
            self._checker = checker
            feed, finish = checker.feed, checker.finish
        while True:
            if not self._deltas and not self._ended:
                self._wake.clear()
                await self._wake.wait()
            text, self._deltas = "".join(self._deltas), []
            if text:
                self._found += await self._call(feed, text)
            if self._ended and not self._deltas:
                self._found += await self._call(finish)
                return
