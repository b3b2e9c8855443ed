"""A cover letter in a real browser (issue 16, item 1): started from a result, it streams into the
page live while the upstream still sends, its invented claim is flagged, the user edits it in
place and the download carries the edit. Chromium and the live server as in test_browser.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import test_browser
from test_accessibility_browser import axe_violations
from test_browser import JOB, RESUME, WAIT_MS, Watched, _chunks, _submit
from test_letters_api import PLANTED

from optimizer.testing.fake_anthropic import DEFAULT_LETTER_TEXT, DEFAULT_REPLY_TEXT, FakeReply

pytestmark = [pytest.mark.browser, pytest.mark.live]
# test_browser.py's fixtures: Chromium, the live server on the fake upstream, watched pages.
browser, server, watched = test_browser.browser, test_browser.server, test_browser.watched


def test_a_cover_letter_streams_live_then_is_edited_and_downloaded(
    server: Any,
    fake_anthropic: Any,
    watched: Callable[..., Watched],
    tmp_path: Path,
) -> None:
    fake_anthropic.enqueue(
        FakeReply(chunks=_chunks(DEFAULT_REPLY_TEXT, 3)),
        FakeReply(chunks=_chunks(PLANTED, 6), first_token_delay=0.2, chunk_delay=0.4),
    )
    watch = watched(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = watch.page
    page.goto(server.url + "/")
    _submit(page, RESUME, JOB)
    page.wait_for_selector(".job-done", timeout=WAIT_MS)
    assert fake_anthropic.calls == 1

    page.select_option(".letter-form select[name=tone]", "warm")
    page.click("text=Write a cover letter")
    # The first words show while the upstream is still sending, in the resume's live panel.
    page.wait_for_selector(".letters .job-live .resume-text:not(:empty)", timeout=WAIT_MS)
    assert fake_anthropic.open_streams == 1
    assert page.query_selector(".job-letter") is None
    assert page.inner_text(".letters .job-live h2").startswith("Writing your cover letter")
    assert page.inner_text(".letters .job-live .stage [aria-current=step]") == (
        "Writing your cover letter"
    )
    prompt = str(fake_anthropic.last_request.body["messages"])
    assert "Tone: warm and personal" in prompt

    page.wait_for_selector(".job-letter", timeout=WAIT_MS)
    assert fake_anthropic.calls == 2
    letter = page.locator(".job-letter textarea[name=text]")
    assert letter.input_value().startswith("Dear hiring team,")
    assert "Google" in page.inner_text(".job-letter .grounding-box")
    assert axe_violations(page) == []  # the letter's panel, its form and its claims box
    shots = test_browser.DOCS if test_browser.UPDATE_SCREENSHOTS else tmp_path
    page.locator(".letters").screenshot(path=str(shots / "screenshot-cover-letter.png"))

    # Edit in place: saved as the user types; the claims are checked again.
    letter.fill(DEFAULT_LETTER_TEXT.replace("Kind regards", "With thanks"))
    page.wait_for_selector(".job-letter .review-clear", timeout=WAIT_MS)
    with page.expect_download(timeout=WAIT_MS) as download:
        page.click(".job-letter >> text=Download .txt")
    path = tmp_path / "letter.txt"
    download.value.save_as(path)
    assert download.value.suggested_filename.startswith("Jane-Doe-Cover-letter")
    text = path.read_text()
    assert "With thanks" in text and "Google" not in text
    assert fake_anthropic.calls == 2
    assert watch.problems == [], watch.problems
