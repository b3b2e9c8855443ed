"""The cache page in a real browser, against uvicorn and the real Redis server.

Also takes docs/screenshot-admin-cache.png when SAVE_SCREENSHOTS=1:
    SAVE_SCREENSHOTS=1 python -m pytest tests/test_admin_browser.py -m browser
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from test_admin import make_entry

from optimizer.llm.cache import get_llm_cache

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.services]

CHROMIUM = "/usr/bin/chromium"
DOCS = Path(__file__).resolve().parent.parent / "docs"
JOBS = [
    (
        "Senior Python Developer at a logistics scale-up in Berlin: Django, PostgreSQL, Redis.",
        "claude-sonnet-4-20250514",
    ),
    (
        "Data Engineer (remote, EU): Spark, Airflow and dbt on a modern lakehouse stack.",
        "claude-sonnet-4-20250514",
    ),
    (
        "Frontend Engineer for a design-system team: TypeScript, React, accessibility first.",
        "claude-haiku-4-5",
    ),
    (
        "Site Reliability Engineer: Kubernetes, Terraform, on-call for payment services.",
        "claude-sonnet-4-20250514",
    ),
    ("Product Analyst: SQL, experimentation and dashboards for a marketplace.", "claude-haiku-4-5"),
]


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Chromium from the system package (never `playwright install`).

    Started after the test's own async_to_sync calls: Playwright's sync API runs an event loop
    in this thread, and async_to_sync refuses to run where a loop is running.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def test_cache_page_in_a_browser(
    real_redis: Any, redis_url: str, live_server_factory: Any, tmp_path: Path
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    cache = get_llm_cache()
    digests = []
    for job, model in JOBS:
        key = cache.make_key("resume for " + job, "system", model, 4096, None)
        assert async_to_sync(cache.set_by_key)(key, make_entry(job, model=model))
        digests.append(key[len(cache.key_prefix) :])
    for digest in digests[:3]:  # three hits and one miss for the totals
        async_to_sync(cache.get_by_key)(cache.key_prefix + digest)
    async_to_sync(cache.get_by_key)(cache.key_prefix + "0" * 64)
    async_to_sync(cache.record_saving)(0.063)

    server = live_server_factory(REDIS_URL=redis_url)
    server.manage(
        "createsuperuser",
        "--noinput",
        "--username=admin",
        "--email=admin@example.com",
        env={**server.env, "DJANGO_SUPERUSER_PASSWORD": "correct horse battery"},
    )
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _check_cache_page(page, server.url, cache, digests, real_redis, tmp_path)


def _check_cache_page(
    page: Any, url: str, cache: Any, digests: list[str], real_redis: Any, tmp_path: Path
) -> None:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))
    page.goto(f"{url}/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.click("text=LLM response cache")
    page.wait_for_selector("table.cache-entries")

    assert page.locator("table.cache-entries tbody tr").count() == len(JOBS)
    assert page.inner_text("#cache-total-entries") == str(len(JOBS))
    assert page.inner_text("#cache-hit-rate") == "75.0%"
    assert "MEMORY USAGE" in page.inner_text("#cache-memory")
    shot = tmp_path / "screenshot-admin-cache.png"
    page.screenshot(path=str(shot), full_page=True)
    if os.getenv("SAVE_SCREENSHOTS") == "1":
        shutil.copy(shot, DOCS / "screenshot-admin-cache.png")

    # Open one entry and invalidate it: a real POST with the CSRF token, under uvicorn.
    page.click(f"text={digests[1][:12]}")
    page.wait_for_selector("#cache-result-json")
    assert "Better keyword coverage" in page.inner_text("#cache-result-json")
    page.click("input[value='Invalidate this entry']")
    page.wait_for_selector("table.cache-entries")
    assert "Invalidated cache entry" in page.inner_text(".messagelist")
    assert page.locator("table.cache-entries tbody tr").count() == len(JOBS) - 1
    assert real_redis.exists(cache.full_key(cache.key_prefix + digests[1])) == 0
    assert not [text for text in problems if "Content Security Policy" in text], problems


def test_the_live_dashboard_updates_when_a_hit_happens(
    real_redis: Any, redis_url: str, live_server_factory: Any, tmp_path: Path
) -> None:
    """Two workers: the page's stream may be on one and the hit on the other; the figures are
    Redis's, so the page shows it either way. Also takes docs/screenshot-admin-dashboard.png."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    import httpx
    from playwright.sync_api import expect
    from samples import JOB, RESUME

    server = live_server_factory(workers=2, REDIS_URL=redis_url)
    server.manage(
        "createsuperuser",
        "--noinput",
        "--username=admin",
        "--email=admin@example.com",
        env={**server.env, "DJANGO_SUPERUSER_PASSWORD": "correct horse battery"},
    )
    key = server.manage("create_api_key", "dashboard", env=server.env).split()[-1]
    body = {"resume_raw_text": RESUME, "job_description_text": JOB}

    def generate() -> dict[str, Any]:
        answer = httpx.post(
            f"{server.url}/api/v1/generate", json=body, headers={"X-API-Key": key}, timeout=30
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text))
        page.goto(f"{server.url}/admin/login/?next=/admin/cache/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", "correct horse battery")
        page.click("input[type=submit]")
        page.wait_for_selector("#live-hits")
        assert page.inner_text("#live-hits") == "0"

        assert generate()["usage_stats"]["cache"] == "MISS"
        # Waits for the page's own update (the stream's next event), not for a fixed time
        # (Playwright's expect polls the DOM; string predicates would need CSP unsafe-eval).
        expect(page.locator("#live-misses")).to_have_text("1", timeout=15000)
        assert generate()["usage_stats"]["cache"] == "HIT"
        expect(page.locator("#live-hits")).to_have_text("1", timeout=15000)
        assert page.inner_text("#live-hit-rate") == "50.0%"
        assert page.locator("#cache-live svg rect.chart-hit").count() == 1
        assert page.locator("#cache-live svg rect.chart-miss").count() == 1
        assert "p50" in page.inner_text("#live-latency")
        shot = tmp_path / "screenshot-admin-dashboard.png"
        page.locator(".cache-live").screenshot(path=str(shot))
        if os.getenv("SAVE_SCREENSHOTS") == "1":
            shutil.copy(shot, DOCS / "screenshot-admin-dashboard.png")
    assert not [text for text in problems if "Content Security Policy" in text], problems
