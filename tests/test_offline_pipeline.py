"""With no Anthropic key the offline engine answers through the same pipeline."""

from __future__ import annotations

import pytest

from optimizer import services
from optimizer.health import health
from optimizer.llm.client import OfflineProvider, get_provider

pytestmark = pytest.mark.django_db

RESUME = """Jane Doe
jane@example.com
Work History
Software Engineer — Acme Corp (01/2019 – Present)
• Wrote internal tools in Go
• Built Django REST APIs for billing
Technical Skills
Go, Docker, Python, Django, PostgreSQL
"""
JOB = "Senior Python Developer\nRequired: Python, Django, PostgreSQL, Kubernetes."


async def test_the_offline_provider_is_the_default_without_a_key() -> None:
    assert isinstance(get_provider(), OfflineProvider)
    document = await health()
    assert document["provider"] == "offline" and document["model"] == "offline-ats-v2"
    assert document["llm_available"] is True


async def test_it_streams_a_three_section_answer_with_zero_cost() -> None:
    events = [e async for e in services.stream(services.OptimizeRequest(RESUME, JOB))]
    assert events[0].type == "start" and events[-1].type == "done"
    chunks = [e.data["content"] for e in events if e.type == "chunk"]
    assert len(chunks) > 5  # streamed line by line, not in one piece
    result = events[-1].data["result"]
    usage = result["usage_stats"]
    assert (usage["provider"], usage["model"], usage["cost_usd"]) == (
        "offline",
        "offline-ats-v2",
        0.0,
    )
    assert (usage["input_tokens"], usage["output_tokens"]) == (0, 0)
    assert "EXPERIENCE" in result["optimized_resume"] and "Acme Corp" in result["optimized_resume"]
    assert "Kubernetes" not in result["optimized_resume"]  # suggested, never claimed
    assert any("Kubernetes" in change for change in result["changes_made"])


async def test_offline_results_are_cached_and_deterministic() -> None:
    first = await services.generate(services.OptimizeRequest(RESUME, JOB))
    second = await services.generate(services.OptimizeRequest(RESUME, JOB))
    assert second["usage_stats"]["cached"] is True
    assert first["optimized_resume"] == second["optimized_resume"]
