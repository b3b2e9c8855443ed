"""Which lines a pattern can match: its *cue words*, and the lines near them.

Each large pattern of the grounding check holds, in every match, a word from a short list (a team
size holds "team" or a noun for people, a language is its name). Before such a pattern scans a
30,000-character resume, the lines that hold none of its cue words, and are too far from one for a
match to reach them, are replaced by a NUL. Scanning what is left finds exactly the matches the
whole text has: a pattern never matches a NUL, and a match that crosses line breaks ("team of\\n8")
spans at most ``reach`` words, so the lines it touches are kept. Python's ``re`` tries a
case-insensitive alternation at every position of the text (~1 µs each), so this is most of what
reading the original costs; telling which lines hold a cue costs one ``findall`` per line.

A cue word is a maximal run of letters, compared after ``fold``: what the patterns'
``re.IGNORECASE`` treats as equal stays equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

LETTERS_RE = re.compile(r"[^\W\d_]+")


def fold(text: str) -> str:
    """``text`` lower-cased as ``re.IGNORECASE`` compares letters: it also takes dotted capital
    I, dotless i and long s for i, i and s (str.lower() alone does not)."""
    return text.replace("\u0130", "i").lower().replace("\u0131", "i").replace("\u017f", "s")


# The original's lines are looked up by several patterns, each unit of the rewrite by several
# finders: each line is read once. analysis.clear_caches() empties it.
@lru_cache(maxsize=16384)
def letter_words(line: str) -> frozenset[str]:
    """The runs of letters of ``line``, folded: what its cue words are looked up in."""
    return frozenset(LETTERS_RE.findall(fold(line)))


def cue_words(phrases: Iterable[str]) -> frozenset[str]:
    """One cue word per phrase of a pattern's alternation: its longest run of letters (a match of
    "direct reports" holds the word "reports"; the longest, as the rarest in a text)."""
    out = set()
    for phrase in phrases:
        runs = LETTERS_RE.findall(fold(phrase))
        if not runs:
            raise ValueError(f"{phrase!r} has no letters to look for")
        out.add(max(runs, key=len))
    return frozenset(out)


def lines_near(lines: list[str], cue: list[bool], reach: int) -> str:
    """``lines`` joined by newlines, each line that no match can touch replaced by a NUL.

    ``cue[i]``: line ``i`` holds a cue word. ``reach``: the most words (runs of non-space) one
    match spans. A match that holds a cue on line ``i`` and touches line ``j`` covers a word of
    each and every word of the lines between, so line ``j`` is kept when those lines hold at most
    ``reach - 2`` words."""
    n = len(lines)
    words = [len(line.split()) for line in lines]
    keep = list(cue)
    for order in (range(n), range(n - 1, -1, -1)):
        between = None  # words since the last cue line, in this direction
        for i in order:
            if cue[i]:
                between = 0
                continue
            if between is not None:
                if between <= reach - 2:
                    keep[i] = True
                between += words[i]
    return "\n".join(line if keep[i] else "\x00" for i, line in enumerate(lines))
