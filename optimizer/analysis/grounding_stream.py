"""The grounding check over a stream of text deltas.

Text is checked in *units*: lines, further split at sentence-ending punctuation followed by
whitespace and an uppercase letter or digit (not after abbreviations such as "B.S." or
"Inc."). ``GroundingStream`` finds unit ends incrementally, so streaming and batch results
are identical. ``ResumeGrounding`` checks only the OPTIMIZED RESUME section of an answer.
"""

from __future__ import annotations

import re
import weakref
from datetime import date

from . import patterns as p
from .claims import Unit, check_unit
from .evidence import Evidence
from .flags import GroundingFlag, make_flag
from .sections import section_end

# The claims found in each unit, per reading of an original: a unit's claims depend only on
# the unit and that reading, so the final check of a finished generation finds those of the
# streamed check here instead of checking every line again (half the CPU after the last
# chunk). Bounded per original; gone with its Evidence.
_checked: weakref.WeakKeyDictionary[Evidence, dict[tuple, list]] = weakref.WeakKeyDictionary()
CHECKED_UNITS_PER_ORIGINAL = 4096


def _claims_of(unit_key: tuple[str, bool, bool, str, bool], ev: Evidence) -> list:
    """The unit's claims, in the order of their place in it (checked once per reading)."""
    memo = _checked.setdefault(ev, {})
    claims = memo.get(unit_key)
    if claims is None:
        piece, line_start, bullet, section, first = unit_key
        unit = Unit(piece, line_start, bullet, section, first=first)
        check_unit(unit, ev)
        claims = sorted(unit.claims, key=lambda c: c[0])
        if len(memo) >= CHECKED_UNITS_PER_ORIGINAL:
            memo.clear()
        memo[unit_key] = claims
    return claims


def _display(sentence: str) -> str:
    s = p.BULLET_RE.sub("", sentence).strip()
    return s.rstrip(".;: ").strip()


# Where a unit can end: a line break, or sentence punctuation before a space or tab.
_UNIT_END_RE = re.compile(r"\n|[.!?](?=[ \t])")


def _split_point(buf: str, final: bool) -> tuple[int, int] | None:
    """Find the next unit end in ``buf``: (unit_end, next_start), or None if undecided."""
    n = len(buf)
    for candidate in _UNIT_END_RE.finditer(buf):  # not a Python loop over every character
        i = candidate.start()
        if buf[i] == "\n":
            return i, i + 1
        j = i + 1
        while j < n and buf[j] in " \t":
            j += 1
        if j >= n:
            if not final:
                return None
            return i + 1, n
        nxt = buf[j]
        start = i  # the word the punctuation ends (a backward walk, not a search of all of buf)
        while start > 0 and not buf[start - 1].isspace():
            start -= 1
        word = buf[start : i + 1].lower().rstrip(".!?")
        abbreviation = word in p.ABBREVS or "." in word or len(word) == 1
        if (
            nxt != "\n"
            and (nxt.isupper() or nxt.isdigit() or nxt in "$\u20ac\u00a3")
            and not abbreviation
        ):
            return i + 1, j
    return None


