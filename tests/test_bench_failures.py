"""The benchmark counts server-side failures per row from the servers' logs and database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from bench.failures import FailureCounter, failures_in, message_key


def _json_line(level: str, logger: str, message: str) -> str:
    return json.dumps({"time": "t", "level": level, "logger": logger, "message": message})


def test_warnings_and_errors_count_by_kind_with_ids_and_figures_taken_out() -> None:
    lines = [
        _json_line("INFO", "optimizer.jobs", "Job 1 cancelled after 2 events"),
        _json_line("WARNING", "optimizer.api_keys", "Rate limit not checked for key 7: Too many"),
        _json_line("WARNING", "optimizer.api_keys", "Rate limit not checked for key 12: Too many"),
        _json_line("ERROR", "optimizer.jobs", "Job 6f1c2d3e-1a2b-4c5d-8e9f-0123456789ab failed"),
        "ERROR:    Exception in ASGI application",
        "Traceback (most recent call last):",
        '  File "x.py", line 3, in f',
        "RuntimeError: boom",
        "INFO:     Started server process [123]",
        "{not json",
    ]
    assert failures_in(lines) == {
        "optimizer.api_keys: Rate limit not checked for key N: Too many": 2,
        "optimizer.jobs: Job N failed": 1,
        "uvicorn: Exception in ASGI application": 1,
    }
    assert message_key("x", "took 1.5 s\nsecond line") == "x: took N s"


def test_each_row_gets_only_what_was_logged_since_the_previous_one(tmp_path: Path) -> None:
    log = tmp_path / "uvicorn-product-w1-8000.log"
    warning = _json_line("WARNING", "optimizer.llm.cache", "Cache unavailable during set")
    log.write_text(warning + "\n")
    counter = FailureCounter(tmp_path)
    assert counter.since_last_row()["failures"] == {
        "optimizer.llm.cache: Cache unavailable during set": 1
    }
    assert counter.since_last_row()["failures"] == {}  # not counted twice

    with log.open("a") as out:
        out.write(warning + "\n" + warning[:20])  # the last line is still being written
    assert sum(counter.since_last_row()["failures"].values()) == 1
    with log.open("a") as out:
        out.write(warning[20:] + "\n")
    assert sum(counter.since_last_row()["failures"].values()) == 1  # now complete


def test_messages_a_row_provokes_are_shown_apart(tmp_path: Path) -> None:
    lines = [
        _json_line("WARNING", "optimizer.jobs", "Job 3 lost its runner: running it again"),
        _json_line("WARNING", "optimizer.flights", "Could not leave flight ab12: timeout"),
    ]
    (tmp_path / "uvicorn-product-lives-1.log").write_text("\n".join(lines) + "\n")
    found = FailureCounter(tmp_path).since_last_row(expected=("lost its runner",))
    assert found["expected"] == {"optimizer.jobs: Job N lost its runner: running it again": 1}
    assert found["failures"] == {"optimizer.flights: Could not leave flight abN: timeout": 1}


def test_jobs_left_pending_or_running_are_failures_once(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    with sqlite3.connect(tmp_path / "var" / "db.sqlite3") as db:
        db.execute("CREATE TABLE optimizer_optimization (id TEXT, status TEXT)")
        db.executemany(
            "INSERT INTO optimizer_optimization VALUES (?, ?)",
            [("a", "running"), ("b", "pending"), ("c", "done"), ("d", "failed")],
        )
    counter = FailureCounter(tmp_path)
    assert counter.since_last_row()["failures"] == {"jobs left pending or running": 2}
    assert counter.since_last_row()["failures"] == {}  # the same two are not blamed again
    with sqlite3.connect(tmp_path / "var" / "db.sqlite3") as db:
        db.execute("INSERT INTO optimizer_optimization VALUES ('e', 'running')")
    assert counter.since_last_row()["failures"] == {"jobs left pending or running": 1}
