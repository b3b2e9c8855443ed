"""Repetitive input within the size limits must not make the analysis quadratic.

These inputs once took 18-54 s (difflib without autojunk, a list scan per claimed span); they
now take well under a second each. No timing assert: a regression shows as a suite that hangs.
"""

from __future__ import annotations

import pytest

from optimizer.analysis import check_grounding, compare_scores, word_diff

CASES = [("Aa " * 10000, "B" * 20000), ("0," * 15000, "1." * 10000), ("1 2 " * 7500, "%" * 20000)]


@pytest.mark.parametrize(("resume", "job"), CASES)
def test_the_analysis_handles_repetitive_input(resume: str, job: str) -> None:
    changed = resume.replace("A", "B", 100)
    ops = word_diff(resume, changed)
    assert "".join(op["text"] for op in ops if op["op"] != "insert") == resume
    assert "".join(op["text"] for op in ops if op["op"] != "delete") == changed
    assert check_grounding(resume, resume) == []
    assert 0 <= compare_scores(resume, changed, job)["after"] <= 100
