"""Pure-Python analysis of optimizer output: match score, grounding check, word diff.

No LLM calls, no Django, no network: every function is deterministic and returns
JSON-serializable data (dicts/lists, or dataclasses with ``to_dict()``).
"""

from __future__ import annotations

from . import cues, evidence, facts, grounding_stream, patterns, score, text
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


def clear_caches() -> None:
    """Empty every memo of the analysis (tokenized lines, per-line readings): a benchmark's
    cold run, or a test that counts work."""
    text._canonical.cache_clear()
    text._tokens.cache_clear()
    cues.letter_words.cache_clear()
    facts._find_degrees.cache_clear()
    text.stem.cache_clear()
    text.keys_of.cache_clear()
    evidence.gkeys.cache_clear()
    score.clear_caches()
    patterns.value.cache_clear()
    patterns.heading_section.cache_clear()
    evidence._reading.cache_clear()
    grounding_stream._checked.clear()


__all__ = [
    "BLOCKING_KINDS",
    "GroundingFlag",
    "GroundingStream",
    "MatchReport",
    "Requirement",
    "ResumeGrounding",
    "annotate_unsupported",
    "check_grounding",
    "clear_caches",
    "compare_scores",
    "extract_requirements",
    "is_blocking",
    "match_score",
    "section_end",
    "section_heading",
    "word_diff",
]
