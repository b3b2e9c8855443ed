"""The page in a real browser: Debian's Chromium driven by Playwright, against the product under
uvicorn (live_server_factory) talking to the fake Anthropic server, which sends chunks with delays.

Never `playwright install`: the browser is /usr/bin/chromium (`apt-get install chromium`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from optimizer.testing.fake_anthropic import DEFAULT_REPLY_TEXT, FakeReply

pytestmark = [pytest.mark.browser, pytest.mark.live]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DOCS = Path(__file__).resolve().parent.parent / "docs"
# The README's screenshots are rewritten only on request, so a test run leaves the tree clean.
UPDATE_SCREENSHOTS = os.getenv("UPDATE_SCREENSHOTS") == "1"
WAIT_MS = 20_000  # deadline for each condition; they normally hold within a second

# Not tests/samples.py's text, on purpose: a full page with every section, as the README's
# screenshots show it.
RESUME = """Jane Doe
Senior Python Developer
jane.doe@example.com | Berlin, Germany | linkedin.com/in/janedoe

PROFILE
Backend engineer, 6 years of experience with Python and Django web applications.

EXPERIENCE
Senior Software Engineer, Example Logistics GmbH (2021 - present)
- Built and maintained Django REST APIs used by the customer portal and mobile apps
- Moved slow reports to Celery background jobs backed by Redis
- Tuned PostgreSQL queries and indexes for the order search pages

Software Engineer, Sample Retail AG (2019 - 2021)
- Developed Python services for inventory and pricing data
- Wrote pytest suites and set up continuous integration with GitHub Actions

SKILLS
Python, Django, Django REST Framework, PostgreSQL, Redis, Celery, Docker, AWS (EC2, S3, RDS)

EDUCATION
B.Sc. Computer Science, Technical University of Munich
"""
JOB = """Senior Python Developer
Build Django REST APIs on PostgreSQL and Redis for our logistics platform.
Requirements: 5+ years of Python, Django, REST APIs, Celery, Docker. Kubernetes is a plus.
"""


def _chunks(text: str, parts: int) -> list[str]:
    size = -(-len(text) // parts)
    return [text[i : i + size] for i in range(0, len(text), size)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.getenv("REQUIRE_SERVICES") == "1":
            pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def server(live_server_factory: Callable[..., Any], fake_anthropic: Any) -> Any:
    return live_server_factory(
        LLM_PROVIDER="anthropic",
        ANTHROPIC_API_KEY="x",
        ANTHROPIC_BASE_URL=fake_anthropic.base_url,
        ANTHROPIC_MODEL="claude-sonnet-4-20250514",
    )


class Watched:
    """A page plus what the browser complained about (CSP violations, script errors)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))

    def _console(self, message: Any) -> None:
        where = (message.location or {}).get("url", "")
        if message.type == "error" and "status of 422" not in message.text:  # form errors
            self.problems.append(f"{message.text} ({where})")


@pytest.fixture
def watched(browser: Any) -> Iterator[Callable[..., Watched]]:
    contexts: list[Any] = []

    def open_page(**options: Any) -> Watched:
        context = browser.new_context(**options)
        contexts.append(context)
        return Watched(context.new_page())

    yield open_page
    for context in contexts:
        context.close()


def _submit(page: Any, resume: str = RESUME, job: str = JOB) -> None:
    page.fill("#id_resume_raw_text", resume)
    page.fill("#id_job_description_text", job)
    page.click("button[type=submit]")


def _pwned(page: Any) -> Any:
    return page.evaluate("window.__pwned")


