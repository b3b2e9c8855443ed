"""Grounding check: flag facts in an optimized resume that the original does not support.

A *claim* is a number, percentage, money amount, team size, date, duration, employer,
job title, degree, school, certification or named skill/tool found in the optimized
text. A claim is *supported* when the same fact appears in the original after
normalization (number formats, "40%"/"40 percent", "$1.2M"/"$1,200,000", month names,
date ranges, skill aliases, case and punctuation). Every unsupported claim becomes a
``GroundingFlag``.

Message format: ``Unsupported {label} "{phrase}" in "{sentence}"`` where label is
``KIND_LABELS[kind]``. Percentages use the label "number" (kind stays "percentage"),
so "Cut costs by 40%" gives ``Unsupported number "40%" in "Cut costs by 40%"``.

Where the parts live: ``patterns.py`` (what each fact looks like, word lists in
``data/``), ``claims.py`` (a finder per kind), ``evidence.py`` (support in the original),
``grounding_stream.py`` (units, streaming), ``flags.py`` (the result).
"""

from __future__ import annotations

from datetime import date

from .evidence import Evidence
from .flags import BLOCKING_KINDS, KIND_LABELS, GroundingFlag, is_blocking, make_flag
from .grounding_stream import GroundingStream, ResumeGrounding

__all__ = [
    "BLOCKING_KINDS",
    "KIND_LABELS",
    "GroundingFlag",
    "GroundingStream",
    "ResumeGrounding",
    "check_grounding",
    "is_blocking",
    "make_flag",
]


def check_grounding(
    original: str,
    optimized: str,
    *,
    job: str | None = None,
    today: date | None = None,
    evidence: Evidence | None = None,
) -> list[GroundingFlag]:
    """Flags for every claim in ``optimized`` with no support in ``original``.

    ``job``: the job description, whose terms the rewrite must not claim unless the original
    has them. ``today``: the date "Present" means, for durations (default: the current date).
    ``evidence``: ``original`` already read for the same job and day (a ``GroundingStream``'s),
    which is most of the check's work on a long resume.
    """
    stream = GroundingStream(original, job=job, today=today, evidence=evidence)
    flags = stream.feed(optimized)
    flags.extend(stream.finish())
    return flags
