"""Server-side failures of each benchmark row, from the servers' own logs and the database.

A client sees a 200 while the worker behind it may have skipped the rate limit ("Too many
connections"), failed to cache the result or left a job running: the row must not say
"errors 0" then. Every uvicorn log the harness writes is read from where the previous row
stopped; each WARNING or worse line is a failure of this row, counted by its message with the
numbers and ids taken out. Jobs still pending or running in the product's SQLite database after
a row are failures too. Rows whose own method provokes some (killing a worker mid-text) name
those messages as expected: they are shown apart and do not fail the row.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections import Counter
from pathlib import Path

FAILING_LEVELS = ("WARNING", "ERROR", "CRITICAL")
# uvicorn's own text lines ("ERROR:    Exception in ASGI application"); tracebacks follow them.
_TEXT_LINE = re.compile(r"^(WARNING|ERROR|CRITICAL):\s+(.*)")
_NUMBERS = re.compile(r"\b[0-9a-f]{8}-[0-9a-f-]{27}\b|\b[0-9a-f]{32}\b|\d+(\.\d+)?")


def message_key(logger: str, message: str) -> str:
    """One failure kind: the message with its ids and figures replaced by N, shortened."""
    text = _NUMBERS.sub("N", message.splitlines()[0] if message else "")
    return f"{logger}: {text}"[:120] if logger else text[:120]


def failures_in(lines: list[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for line in lines:
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("level") in FAILING_LEVELS:
                found[message_key(record.get("logger", ""), str(record.get("message", "")))] += 1
        elif matched := _TEXT_LINE.match(line):
            found[message_key("uvicorn", matched.group(2))] += 1
    return found


class FailureCounter:
    """What failed on the server side since the last row, over every log in the run's tmp."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.offsets: dict[Path, int] = {}
        self.blamed_jobs: set[str] = set()

    def new_log_lines(self) -> list[str]:
        lines: list[str] = []
        for path in sorted(self.tmp.glob("uvicorn-*.log")):
            start = self.offsets.get(path, 0)
            with path.open("rb") as log:
                log.seek(start)
                data = log.read()
            # A line still being written stays for the next row.
            complete = data[: data.rfind(b"\n") + 1]
            self.offsets[path] = start + len(complete)
            lines += complete.decode(errors="replace").splitlines()
        return lines

    def jobs_left_running(self) -> int:
        """Jobs pending or running now that no earlier row was blamed for."""
        database = self.tmp / "var" / "db.sqlite3"
        if not database.exists():
            return 0
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            rows = db.execute(
                "SELECT id FROM optimizer_optimization WHERE status IN ('pending', 'running')"
            ).fetchall()
        new = {job_id for (job_id,) in rows} - self.blamed_jobs
        self.blamed_jobs |= new
        return len(new)

    def since_last_row(self, expected: tuple[str, ...] = ()) -> dict[str, dict[str, int]]:
        """{"failures": {kind: n}, "expected": {kind: n}} since the previous call."""
        failures: Counter[str] = Counter()
        allowed: Counter[str] = Counter()
        for kind, count in failures_in(self.new_log_lines()).items():
            target = allowed if any(text in kind for text in expected) else failures
            target[kind] += count
        if left := self.jobs_left_running():
            failures["jobs left pending or running"] = left
        return {"failures": dict(failures), "expected": dict(allowed)}