def test_it_streams_the_rewrite_then_shows_the_result_and_serves_it_again_from_cache(
    server: Any, fake_anthropic: Any, watched: Callable[..., Watched], tmp_path: Path
) -> None:
    shots = DOCS if UPDATE_SCREENSHOTS else tmp_path
    fake_anthropic.enqueue(
        FakeReply(
            chunks=_chunks(DEFAULT_REPLY_TEXT, 6),
            first_token_delay=0.2,
            chunk_delay=0.4,
            input_tokens=2500,
            output_tokens=1200,
            prompt_cache=False,  # the seed's price ($0.0255), input and output only
        )
    )
    watch = watched(viewport={"width": 1280, "height": 900})
    page = watch.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page.goto(server.url + "/")
    page.fill("#id_resume_raw_text", RESUME)
    page.fill("#id_job_description_text", JOB)
    assert page.inner_text("#id_resume_raw_text-counter [data-count]") == f"{len(RESUME):,}"
    page.evaluate("document.activeElement.blur()")
    page.screenshot(path=str(shots / "screenshot-home.png"), full_page=True)

    # A submit without the resume: the error sits next to its field, focus moves there, the
    # typed job description is kept, nothing is called.
    page.fill("#id_resume_raw_text", "")
    page.click("button[type=submit]")
    page.wait_for_selector("#id_resume_raw_text-errors .error", timeout=WAIT_MS)
    assert "Paste your resume" in page.inner_text("#id_resume_raw_text-errors")
    assert page.evaluate("document.activeElement.id") == "id_resume_raw_text"
    assert page.input_value("#id_job_description_text") == JOB
    assert fake_anthropic.calls == 0

    page.fill("#id_resume_raw_text", RESUME)
    page.click("button[type=submit]")

    # The first words show while the upstream is still sending.
    # (Selectors, not wait_for_function: its string predicate needs eval, which our CSP forbids.)
    page.wait_for_selector(".job-live .resume-text:not(:empty)", timeout=WAIT_MS)
    assert fake_anthropic.open_streams == 1
    assert page.query_selector(".job-done") is None
    assert page.inner_text(".job-live .stage [aria-current=step]") == (
        "Writing your tailored resume"
    )
    assert "words written so far" in page.inner_text(".job-live .counts")

    page.wait_for_selector(".job-done", timeout=WAIT_MS)
    done = page.inner_text(".job-done")
    assert "Senior Software Engineer, Example Logistics GmbH" in done
    assert "Moved Python and Django to the top of the skills list" in done
    # The technical figures wait in the collapsed Details block.
    assert "2500 in · 1200 out" not in done
    page.click(".job-done details.details summary")
    assert "$0.0255" in page.inner_text(".job-done .details")
    assert "2500 in · 1200 out" in page.inner_text(".job-done .details")
    assert "Served from cache" not in done
    assert fake_anthropic.calls == 1

    page.click("text=Copy to clipboard")
    page.wait_for_selector("text=Copied to the clipboard.", timeout=WAIT_MS)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Jane Doe") and "Example Logistics GmbH" in copied

    # The same inputs again: served from cache, no new upstream call.
    page.click("button[type=submit]")
    page.wait_for_selector(".job-done .badge-cache", timeout=WAIT_MS)
    assert "Served from cache" in page.inner_text(".job-done")
    assert fake_anthropic.calls == 1

    # The first result's permalink survives a reload.
    page.goto(server.url + "/history/")
    page.click(".history-item:last-child .history-title")
    page.wait_for_url("**/optimize/*/", timeout=WAIT_MS)
    page.reload()
    page.wait_for_selector(".job-done", timeout=WAIT_MS)
    assert "Example Logistics GmbH" in page.inner_text(".job-done .resume-text")
    assert "Served from cache" not in page.inner_text(".job-done")
    page.screenshot(path=str(shots / "screenshot-result.png"), full_page=True)

    page.goto(server.url + "/history/")
    assert page.locator(".history-item").count() == 2
    assert fake_anthropic.calls == 1
    assert watch.problems == [], watch.problems  # no CSP violation, no script error


def test_hostile_resume_and_model_output_never_execute(
    server: Any, fake_anthropic: Any, watched: Callable[..., Watched]
) -> None:
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'
    reply = DEFAULT_REPLY_TEXT.replace("SUMMARY\n", f"SUMMARY\n{hostile}\n")
    fake_anthropic.enqueue(FakeReply(chunks=_chunks(reply, 6), chunk_delay=0.3))
    watch = watched()
    page = watch.page
    page.goto(server.url + "/")
    _submit(page, resume=hostile + "\n" + RESUME, job=hostile + "\n" + JOB)

    page.locator(".job-live .resume-text", has_text="onerror").wait_for(timeout=WAIT_MS)
    assert _pwned(page) is None
    assert page.query_selector(".job-live .resume-text img, .job-live .resume-text script") is None
    page.wait_for_selector(".job-done", timeout=WAIT_MS)
    assert _pwned(page) is None
    assert page.query_selector(".job-done img, main script") is None
    # The title guessed from the hostile job description shows as text.
    assert "<img" in page.inner_text(".job-done h2")

    for path in ("/history/", page.get_attribute(".job-done a:text('Permalink')", "href")):
        page.goto(server.url + path)
        assert _pwned(page) is None
        assert page.query_selector("main img") is None
    assert fake_anthropic.calls == 1
    assert watch.problems == [], watch.problems


