"""Axe-core in Chromium on the home, streaming and result pages: no serious or critical issues.

axe-core is vendored under tests/vendor/axe-core (from the npm registry; see its README). It is
evaluated through the DevTools protocol, which the pages' Content-Security-Policy does not
govern, so the product's CSP stays as strict as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_browser import JOB, RESUME, WAIT_MS, Watched, _chunks, _submit, browser, server, watched

from optimizer.testing.fake_anthropic import DEFAULT_REPLY_TEXT, FakeReply

pytestmark = [pytest.mark.browser, pytest.mark.live]
__all__ = ["browser", "server", "watched"]  # fixtures, imported for pytest

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
BLOCKING = ("serious", "critical")


def axe_violations(page: Any) -> list[str]:
    """Serious and critical axe violations on the page as it is now, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " targets: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))"
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['targets'])}"
        for v in results
        if v["impact"] in BLOCKING
    ]


def test_the_vendored_axe_is_the_one_its_readme_names() -> None:
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256


@pytest.mark.parametrize("width", [1280, 375])
def test_home_streaming_and_result_pages_have_no_serious_axe_violations(
    server: Any, fake_anthropic: Any, watched: Callable[..., Watched], width: int
) -> None:
    # Slow enough that the live panel is still streaming while axe looks at it.
    fake_anthropic.enqueue(
        FakeReply(chunks=_chunks(DEFAULT_REPLY_TEXT, 12), first_token_delay=0.2, chunk_delay=0.5)
    )
    watch = watched(viewport={"width": width, "height": 900})
    page = watch.page
    page.goto(server.url + "/?sample=1")
    assert axe_violations(page) == []

    _submit(page, resume=RESUME, job=JOB)
    page.wait_for_selector(".job-live .resume-text:not(:empty)", timeout=WAIT_MS)
    assert axe_violations(page) == []
    assert page.query_selector(".job-done") is None  # it was the streaming page axe saw

    page.wait_for_selector(".job-done", timeout=WAIT_MS)
    page.click(".job-done details.details summary")  # the Details block open too
    assert axe_violations(page) == []

    page.goto(server.url + "/history/")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert watch.problems == [], watch.problems


def test_the_headers_sign_up_button_is_readable(
    server: Any, watched: Callable[..., Watched]
) -> None:
    """The header's links are white on its dark band; the Sign up button on it kept that white
    text on its own white background (axe left it unreported: a button over the header's
    background is one it cannot decide)."""
    page = watched(viewport={"width": 1280, "height": 900}).page
    page.goto(server.url + "/")
    colours = page.evaluate(
        "() => { const s = getComputedStyle(document.querySelector('.account-nav a.button'));"
        " return [s.color, s.backgroundColor]; }"
    )
    assert colours[0] != colours[1], colours
    assert colours[0] != "rgb(255, 255, 255)", colours
