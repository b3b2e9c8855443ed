"""A generation's analysis from its first line to its result, in whichever process runs it.

optimizer/live_check.py runs these in a web worker's analysis process (ANALYSIS_PROCESSES) or on
its analysis thread. A generation's claim check holds state from its first line to its result
(the original as read, the claims found so far), so every call for one generation names it by
its check id and goes to the same process. Pure text, like the rest of optimizer.analysis: the
analysis process imports no Django.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from .diff import annotate_unsupported, word_diff
from .evidence import Evidence
from .flags import GroundingFlag, blocking_first
from .grounding import check_grounding
from .grounding_stream import ResumeGrounding
from .score import compare_scores, prime

# Checks left open by a generation whose worker went away without closing them are dropped,
# oldest first, past this many.
MAX_OPEN_CHECKS = 10_000

_checks: dict[str, ResumeGrounding] = {}

Analysis = tuple[list[GroundingFlag], dict[str, Any], list[dict[str, Any]]]


def analysis_of(
    original: str, optimized: str, job: str, evidence: Evidence | None = None
) -> Analysis:
    """The result's analysis: its grounding flags (blocking first), match scores, word diff.
    ``evidence``: the streamed check's reading of the original, reused."""
    flags = (
        blocking_first(check_grounding(original, optimized, job=job, evidence=evidence))
        if optimized
        else []
    )
    # What only the flagged claims match adds nothing to "after" (if_flagged_true has it).
    score = compare_scores(original, optimized, job, unsupported=flags)
    return flags, score, annotate_unsupported(word_diff(original, optimized), flags)


def start(check_id: str, original: str, job: str) -> None:
    """Read the original (and score it against the job) for a generation about to stream."""
    while len(_checks) >= MAX_OPEN_CHECKS:
        _checks.pop(next(iter(_checks)))
    _checks[check_id] = ResumeGrounding(original, job=job)
    prime(original, job)


def feed(check_id: str, text: str) -> list[GroundingFlag]:
    """The flags of the lines ``text`` completes."""
    return _checks[check_id].feed(text)


def finish(check_id: str) -> list[GroundingFlag]:
    """The flags of the rest, once the text has ended."""
    return _checks[check_id].finish()


def analyse(check_id: str, original: str, optimized: str, job: str) -> Analysis:
    """analysis_of() with the check's reading of the original; the check is closed."""
    checker = _checks.pop(check_id, None)
    evidence = checker.stream.evidence if checker is not None else None
    return analysis_of(original, optimized, job, evidence)


def drop(check_id: str) -> None:
    """Forget a check whose generation ended early (its client left, or it failed)."""
    _checks.pop(check_id, None)


def pid() -> int:
    return os.getpid()


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie (dead, not yet reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:  # no /proc here: existing is alive enough
        return True


def watch_parent(parent: int, every: float = 1.0) -> None:
    """The analysis process's initializer: it ends within ``every`` seconds of the worker
    that started it. A worker killed (SIGKILL, or uvicorn re-raising SIGTERM after its shutdown)
    runs no exit handler to stop it, and it would wait for work forever (it holds its own call
    queue's write end, so it never reads an end of file), keeping its forkserver alive too."""

    def watch() -> None:
        while _alive(parent):
            time.sleep(every)
        os._exit(0)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def warm() -> int:
    """Load the word lists and compile the patterns now, not on a first generation."""
    resume = "Jane Doe\nPython Developer, Acme Corp (2020 - 2024)\n- Built Django APIs\n"
    start("warm", resume, "Python Developer: Django, PostgreSQL")
    feed("warm", resume)
    finish("warm")
    analyse("warm", resume, resume + "- Cut costs by 10%\n", "Python Developer")
    return os.getpid()
