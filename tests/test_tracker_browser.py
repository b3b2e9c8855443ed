"""The applications board in a real browser (issue 16, item 5): a card is dragged to another
column with JavaScript (htmx swaps the board, a reload shows it stayed), and moved with its
buttons with JavaScript off. Chromium and the live server as in test_browser.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import test_browser
from test_accessibility_browser import axe_violations
from test_browser import JOB, RESUME, WAIT_MS, Watched, _submit

pytestmark = [pytest.mark.browser, pytest.mark.live]
browser, server, watched = test_browser.browser, test_browser.server, test_browser.watched


def _column(page: Any, card: str) -> str:
    """The status of the board column that holds the card now (read with selectors only: the
    no-JS page runs no script, not even the test's)."""
    found = [
        status
        for status in ("saved", "applied", "interviewing", "offer", "rejected")
        if page.locator(f"[data-board] [data-status={status}] {card}").count()
    ]
    assert len(found) == 1, found
    return found[0]


def _tracked_card(page: Any, base_url: str) -> str:
    """Optimize, track the result from its permalink, open the board; the card's selector."""
    page.goto(base_url + "/")
    _submit(page, RESUME, JOB)
    done = page.wait_for_selector(".job-done", timeout=WAIT_MS)
    job_id = str(done.get_attribute("id")).removeprefix("job-")
    page.goto(f"{base_url}/optimize/{job_id}/")  # the permalink, where a version is tracked
    page.click(".track-form button")
    page.wait_for_url("**/tracker/*/", timeout=WAIT_MS)
    page.goto(base_url + "/tracker/")
    return ".board-card"


def test_a_card_is_dragged_to_another_column(
    server: Any, fake_anthropic: Any, watched: Callable[..., Watched], tmp_path: Path
) -> None:
    watch = watched(viewport={"width": 1280, "height": 900})
    page = watch.page
    card = _tracked_card(page, server.url)
    assert _column(page, card) == "saved"
    page.drag_and_drop(card, "[data-board] [data-status=interviewing]")
    # htmx swapped the board: the card is in its new column, marked as just moved.
    page.wait_for_selector("[data-status=interviewing] .board-card.just-moved", timeout=WAIT_MS)
    assert page.url.endswith("/tracker/")  # no navigation: the board was swapped in place
    page.reload()
    assert _column(page, card) == "interviewing"
    # The buttons work with JavaScript too (the same request as the drop).
    page.click(f"{card} button[data-move-to=offer]")
    page.wait_for_selector("[data-status=offer] .board-card.just-moved", timeout=WAIT_MS)
    assert axe_violations(page) == []
    shots = test_browser.DOCS if test_browser.UPDATE_SCREENSHOTS else tmp_path
    page.screenshot(path=str(shots / "screenshot-tracker.png"), full_page=True)
    assert watch.problems == []


def test_without_javascript_the_buttons_move_a_card(
    server: Any, fake_anthropic: Any, watched: Callable[..., Watched]
) -> None:
    watch = watched(java_script_enabled=False)
    page = watch.page
    page.goto(server.url + "/")
    _submit(page, RESUME, JOB)
    page.wait_for_url("**/optimize/*/", timeout=WAIT_MS)  # the plain POST waits for the result
    page.click(".track-form button")
    page.wait_for_url("**/tracker/*/", timeout=WAIT_MS)
    page.goto(server.url + "/tracker/")
    assert _column(page, ".board-card") == "saved"
    page.click(".board-card button[data-move-to=applied]")
    page.wait_for_url("**/tracker/#application-*", timeout=WAIT_MS)
    assert _column(page, ".board-card") == "applied"
    assert "Applied 20" in page.inner_text(".board-card")  # the date it was applied on
    assert watch.problems == []


def test_the_account_resume_and_tracker_pages_fit_a_phone_and_pass_axe(
    server: Any, fake_anthropic: Any, watched: Callable[..., Watched]
) -> None:
    watch = watched(viewport={"width": 375, "height": 812})
    page = watch.page

    def check(what: str) -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, what
        assert axe_violations(page) == [], what

    page.goto(server.url + "/account/signup/")
    check("sign up")
    page.fill("#id_email", "jane.doe@example.com")
    page.fill("#id_password1", "cobalt-harbour-1987")
    page.fill("#id_password2", "cobalt-harbour-1987")
    page.click("form.account-form button[type=submit]")
    page.wait_for_url("**/resumes/", timeout=WAIT_MS)
    assert "jane.doe@example.com" in page.inner_text(".site-header")
    check("resumes")
    page.fill("#id_name", "Backend base")
    page.fill("#id_text", RESUME)
    page.click("form.resume-form button[type=submit]")
    page.wait_for_url("**/resumes/*/", timeout=WAIT_MS)
    page.click("text=Tailor it for a new job")
    assert page.input_value("#id_resume_raw_text").startswith("Jane Doe")
    page.fill("#id_job_description_text", JOB)
    page.click("#optimize-form button[type=submit]")
    done = page.wait_for_selector(".job-done", timeout=WAIT_MS)
    job_id = str(done.get_attribute("id")).removeprefix("job-")
    page.goto(f"{server.url}/optimize/{job_id}/")
    assert "A version of your base resume" in page.inner_text("#version-of")
    page.click(".track-form button")
    page.wait_for_url("**/tracker/*/", timeout=WAIT_MS)
    check("application")
    page.goto(server.url + "/tracker/")
    check("board")
    page.goto(server.url + "/resumes/")
    page.click(".resume-list .history-title")
    assert page.locator(".version-list .history-item").count() == 1
    check("resume")
    page.click(".account-nav button")  # log out
    page.goto(server.url + "/account/login/")
    check("log in")
    assert watch.problems == [], watch.problems