def test_a_failure_offers_a_retry_and_every_page_fits_a_375px_screen(
    server: Any, fake_anthropic: Any, watched: Callable[..., Watched]
) -> None:
    long_word = "https://example.com/" + "a-very-long-path-segment" * 12
    fake_anthropic.fail(400)
    fake_anthropic.enqueue(
        FakeReply(text=DEFAULT_REPLY_TEXT.replace("SUMMARY\n", f"SUMMARY\n{long_word}\n"))
    )
    watch = watched(viewport={"width": 375, "height": 812})
    page = watch.page
    page.goto(server.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _submit(page, resume=RESUME + long_word, job=JOB + long_word)

    page.wait_for_selector(".job-failed", timeout=WAIT_MS)
    assert "did not finish" in page.inner_text(".job-failed")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.click(".job-failed button[type=submit]")
    page.wait_for_selector(".job-done", timeout=WAIT_MS)
    assert long_word in page.inner_text(".job-done .resume-text")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert fake_anthropic.calls == 2

    page.goto(server.url + "/history/")
    assert page.locator(".history-item").count() == 2
    assert "Failed" in page.inner_text(".history")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert watch.problems == [], watch.problems


def test_without_javascript_the_form_still_works(
    server: Any, fake_anthropic: Any, watched: Callable[..., Watched]
) -> None:
    page = watched(java_script_enabled=False).page
    page.goto(server.url + "/")
    _submit(page)
    page.wait_for_url("**/optimize/*/", timeout=WAIT_MS)
    assert "Example Logistics GmbH" in page.inner_text(".job-done .resume-text")
    assert fake_anthropic.calls == 1


def test_a_first_run_sample_and_a_dropped_file(
    server: Any, fake_anthropic: Any, watched: Callable[..., Watched]
) -> None:
    from optimizer.sample_inputs import SAMPLE_JOB, SAMPLE_RESUME

    watch = watched(viewport={"width": 375, "height": 812})
    page = watch.page
    page.goto(server.url + "/")
    page.click("text=Try it with a sample")
    page.wait_for_url("**/?sample=1#optimize-form", timeout=WAIT_MS)
    assert page.input_value("#id_resume_raw_text").strip() == SAMPLE_RESUME.strip()
    assert page.input_value("#id_job_description_text").strip() == SAMPLE_JOB.strip()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # A file dropped on the upload field becomes the form's file (and the pasted text goes).
    page.fill("#id_resume_raw_text", "")
    assert page.is_visible("[data-drop-hint]")
    transfer = page.evaluate_handle(
        """() => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([%r], "dropped-cv.txt", {type: "text/plain"}));
            return transfer;
        }"""
        % ("Dropped Person\n" + RESUME)
    )
    page.dispatch_event(".field-resume_file", "dragover", {"dataTransfer": transfer})
    assert "drop-active" in (page.get_attribute(".field-resume_file", "class") or "")
    page.dispatch_event(".field-resume_file", "drop", {"dataTransfer": transfer})
    assert "dropped-cv.txt" in page.inner_text("[data-drop-status]")
    assert page.evaluate("document.querySelector('#id_resume_file').files[0].name") == (
        "dropped-cv.txt"
    )
    page.click("button[type=submit]")
    page.wait_for_selector(".job-done", timeout=WAIT_MS)
    assert fake_anthropic.calls == 1
    assert "Dropped Person" in str(fake_anthropic.last_request.body)  # the dropped file's text
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert watch.problems == [], watch.problems


def test_review_confirm_a_claim_edit_in_place_and_a_reload_keeps_it(
    server: Any, fake_anthropic: Any, watched: Callable[..., Watched], tmp_path: Path
) -> None:
    shots = DOCS if UPDATE_SCREENSHOTS else tmp_path
    watch = watched(viewport={"width": 375, "height": 812})
    page = watch.page
    from samples import RESUME as SHORT_RESUME  # the reply claims more than this supports

    page.goto(server.url + "/")
    _submit(page, resume=SHORT_RESUME)
    page.wait_for_selector(".job-done", timeout=WAIT_MS)
    flags = page.locator(".job-done .grounding > li").count()
    assert flags >= 2

    # "I did this": the panel comes back with one claim fewer and says so.
    page.locator(".job-done .grounding > li").first.locator("button[value=confirm]").click()
    page.wait_for_selector(".job-done .confirmed", timeout=WAIT_MS)
    assert page.locator(".job-done .grounding > li").count() == flags - 1

    # A reworded line back to the original's wording: the shown text and the download follow.
    summary = SHORT_RESUME.splitlines()[2]
    page.locator(".job-done .passage", has_text=summary).locator("button[value=revert]").click()
    page.wait_for_selector(f".job-done .resume-text:has-text('{summary[:40]}')", timeout=WAIT_MS)
    download = page.context.request.get(
        server.url + page.get_attribute(".job-done a:text('Download .txt')", "href")
    )
    assert summary in download.text()

    # Edit in place: typing saves by itself (debounced) and the match report follows (Kubernetes
    # is new, so it is flagged and counts only in "would be ... if the claims were true").
    score = page.inner_text(".job-done .match-line")
    page.click(".job-done .editor summary") if not page.is_visible(
        ".job-done .editor textarea"
    ) else None
    editor = page.locator(".job-done .editor textarea")
    editor.press("End")
    editor.press("Control+End")
    editor.type("\nKubernetes, Kubernetes deployments")
    page.wait_for_selector(
        ".job-done .resume-text:has-text('Kubernetes deployments')", timeout=WAIT_MS
    )
    assert page.inner_text(".job-done .match-line") != score
    download = page.context.request.get(
        server.url + page.get_attribute(".job-done a:text('Download .txt')", "href")
    )
    assert "Kubernetes deployments" in download.text()
    page.goto(server.url + page.get_attribute(".job-done a:text('Permalink')", "href"))
    page.wait_for_selector(".job-done", timeout=WAIT_MS)
    assert "Kubernetes deployments" in page.inner_text(".job-done .resume-text")
    assert "Edited by you" in page.inner_text(".job-done")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The first screen of the permalink on a phone shows the job match and the first claim.
    page.evaluate("window.scrollTo(0, 0)")
    for selector in (".job-done .match-line", ".job-done .grounding > li"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 812, (selector, box)
    page.screenshot(path=str(shots / "screenshot-result-phone.png"))
    assert fake_anthropic.calls == 1
    assert watch.problems == [], watch.problems
