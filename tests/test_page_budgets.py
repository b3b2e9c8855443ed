"""The web page's own budgets (optimizer/llm/budget.py): WEB_DAILY_BUDGET_USD for the page's
requests together and WEB_SESSION_DAILY_BUDGET_USD per browser session. Over one, the job
fails on the page with a clear message (the failed panel) and no upstream call; a cache hit
still passes."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from django.test import Client
from samples import JOB, RESUME
from test_pages import _run

from optimizer import services
from optimizer.llm import budget
from optimizer.models import Optimization

pytestmark = pytest.mark.django_db


def worst_case(resume: str = RESUME) -> float:
    estimate = budget.estimate_usd(
        services.build_llm_request(services.OptimizeRequest(resume, JOB))
    )
    assert estimate is not None
    return estimate


def refused(client: Client, **form: Any) -> str:
    """Runs a job on the page that must be refused for budget; returns its failed panel."""
    job, events = _run(client, **form)
    assert job.status == Optimization.Status.FAILED
    assert job.error_code == "budget_exceeded"
    assert "done" not in dict(events)
    return unescape(dict(events)["failed"])


def test_the_page_budget_refuses_every_session_without_a_call(
    use_anthropic: Any, settings: Any
) -> None:
    settings.WEB_DAILY_BUDGET_USD = worst_case() / 2
    panel = refused(Client())
    assert "The web page's daily LLM budget of $" in panel
    assert "resets at 00:00 UTC" in panel and "budget_exceeded" in panel
    assert "The web page&#x27;s" not in panel  # escaped once, not twice
    assert "web page's daily" in refused(Client())  # another session shares it
    assert use_anthropic.calls == 0


def test_the_session_budget_refuses_that_session_only(use_anthropic: Any, settings: Any) -> None:
    # Room for one worst case per session: after it settles, the session's next one won't fit.
    settings.WEB_SESSION_DAILY_BUDGET_USD = worst_case() * 1.001
    first = Client()
    job, _ = _run(first)
    assert job.status == Optimization.Status.DONE
    panel = refused(first, resume_raw_text=f"{RESUME}\nReference 2")
    assert "The browser session's daily LLM budget of $" in panel
    assert use_anthropic.calls == 1
    other, _ = _run(Client(), resume_raw_text=f"{RESUME}\nReference 2")
    assert other.status == Optimization.Status.DONE
    assert use_anthropic.calls == 2


def test_a_cache_hit_passes_on_the_page_over_its_budgets(use_anthropic: Any, settings: Any) -> None:
    client = Client()
    assert _run(client)[0].status == Optimization.Status.DONE
    settings.WEB_DAILY_BUDGET_USD = 0.000001
    settings.WEB_SESSION_DAILY_BUDGET_USD = 0.000001
    refused(client, resume_raw_text=f"{RESUME}\nReference 2")
    hit, _ = _run(client)
    assert hit.status == Optimization.Status.DONE and hit.cached
    assert use_anthropic.calls == 1


def test_the_page_budgets_do_not_count_api_requests(
    use_anthropic: Any, settings: Any, admin_api_key: str
) -> None:
    settings.WEB_DAILY_BUDGET_USD = 0.000001
    response = Client().post(
        "/api/v1/generate",
        {"resume_raw_text": RESUME, "job_description_text": JOB},
        content_type="application/json",
        headers={"X-API-Key": admin_api_key},
    )
    assert response.status_code == 200
    assert use_anthropic.calls == 1
