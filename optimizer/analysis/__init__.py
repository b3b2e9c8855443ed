"""Pure-Python analysis of optimizer output: match score, grounding check, word diff.

No LLM calls, no Django, no network: every function is deterministic and returns
JSON-serializable data (dicts/lists, or dataclasses with ``to_dict()``).
"""

from __future__ import annotations

from .diff import annotate_unsupported, word_diff
from .grounding import (
    BLOCKING_KINDS,
    GroundingFlag,
    GroundingStream,
    ResumeGrounding,
    check_grounding,
    is_blocking,
)
from .score import MatchReport, Requirement, compare_scores, extract_requirements, match_score
from .sections import section_end, section_heading

__all__ = [
    "BLOCKING_KINDS",
    "GroundingFlag",
    "GroundingStream",
    "MatchReport",
    "Requirement",
    "ResumeGrounding",
    "annotate_unsupported",
    "check_grounding",
    "compare_scores",
    "extract_requirements",
    "is_blocking",
    "match_score",
    "section_end",
    "section_heading",
    "word_diff",
]
