"""The analysis in the pipeline: grounding warnings while streaming, score and diff in results."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from optimizer import live_check, services
from optimizer.analysis import ResumeGrounding
from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db

# Not tests/samples.py's text, on purpose: the fake replies below restate these lines (the diff
# must rebuild them), and the job asks for PostgreSQL, which the resume lacks.
ORIGINAL = """Jane Doe
Software Engineer — Acme Corp (2019 – 2023)
- Built Django APIs for the billing team
- Reduced deploy time with Docker
SKILLS
Python, Django, Docker
"""
JOB = "Senior Python Developer\nRequired: Python, Django, Docker, PostgreSQL.\nNice to have: Kubernetes."

HONEST_THEN_INVENTED = [
    "OPTIMIZED RESUME\n",
    "Jane Doe\n",
    "Software Engineer — Acme Corp (2019 – 2023)\n",
    "- Built Django APIs, cutting costs by 40%.\n",  # invented number: complete line here
    "- Reduced deploy time with Docker\n",
    "SKILLS\nPython, Django, Docker\n",
    "CHANGES MADE\n- Consider adding PostgreSQL and Kubernetes if they are true for you\n",
    "EXPECTED IMPROVEMENT\nThe job's keywords now appear near the top of the resume.\n",
]


async def events_for(fake: Any, chunks: list[str]) -> list[Any]:
    fake.enqueue(FakeReply(chunks=chunks))
    return [e async for e in services.stream(services.OptimizeRequest(ORIGINAL, JOB))]


async def test_a_grounding_warning_arrives_after_its_line_and_before_the_result(
    use_anthropic: Any,
) -> None:
    events = await events_for(use_anthropic, HONEST_THEN_INVENTED)
    kinds = [e.type for e in events]
    warning_at = next(
        i for i, e in enumerate(events) if e.type == "warning" and e.data.get("grounding")
    )
    chunk_positions = [i for i, kind in enumerate(kinds) if kind == "chunk"]
    # After the 4th chunk (the one that completed the invented line), before the result.
    assert chunk_positions[3] < warning_at < kinds.index("done")
    flag = events[warning_at].data["grounding"][0]
    assert flag["phrase"] == "40%" and flag["kind"] == "percentage"
    assert events[warning_at].data["issues"] == [flag["message"]]
    assert flag["message"].startswith('Unsupported number "40%" in')


async def test_no_chunk_waits_for_the_claim_check(
    use_anthropic: Any, monkeypatch: Any, settings: Any
) -> None:
    """The check runs behind the relay: held up, the text still streams; then its flag comes."""
    settings.ANALYSIS_PROCESSES = 0  # on this process's analysis thread, where it can be held
    checking = threading.Event()
    release = threading.Event()
    real_feed = ResumeGrounding.feed

    def held_feed(self: ResumeGrounding, delta: str) -> list[Any]:
        checking.set()
        assert release.wait(10), "the test never let the check go on"
        return real_feed(self, delta)

    monkeypatch.setattr(ResumeGrounding, "feed", held_feed)
    use_anthropic.enqueue(FakeReply(chunks=HONEST_THEN_INVENTED))
    stream = services.stream(services.OptimizeRequest(ORIGINAL, JOB))
    events = []
    async for event in stream:
        events.append(event)
        if sum(e.type == "chunk" for e in events) == len(HONEST_THEN_INVENTED):
            break
    # Every chunk arrived, and the check of their lines is held up, not done.
    assert await asyncio.to_thread(checking.wait, 10)
    assert not any(e.type == "warning" for e in events)
    release.set()
    events += [event async for event in stream]
    kinds = [e.type for e in events]
    warnings = [e for e in events if e.type == "warning" and e.data.get("grounding")]
    assert [flag["phrase"] for w in warnings for flag in w.data["grounding"]] == ["40%"]
    assert kinds[-1] == "done"
    assert events[-1].data["result"]["grounding"][0]["phrase"] == "40%"


async def test_suggestions_under_changes_made_are_not_flagged(use_anthropic: Any) -> None:
    events = await events_for(use_anthropic, HONEST_THEN_INVENTED)
    result = events[-1].data["result"]
    phrases = [flag["phrase"] for flag in result["grounding"]]
    assert phrases == ["40%"]
    assert not any("Kubernetes" in w or "PostgreSQL" in w for w in result["warnings"])


async def test_the_result_carries_score_grounding_and_diff(use_anthropic: Any) -> None:
    result = (await events_for(use_anthropic, HONEST_THEN_INVENTED))[-1].data["result"]
    score = result["ats_score"]
    assert 0 <= score["before"] <= 100 and 0 <= score["after"] <= 100
    assert {m["term"] for m in score["missing"]} >= {"PostgreSQL"}
    assert result["grounding"][0]["blocking"] is True
    assert result["grounding_mode"] == "warn" and result["is_valid"] is True
    inserted = "".join(op["text"] for op in result["diff"] if op["op"] == "insert")
    assert "40%" in inserted
    assert any(op.get("unsupported") for op in result["diff"])
    # The diff rebuilds both texts.
    assert "".join(op["text"] for op in result["diff"] if op["op"] != "insert") == ORIGINAL
    assert (
        "".join(op["text"] for op in result["diff"] if op["op"] != "delete")
        == result["optimized_resume"]
    )


async def test_strict_mode_marks_inventions_not_valid_and_does_not_cache(
    use_anthropic: Any, settings: Any
) -> None:
    settings.GROUNDING_MODE = "strict"
    result = (await events_for(use_anthropic, HONEST_THEN_INVENTED))[-1].data["result"]
    assert result["is_valid"] is False
    assert any(w.startswith("Strict grounding: 1 unsupported") for w in result["warnings"])
    use_anthropic.enqueue(FakeReply(chunks=HONEST_THEN_INVENTED))
    await services.generate(services.OptimizeRequest(ORIGINAL, JOB))
    assert use_anthropic.calls == 2


async def test_an_honest_rewrite_has_no_grounding_flags(use_anthropic: Any) -> None:
    honest = [c.replace(", cutting costs by 40%", "") for c in HONEST_THEN_INVENTED]
    events = await events_for(use_anthropic, honest)
    assert events[-1].data["result"]["grounding"] == []
    assert not any(e.data.get("grounding") for e in events if e.type == "warning")


async def test_the_offline_engine_raises_the_match_score() -> None:
    # Old-fashioned headings and bullets, so that the rewrite has readability to gain.
    resume = """Sam Lee
