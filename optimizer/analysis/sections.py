"""The three sections of the optimizer's answer, told apart by their heading lines."""

from __future__ import annotations

import re

# Any case, up to six leading #s, bold/italic markers, an optional trailing colon.
_HEADING = re.compile(
    r"^\s*#{0,6}\s*[*_]{0,3}\s*(optimi[sz]ed resume|changes made|expected improvements?)"
    r"\s*[*_]{0,3}\s*:?\s*[*_]{0,3}\s*$",
    re.IGNORECASE,
)


def section_heading(line: str) -> str | None:
    """The section a heading line opens ("OPTIMIZED RESUME", ...), or None for other lines."""
    match = _HEADING.match(line)
    if not match:
        return None
    name = match.group(1).upper().replace("OPTIMISED", "OPTIMIZED")
    return "EXPECTED IMPROVEMENT" if name.startswith("EXPECTED") else name


def section_end(text: str) -> int | None:
    """Offset of the first CHANGES MADE / EXPECTED IMPROVEMENT heading line in text, if any."""
    offset = 0
    for line in text.splitlines(keepends=True):
        if section_heading(line) in ("CHANGES MADE", "EXPECTED IMPROVEMENT"):
            return offset
        offset += len(line)
    return None
