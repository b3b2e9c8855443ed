"""Repair the text a PDF gives back, so it reads like the resume its author wrote.

A PDF stores positioned words, not paragraphs. Read naively, a justified two-column resume
comes back with wide gaps between words, words split by a hyphen at the end of a line, every
sentence broken where the line wrapped, and the two columns interleaved line by line. Here:

- ``page_text`` reads a page in column order when it finds a gutter (else pypdf's own order);
- ``repair_text`` collapses justified spacing, joins end-of-line hyphenation and rejoins
  sentences broken by line wraps, leaving names, contact lines, headings and bullets alone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .lines import looks_like_heading

if TYPE_CHECKING:
    from pypdf import PageObject

# A column must start at the same x on this many rows to count as one.
MIN_COLUMN_ROWS = 3
# DejaVu/Helvetica-like fonts average about half an em per character: enough to tell whether
# a fragment runs across the gutter, which is all the estimate is used for.
AVERAGE_CHAR_EM = 0.5


@dataclass(frozen=True, slots=True)
class Fragment:
    text: str
    x: float
    y: float
    size: float

    @property
    def end(self) -> float:
        return self.x + len(self.text.strip()) * self.size * AVERAGE_CHAR_EM


def _fragments(page: PageObject) -> list[Fragment]:
    found: list[Fragment] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if not text.strip():
            return
        # Text space to page space: the text matrix, then the current transformation matrix.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or 1.0
        found.append(Fragment(text.replace("\n", " "), x, y, (size or 10.0) * scale))

    page.extract_text(visitor_text=visit)
    return found


def _rows(fragments: list[Fragment]) -> list[list[Fragment]]:
    """Fragments grouped into rows by baseline, top of the page first, each row left to right."""
    rows: list[list[Fragment]] = []
    for fragment in sorted(fragments, key=lambda f: -f.y):
        if rows and abs(rows[-1][0].y - fragment.y) <= fragment.size * 0.4:
            rows[-1].append(fragment)
        else:
            rows.append([fragment])
    return [sorted(row, key=lambda f: f.x) for row in rows]


def _gutter(rows: list[list[Fragment]]) -> float | None:
    """The x where a second column starts, or None for a single-column page.

    A candidate is an x where fragments start on several rows, right of the row's first
    fragment; it is a column only if no fragment on any row runs across it.
    """
    starts: Counter[int] = Counter()
    for row in rows:
        for fragment in row[1:]:
            if fragment.x - row[0].x > fragment.size * 8:
                starts[round(fragment.x)] += 1
    for x, count in starts.most_common(5):
        if count < MIN_COLUMN_ROWS:
            break
        crossed = any(f.x < x - 1 and f.end > x + f.size * 0.5 for row in rows for f in row)
        if not crossed:
            return float(x)
    return None


def _row_text(fragments: list[Fragment]) -> str:
    # pypdf already put a space in front of a fragment that starts a new word.
    return "".join(f.text for f in fragments).strip()


def page_text(page: PageObject) -> str:
    """A page's text, one column after the other when it has two."""
    fallback = page.extract_text() or ""
    try:
        fragments = _fragments(page)
    except Exception:  # a damaged content stream: pypdf's plain order is the best we have
        return fallback
    rows = _rows(fragments)
    gutter = _gutter(rows)
    if gutter is None:
        return fallback
    left = [_row_text([f for f in row if f.x < gutter - 1]) for row in rows]
    right = [_row_text([f for f in row if f.x >= gutter - 1]) for row in rows]
    # Rows with text in one column only leave the other column's line empty: drop those.
    return "\n".join([*filter(None, left), "", *filter(None, right)])


# --------------------------------------------------------------------------- text repair

_GAPS_RE = re.compile(r"(?<=\S)[ \t]{2,}(?=\S)")
_SENTENCE_END = tuple(".!?:;")
_CONTACT_HINT_RE = re.compile(r"@|https?://|www\.|\s\|\s")


def _starts_block(line: str) -> bool:
    """A line that begins something of its own: a bullet, a heading, a contact detail."""
    return (
        line.startswith(("- ", "• ", "* "))
        or looks_like_heading(line)
        or bool(_CONTACT_HINT_RE.search(line))
    )


def repair_text(text: str) -> str:
    """Collapse justified gaps, join hyphenated line ends, rejoin wrapped sentences."""
    out: list[str] = []
    for raw in text.split("\n"):
        line = _GAPS_RE.sub(" ", raw.strip())
        previous = out[-1] if out else ""
        continues = (
            len(out) > 1  # never onto the name line
            and line[:1].islower()
            and previous
            and not previous.endswith(_SENTENCE_END)
            and not looks_like_heading(previous)
            and not _starts_block(line)
        )
        if continues and re.search(r"[a-z]-$", previous):
            out[-1] = previous[:-1] + line  # "re-" + "duced" -> "reduced"
        elif continues:
            out[-1] = previous + " " + line
        else:
            out.append(line)
    return "\n".join(out)