class GroundingStream:
    """Incremental grounding check over text deltas (any boundaries, even mid-word)."""

    def __init__(
        self,
        original: str,
        *,
        job: str | None = None,
        today: date | None = None,
        evidence: Evidence | None = None,
    ) -> None:
        # evidence: the original's, already read (the streamed check's, for the final one)
        self._ev = evidence or Evidence(original, job=job, today=today)
        self._buf = ""
        self._line_start = True
        self._bullet = False
        self._section = ""
        self._seen: set[tuple[str, str, str]] = set()
        self._started = False

    @property
    def evidence(self) -> Evidence:
        return self._ev

    def feed(self, delta: str) -> list[GroundingFlag]:
        self._buf += delta
        return self._drain(final=False)

    def finish(self) -> list[GroundingFlag]:
        flags = self._drain(final=True)
        if self._buf.strip():
            flags.extend(self._unit(self._buf, whole_line=self._line_start))
        self._buf = ""
        self._line_start = True
        return flags

    def _drain(self, final: bool) -> list[GroundingFlag]:
        flags: list[GroundingFlag] = []
        while True:
            point = _split_point(self._buf, final)
            if point is None:
                return flags
            end, nxt = point
            piece = self._buf[:end]
            newline = nxt > 0 and self._buf[nxt - 1] == "\n"
            self._buf = self._buf[nxt:]
            flags.extend(self._unit(piece, whole_line=self._line_start and newline))
            if newline:
                self._line_start, self._bullet = True, False
            if not self._buf and not newline and final:
                return flags

    def _unit(self, piece: str, *, whole_line: bool = False) -> list[GroundingFlag]:
        line_start = self._line_start
        if line_start:
            self._bullet = p.BULLET_RE.match(piece) is not None
            section = p.heading_section(piece)
            if section is not None:
                self._section = section
                self._line_start = False
                return []
        self._line_start = False
        if not piece.strip():
            return []
        section = self._section
        shown = piece
        inline = re.match(r"\s*([^\W\d_][\w &]*):", piece) if line_start else None
        if inline and p.heading_section(inline.group(1)) is not None:
            section = self._section = p.heading_section(inline.group(1)) or section
            piece = " " * inline.end() + piece[inline.end() :]
        first = not self._started
        self._started = True
        if whole_line and self._ev.has_line(shown):
            # A line of the original, word for word: each claim in it is the original's own,
            # with its qualifiers, so there is nothing to check (about half the lines of an
            # honest rewrite, and half the check's time on a long resume).
            return []
        claims = _claims_of((piece, line_start, self._bullet, section, first), self._ev)
        sentence = _display(shown)
        out: list[GroundingFlag] = []
        for _, kind, phrase, supported in claims:
            if supported:
                continue
            key = (kind, phrase.lower(), sentence)
            if key in self._seen:
                continue
            self._seen.add(key)
            out.append(make_flag(kind, phrase, sentence, self._blocking(kind, phrase)))
        return out

    def _blocking(self, kind: str, phrase: str) -> bool:
        if kind != "date":
            return True
        years = self._ev.years
        found = [int(y) for y in re.findall(r"\d{4}", phrase)]
        return not years or any(y < min(years) or y > max(years) for y in found)


class ResumeGrounding:
    """Grounding flags for the OPTIMIZED RESUME section, as soon as each line is complete.

    Only whole lines of the resume section are fed, so the CHANGES MADE section (where missing
    keywords are suggested, not claimed) is never checked as if it were the resume. A message
    is returned once, however often its claim recurs.
    """

    def __init__(self, original: str, *, job: str | None = None) -> None:
        self.stream = GroundingStream(original, job=job)
        self.text = ""
        self.fed = 0
        self.done = False
        self.messages: set[str] = set()

    def feed(self, delta: str) -> list[GroundingFlag]:
        if self.done:
            return []
        self.text += delta
        end = self.text.rfind("\n") + 1
        if end <= self.fed:
            return []
        complete = self.text[self.fed : end]
        cut = section_end(complete)
        if cut is not None:
            complete = complete[:cut]
            self.done = True
        self.fed = end
        flags = self.stream.feed(complete)
        if self.done:
            flags += self.stream.finish()
        return self._new(flags)

    def finish(self) -> list[GroundingFlag]:
        if self.done:
            return []
        self.done = True
        rest = self.text[self.fed :]
        cut = section_end(rest)
        flags = self.stream.feed(rest[:cut] if cut is not None else rest) + self.stream.finish()
        return self._new(flags)

    def _new(self, flags: list[GroundingFlag]) -> list[GroundingFlag]:
        fresh = [flag for flag in flags if flag.message not in self.messages]
        self.messages.update(flag.message for flag in fresh)
        return fresh
