"""Grounding regexes on hostile input: linear in a long digit run or a long token.

Regression: MONEY_RE/PERCENT_RE retried a number from every digit of a long run, and
URL_EMAIL_RE/SCHOOL_RE/CERT_RE rescanned one long token from each of its characters, so a
30,000-digit resume (within RESUME_MAX_CHARS) blocked the server's event loop for minutes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from optimizer.analysis import patterns

BASE_DIR = Path(__file__).resolve().parent.parent

HOSTILE = """
import re
from optimizer.analysis.patterns import CERT_RE, MONEY_RE, PERCENT_RE, SCHOOL_RE, URL_EMAIL_RE
for pattern in (MONEY_RE, PERCENT_RE, URL_EMAIL_RE, SCHOOL_RE, CERT_RE):
    for text in ("0" * 30000, "1," * 15000, "A" * 30000, "x" * 30000):
        list(pattern.finditer(text))
"""


def test_the_patterns_finish_on_30000_character_tokens_within_a_deadline() -> None:
    # A deadline, not a speed claim: before the fix this took minutes; now well under a second.
    subprocess.run(
        [sys.executable, "-c", HOSTILE], cwd=BASE_DIR, check=True, timeout=60, capture_output=True
    )


def test_the_patterns_still_find_numbers_emails_schools_and_certifications() -> None:
    def found(pattern: object, text: str) -> list[str]:
        return [m.group(0) for m in pattern.finditer(text)]  # type: ignore[attr-defined]

    assert found(patterns.MONEY_RE, "Saved $1,200,000 and 300 dollars") == [
        "$1,200,000",
        "300 dollars",
    ]
    assert found(patterns.PERCENT_RE, "cut costs 35%, churn by 12.5 percent") == [
        "35%",
        "12.5 percent",
    ]
    assert found(patterns.PERCENT_RE, "costs,50% and 1,000%") == ["50%", "1,000%"]
    assert found(patterns.URL_EMAIL_RE, "mail (jane@example.com) or example.org/x") == [
        "(jane@example.com)",
        "example.org/x",
    ]
    assert found(patterns.SCHOOL_RE, "B.Sc., Technical University of Munich") == [
        "Technical University of Munich"
    ]
    assert "AWS Solutions Architect Certification" in " ".join(
        found(patterns.CERT_RE, "Holds the AWS Solutions Architect Certification today")
    )
