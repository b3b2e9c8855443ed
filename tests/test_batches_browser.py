"""A batch in a real browser (issue 16, item 3): one resume and three job ads submitted from the
form; the table of jobs fills in live, row by row while the others still run (one upstream call
at a time, BATCH_MAX_CONCURRENCY=1), without a reload; then it sorts by match. Chromium and the
live server as in test_browser.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import test_browser
from test_accessibility_browser import axe_violations
from test_batches_api import jobs_for
from test_browser import RESUME, WAIT_MS, Watched

from optimizer.testing.fake_anthropic import FakeReply

pytestmark = [pytest.mark.browser, pytest.mark.live]
browser, watched = test_browser.browser, test_browser.watched

JAVA = "Senior Java Developer\nSpring Boot, Kotlin, Oracle and Kafka on AWS. Hibernate and JPA.\n"


@pytest.fixture
def server(live_server_factory: Callable[..., Any], fake_anthropic: Any) -> Any:
    return live_server_factory(
        LLM_PROVIDER="anthropic",
        ANTHROPIC_API_KEY="x",
        ANTHROPIC_BASE_URL=fake_anthropic.base_url,
        ANTHROPIC_MODEL="claude-sonnet-4-20250514",
        BATCH_MAX_CONCURRENCY="1",
    )


def test_the_batch_table_fills_in_live_then_sorts_by_match(
    server: Any, fake_anthropic: Any, watched: Callable[..., Watched], tmp_path: Path
) -> None:
    # The second upstream call is slow: the first job's row must be done while it still runs.
    fake_anthropic.enqueue(
        FakeReply(),
        FakeReply(first_token_delay=2.0, chunk_delay=0.01),
        FakeReply(),
    )
    watch = watched(viewport={"width": 1280, "height": 900})
    page = watch.page
    page.goto(server.url + "/batches/")
    page.fill("#id_resume_raw_text", RESUME)
    for index, job in enumerate([*jobs_for(2), JAVA]):
        page.fill(f"#id_job_description_{index}", job)
    page.click("text=Optimize for every job")
    page.wait_for_url("**/batches/*/", timeout=WAIT_MS)
    page.evaluate("window.__stayed = true")  # gone if the page reloads
    assert page.locator("#batch-table tbody tr").count() == 3

    # One row done, live, while the next call is still in flight and the third not sent.
    page.wait_for_selector("#batch-table .status-done", timeout=WAIT_MS)
    assert fake_anthropic.calls == 2 and fake_anthropic.in_flight == 1
    assert page.locator("#batch-table .status-done").count() == 1
    # The one in flight says so; the third waits for its turn (one slot: BATCH_MAX_CONCURRENCY).
    page.wait_for_selector("#batch-table .batch-status >> text=Writing", timeout=WAIT_MS)
    assert page.locator("#batch-table .batch-status >> text=Waiting for its turn").count() == 1
    done_row = page.locator("#batch-table tr:has(.status-done)")
    assert done_row.locator(".batch-after").inner_text().strip().isdigit()

    page.wait_for_selector("#batch-summary >> text=All 3 done", timeout=WAIT_MS)
    assert page.locator("#batch-table .status-done").count() == 3
    assert page.evaluate("window.__stayed") is True  # filled in without a reload
    assert fake_anthropic.calls == 3 and fake_anthropic.max_in_flight == 1
    assert axe_violations(page) == []

    page.click("#batch-table th >> text=Match after")
    page.wait_for_url("**?sort=-after", timeout=WAIT_MS)
    afters = [
        int(text.strip()) for text in page.locator("#batch-table .batch-after").all_inner_texts()
    ]
    assert afters == sorted(afters, reverse=True)
    assert "Java" in page.locator("#batch-table tbody tr").last.inner_text()
    shots = test_browser.DOCS if test_browser.UPDATE_SCREENSHOTS else tmp_path
    page.screenshot(path=str(shots / "screenshot-batch.png"), full_page=True)
    assert watch.problems == [], watch.problems
