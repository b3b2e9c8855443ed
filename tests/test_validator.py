"""optimizer/llm/validator.py: length, harmful content, fabrication, sanitising, sections, quality.

The seed's nine tests, plus the validator in the pipeline (a hostile answer is flagged, sanitised
and not cached).
"""

from __future__ import annotations

from typing import Any

import pytest
from samples import JOB, RESUME

from optimizer import services
from optimizer.llm.validator import ResponseValidator

GOOD_RESPONSE = """OPTIMIZED RESUME
Jane Doe
Senior Python Developer

SUMMARY
Python developer with 6 years of Django and PostgreSQL experience.

EXPERIENCE
Senior Developer — Acme Corp (Jan 2019 – Mar 2023)
- Built Django REST APIs used by 40,000 customers
- Cut page load time by 35% with Redis caching

CHANGES MADE
- Moved Python and Django to the top of the skills list
- Consider adding Kubernetes if it is true for you

EXPECTED IMPROVEMENT
The resume now uses the job's own keywords for skills the candidate has.
"""


def test_it_accepts_a_valid_response() -> None:
    assert ResponseValidator().validate(GOOD_RESPONSE) == (True, [])


def test_it_flags_an_empty_response() -> None:
    is_valid, issues = ResponseValidator().validate("")
    assert not is_valid
    assert issues == ["Response too short"]


def test_it_checks_both_length_limits() -> None:
    validator = ResponseValidator(min_length=10, max_length=50)
    assert validator.validate("short") == (False, ["Response too short"])
    assert validator.validate("x" * 51) == (False, ["Response too long"])
    assert validator.validate("x" * 30) == (True, [])


def test_it_detects_harmful_content() -> None:
    is_valid, issues = ResponseValidator().validate(
        GOOD_RESPONSE + '<script>steal()</script> <a href="javascript:x()">x</a> <img onerror=y()>'
    )
    assert not is_valid
    assert "Harmful pattern detected: <script[^>]*>.*?</script>" in issues
    assert "Harmful pattern detected: javascript\\s*:" in issues
    assert any(issue.startswith("Harmful pattern detected: \\bon(") for issue in issues)


def test_it_detects_fabrication_indicators() -> None:
    text = GOOD_RESPONSE + "\nI cannot verify the dates, and I don't have access to the portfolio."
    is_valid, issues = ResponseValidator().validate(text)
    assert not is_valid
    assert "Uncertainty phrase detected: 'I cannot verify'" in issues
    assert "Uncertainty phrase detected: 'I don't have access'" in issues
    off = ResponseValidator(check_fabrication=False, check_harmful=False)
    assert off.validate(text + "<script>x</script>") == (True, [])


def test_it_sanitizes_the_seed_example() -> None:
    dirty = "Resume text <script>steal_data()</script> more content"
    assert ResponseValidator().sanitize(dirty) == "Resume text  more content"


def test_it_sanitizes_handlers_urls_and_tags_but_keeps_plain_text() -> None:
    validator = ResponseValidator()
    dirty = (
        'Lead <b>engineer</b> <img src=x onerror="alert(1)"> <a href="javascript:alert(1)">me</a>'
    )
    clean = validator.sanitize(dirty)
    assert "<" not in clean and "onerror" not in clean and "javascript:" not in clean
    assert "Lead engineer" in clean and "me" in clean
    assert validator.sanitize("AT&T, C++ & 5 < 10 — café") == "AT&T, C++ & 5 < 10 — café"
    nested = "<scr<script>x</script>ipt>alert(1)</script>"
    assert "<script" not in validator.sanitize(nested).lower()


def test_it_extracts_the_three_sections() -> None:
    sections = ResponseValidator().extract_structured_response(GOOD_RESPONSE)
    assert sections["optimized_resume"].startswith("Jane Doe")
    assert "CHANGES MADE" not in sections["optimized_resume"]
    assert sections["changes_made"] == [
        "Moved Python and Django to the top of the skills list",
        "Consider adding Kubernetes if it is true for you",
    ]
    assert sections["expected_improvement"].startswith("The resume now uses")


def test_it_assesses_quality() -> None:
    metrics = ResponseValidator().assess_quality(GOOD_RESPONSE)
    assert set(metrics) == {
        "length",
        "has_structure",
        "has_bullets",
        "has_numbers",
        "quality_score",
    }
    assert metrics["length"] == len(GOOD_RESPONSE)
    assert metrics["has_structure"] and metrics["has_bullets"] and metrics["has_numbers"]
    poor = ResponseValidator().assess_quality("just a sentence")
    assert not poor["has_structure"] and not poor["has_bullets"] and not poor["has_numbers"]
    assert 0 <= poor["quality_score"] < metrics["quality_score"] <= 1


# -- in the pipeline -----------------------------------------------------------------------------


@pytest.mark.django_db
async def test_it_runs_the_full_pipeline_with_validation(use_anthropic: Any) -> None:
    from optimizer.testing.fake_anthropic import FakeReply

    hostile = GOOD_RESPONSE.replace("EXPERIENCE", "<script>steal()</script>EXPERIENCE")
    use_anthropic.enqueue(FakeReply(text=hostile))
    events = [e async for e in services.stream(services.OptimizeRequest(RESUME, JOB))]
    kinds = [e.type for e in events]
    assert kinds[0] == "start" and kinds[-1] == "done"
    assert "warning" in kinds
    issues = [issue for e in events if e.type == "warning" for issue in e.data["issues"]]
    assert "Harmful pattern detected: <script[^>]*>.*?</script>" in issues
    result = events[-1].data["result"]
    assert "<script>" not in result["optimized_resume"]
    assert "".join(e.data["content"] for e in events if e.type == "chunk") == hostile
    assert result["is_valid"] is False
    # An invalid result is not cached: the next identical request calls upstream again.
    await services.generate(services.OptimizeRequest(RESUME, JOB))
    assert use_anthropic.calls == 2
