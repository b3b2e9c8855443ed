"""Pure-Python analysis of optimizer output: match score, grounding check, word diff."""

from __future__ import annotations

from .score import MatchReport, Requirement, compare_scores, extract_requirements, match_score

__all__ = ["MatchReport", "Requirement", "compare_scores", "extract_requirements", "match_score"]