Profile
Engineer who builds web services.
Work History
Backend Developer | Globex | 03/2018 - 12/2022
• Maintained legacy PHP pages
• Built REST APIs in Python and Django for payments
• Set up PostgreSQL replication
Core Competencies
PHP, jQuery, PostgreSQL, Python, Django, REST APIs
"""
    job = "Python Backend Engineer\nRequirements: Python, Django, PostgreSQL, REST APIs.\nBonus: Kubernetes"
    result = await services.generate(services.OptimizeRequest(resume, job))
    score = result["ats_score"]
    assert score["after"] >= score["before"]  # keywords: honest, so never fewer
    assert score["readability"]["after"] > score["readability"]["before"]
    assert all(check["passed"] for check in score["readability"]["checks"])
    assert result["grounding"] == []  # the offline engine invents nothing


async def test_the_original_is_read_once_per_generation_and_off_the_event_loop(
    use_anthropic: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """The claim check's reading of the original (most of its work on a long resume) is done
    in a thread while the upstream works, and the final check after the text reuses it."""
    import threading

    settings.ANALYSIS_PROCESSES = 0  # in this process, where the reading can be counted

    from optimizer.analysis import evidence, grounding_stream

    readings: list[int] = []

    class CountedEvidence(evidence.Evidence):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            readings.append(threading.get_ident())
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(grounding_stream, "Evidence", CountedEvidence)
    events = await events_for(use_anthropic, HONEST_THEN_INVENTED)
    assert events[-1].type == "done"
    assert "40%" in str(events[-1].data["result"]["grounding"])  # the final check still ran
    assert len(readings) == 1
    assert readings[0] != threading.get_ident()  # not on this (the event loop's) thread


def analysis_of(events: list[Any]) -> tuple[Any, ...]:
    result = events[-1].data["result"]
    # What was warned of while streaming (which chunk carries a flag depends on timing).
    warned = sorted(
        f["phrase"] for e in events if e.type == "warning" for f in e.data.get("grounding", [])
    )
    return result["grounding"], result["ats_score"], result["diff"], warned


async def test_a_resume_is_analysed_in_the_analysis_process_as_it_would_be_here(
    use_anthropic: Any, settings: Any
) -> None:
    settings.CACHE_ENABLED = False  # two generations of the same request,
    settings.SINGLE_FLIGHT = False  # each its own (not a follower of a flight left in Redis)
    settings.ANALYSIS_PROCESSES = 0
    here = await events_for(use_anthropic, HONEST_THEN_INVENTED)
    settings.ANALYSIS_PROCESSES = 1
    pids = live_check.start_analysis_processes()
    assert len(pids) == 1 and os.getpid() not in pids  # off this process's GIL
    there = await events_for(use_anthropic, HONEST_THEN_INVENTED)
    assert there[-1].type == "done"
    assert analysis_of(there) == analysis_of(here)
    assert "40%" in str(there[-1].data["result"]["grounding"])


async def test_a_dead_analysis_process_fails_its_generation_and_the_next_gets_another(
    use_anthropic: Any, settings: Any
) -> None:
    settings.ANALYSIS_PROCESSES = 1
    [pid] = live_check.start_analysis_processes()
    use_anthropic.enqueue(FakeReply(chunks=HONEST_THEN_INVENTED, chunk_delay=0.05))
    events = []
    async for event in services.stream(services.OptimizeRequest(ORIGINAL, JOB)):
        events.append(event)
        if event.type == "chunk" and sum(e.type == "chunk" for e in events) == 2:
            os.kill(pid, signal.SIGKILL)  # the check of this generation's lines was there
    assert events[-1].type == "error" and events[-1].data["code"] == "internal_error"
    again = await events_for(use_anthropic, HONEST_THEN_INVENTED)
    assert again[-1].type == "done"
    assert "40%" in str(again[-1].data["result"]["grounding"])
    assert live_check.start_analysis_processes() != [pid]


def test_checks_begun_from_many_threads_at_once_find_their_state(settings: Any) -> None:
    """A Celery worker's threads begin generations at once: each check's calls must reach the
    one process that holds it (two racing starts once made two pools: a KeyError there)."""
    settings.ANALYSIS_PROCESSES = 1
    for pool in live_check._processes:
        if pool is not None:
            pool.shutdown(wait=False)
    live_check._processes.clear()
    begin = threading.Barrier(8)

    def one(_: int) -> list[str]:
        async def check() -> list[str]:
            grounding = live_check.LiveGrounding(services.OptimizeRequest(ORIGINAL, JOB))
            for chunk in HONEST_THEN_INVENTED[:5]:
                grounding.feed(chunk)
            flags = await grounding.finish()
            await grounding.analyse("".join(HONEST_THEN_INVENTED[1:5]))
            return [flag.phrase for flag in flags]

        begin.wait(10)
        return asyncio.run(check())

    with concurrent.futures.ThreadPoolExecutor(8) as threads:
        found = list(threads.map(one, range(8)))
    assert found == [["40%"]] * 8
    assert len([pool for pool in live_check._processes if pool is not None]) == 1


def test_the_analysis_process_ends_with_the_worker_that_started_it() -> None:
    """A worker killed outright runs no exit handler: its analysis process (and the forkserver
    it came from) must not wait for work forever."""
    script = (
        "import django, os, time; django.setup()\n"
        "from optimizer import live_check\n"
        "print(*live_check.start_analysis_processes(), flush=True)\n"
        "time.sleep(60)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "resumesite.settings", "ANALYSIS_PROCESSES": "1"}
    worker = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert worker.stdout is not None
        child = int(worker.stdout.readline())
        assert child != worker.pid and _running(child)
    finally:
        worker.kill()
        worker.wait(10)
    deadline = time.monotonic() + 10
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling for an exit, bounded: no race on its outcome
    assert not _running(child)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
