"""The evidence check: the facts of the original resume, normalized, and whether they support a
claim (same number in any format, same date, same skill after aliases...).

Support is read in context: a passage the original weakens ("CPA candidate", "familiar with
Python", "BSN (in progress)", data/qualifiers.txt) supports a claim only when the rewrite keeps a
qualifier too (``strong`` lines are the original without those passages).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

from . import data
from . import patterns as p
from .cues import cue_words, fold, letter_words, lines_near
from .facts import YEAR
from .text import _scan, clean, contains_seq, keys_of, keys_of_text, stem

_QUALIFIERS = [line.split(None, 1) for line in data.entries("qualifiers")]
_BEFORE = p._alt(q for side, q in _QUALIFIERS if side == "before")
_AFTER = p._alt(q for side, q in _QUALIFIERS if side == "after")
_CLAUSE = r"[,;:()|\u00b7\u2022\u2013\u2014\n]"
# "familiar with Python, Go" -> the rest of the clause; "CPA candidate" -> the clause before it.
_BEFORE_RE = re.compile(rf"(?<![\w])(?:{_BEFORE})(?![\w])[^.;|\n]*", re.IGNORECASE)
_AFTER_RE = re.compile(rf"(?<![\w])(?:{_AFTER})(?![\w])", re.IGNORECASE)
QUALIFIER_RE = re.compile(rf"(?<![\w])(?:{_BEFORE}|{_AFTER})(?![\w])", re.IGNORECASE)
_QUALIFIER_CUES = cue_words(q for _side, q in _QUALIFIERS)


def has_qualifier(text: str) -> bool:
    """``text`` names a qualifier ("candidate", "familiar with"...)."""
    return not _QUALIFIER_CUES.isdisjoint(letter_words(text)) and bool(QUALIFIER_RE.search(text))


_LANGUAGES = {
    stem(name): i for i, line in enumerate(data.entries("languages")) for name in line.split()
}
LANGUAGE_RE = re.compile(
    rf"(?<![\w])(?:{p._alt(n for line in data.entries('languages') for n in line.split())})(?![\w])",
    re.IGNORECASE,
)
_LANGUAGE_CUES = cue_words(n for line in data.entries("languages") for n in line.split())
_MON = rf"(?:(?:{p.MONTH_ALT})\.?\s+(?:de\s+)?|(?:0?[1-9]|1[0-2])[/.])"
# A date range, with a month when there is one: "Jun 2018 - Present", "03/2019 - 02/2020".
SPAN_RE = re.compile(
    rf"(?P<ma>{_MON})?(?P<a>{YEAR})\s*(?:-|\u2013|\u2014|to|until|through|bis|hasta|a|au|\u00e0)\s*"
    rf"(?:(?P<mb>{_MON})?(?P<b>{YEAR})|(?P<now>{p.PRESENT_ALT}))(?![\w])"
    rf"|\b(?:since|seit|desde|depuis)\s+(?P<ma2>{_MON})?(?P<a2>{YEAR})",
    re.IGNORECASE,
)


# A date range holds two years, or a year and "present" or "since" (folded: see cues.py).
_SPAN_WORDS = (*(fold(w) for w in p.PRESENT_WORDS), "since", "seit", "desde", "depuis")


def _words_back(line: str, at: int, words: int) -> int:
    """Where the word ``words`` words before the one holding offset ``at`` starts (0 if none):
    words are runs of non-space, as between the parts of SPAN_RE."""
    i = at
    while i > 0 and not line[i - 1].isspace():
        i -= 1
    for _ in range(words):
        while i > 0 and line[i - 1].isspace():
            i -= 1
        while i > 0 and not line[i - 1].isspace():
            i -= 1
    return i


def _may_hold_span(line: str) -> bool:
    years = len(p.YEAR_IN_RE.findall(line))
    if years != 1:
        return years > 1
    folded = fold(line)
    return any(word in folded for word in _SPAN_WORDS)


@lru_cache(maxsize=1)
def _equivalents() -> tuple[dict[tuple[str, ...], tuple[str, ...]], int]:
    index: dict[tuple[str, ...], tuple[str, ...]] = {}
    for line in data.entries("equivalents"):
        variant, _, canon = line.partition("=")
        vk, ck = keys_of(variant, lenient=True), keys_of(canon, lenient=True)
        if vk and ck:
            index[vk] = ck
    return index, max(len(k) for k in index)


# Keys of "certified", "certification", "certificate", "license", "chartered", "Zertifikat",
# "certificado", "licencia", "Lizenz".
_CERT_PREFIXES = ("certifi", "licens", "licenc", "charter", "zertifi", "lizenz")


@lru_cache(maxsize=1)
def _junior_keys() -> frozenset[str]:
    return frozenset(k for word in data.words("junior_titles") for k in keys_of(word))


@lru_cache(maxsize=4096)
def gkeys(text: str) -> tuple[str, ...]:
    """``keys_of`` plus the grounding equivalences of data/equivalents.txt ("Rep" = "Representative")."""
    keys = keys_of(text)
    index, longest = _equivalents()
    if not any((k,) in index or k in _FIRST for k in keys):
        return keys
    out: list[str] = []
    for i, _length, target in _scan(keys, index, longest):
        out.extend(target if target is not None else (keys[i],))
    return tuple(out)


_FIRST = frozenset(k[0] for k in _equivalents()[0])


def _month_of(text: str | None) -> int | None:
    if not text:
        return None
    t = text.strip().rstrip("/.").lower()
    t = re.sub(r"\s+de$", "", t).rstrip(".")
    if t.isdigit():
        return int(t)
    return p.MONTHS.get(t)


def weaken(text: str) -> str:
    """``text`` without the passages its qualifiers weaken (offsets kept)."""
    # A qualifier weakens the rest of its line or its clause, never past a line break: only the
    # lines that name one are read (most lines name none; see cues.py).
    return "\n".join(
        line if _QUALIFIER_CUES.isdisjoint(letter_words(line)) else _weaken(line)
        for line in text.split("\n")
    )


def _weaken(text: str) -> str:
    # Both kinds are found in the text as written: "RN-to-BSN (in progress, ...)" has "in
    # progress" after the BSN it weakens, and before the words that follow it.
    out = list(_BEFORE_RE.sub(lambda m: " " * len(m.group(0)), text))
    for m in _AFTER_RE.finditer(text):
        start = m.start()
        before = text[:start]
        seg = re.search(rf"(?:^|{_CLAUSE})([^,;:()|\u00b7\u2022\u2013\u2014\n]*)\Z", before)
        a = seg.start(1) if seg else 0
        if seg and not seg.group(1).strip() and a > 0 and text[a - 1] == "(":
            seg = re.search(rf"(?:^|{_CLAUSE})([^,;:()|\u00b7\u2022\u2013\u2014\n]*)\(\Z", before)
            a = seg.start(1) if seg else 0
        for i in range(a, m.end()):
            out[i] = " "
    return "".join(out)


_FILLER = data.words("score_stopwords") | frozenset(
    "a an the and or of in on at for to with by from as per each every over across about more than "
    "up down from to into a year month week day quarter night shift".split()
)


def context_words(line: str) -> frozenset[str]:
    return frozenset(k for k in gkeys(line) if k.isalpha() and len(k) > 2 and k not in _FILLER)


_DIGIT_RE = re.compile(r"\d")
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_NUMBER_WORDS = frozenset(p.NUMBER_WORDS)


def numeric_lines(text: str) -> str:
    """``text`` with each line replaced by a NUL when neither it nor a line next to it holds a
    digit or a number word: the number, date and duration patterns then scan only the lines
    they can match (each costs ~10 ms on 30,000 characters, most of it on lines of prose). The
    neighbours stay because prose wraps: "I manage two\\ncoordinators" is a team of two. The NUL
    keeps the lines apart, so no pattern matches across a line that is gone."""
    lines = text.split("\n")
    has = [
        bool(_DIGIT_RE.search(line))
        or not _NUMBER_WORDS.isdisjoint(_LETTERS_RE.findall(line.lower()))
        for line in lines
    ]
    last = len(lines) - 1
    return "\n".join(
        line if has[i] or (i > 0 and has[i - 1]) or (i < last and has[i + 1]) else "\x00"
        for i, line in enumerate(lines)
    )


def _line_index(text: str) -> Callable[[int], int]:
    """The line (0-based) of an offset of ``text``."""
    starts = [0]
    at = text.find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return lambda offset: bisect.bisect_right(starts, offset) - 1


def _as_line(line: str) -> str:
    return " ".join(line.split()).casefold()


def _strip_legal(keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(k for k in keys if k.rstrip(".") not in p.LEGAL_SUFFIX)


# Readings of originals kept, each shared by every check of that resume (the jobs of a batch,
# each save on the review page, the offline engine's edits): up to ~1 MB each at the size limit.
READINGS = 8


class Evidence:
    """Facts of the original resume, normalized for support checks, and the job's own terms.

    What is read off the original is the same for every job: it is read once (``_reading``,
    cached for READINGS originals) and shared, so another check of the same resume (another
    job of a batch, another save on the review page) reads only the job."""

    def __init__(self, original: str, *, job: str | None = None, today: date | None = None) -> None:
        self.__dict__.update(_reading(original, today or date.today()).__dict__)
        # Names the job ad writes capitalized (tools, certifications) that the original lacks.
        self.job_terms = {
            k
            for w in re.findall(r"(?<![\w])[A-Z][\w+#.-]*[\w+#]", job or "")
            for k in gkeys(w)
            if len(k) > 2
        } - self.words

    def _read(self, original: str, today: date) -> None:
        """Everything but the job: never changed after (memo and _indexes only fill caches of
        what it already holds), so one reading serves checks on several threads."""
        self.today = today
        raw = clean(original)
        text = p.blank_links(raw)
        self.raw = raw
        self.raw_lower = raw.lower()
        self.memo: dict[str, Any] = {}  # what a claim finder reads off the original once
        self._indexes: dict[int, dict[str, list[tuple[str, ...]]]] = {}  # see _with()
        self.lines = [gkeys(ln) for ln in text.splitlines()]
        self.raw_lines = frozenset(_as_line(ln) for ln in raw.splitlines())
        weak = weaken(text)
        self.strong = self.lines if weak == text else [gkeys(ln) for ln in weak.splitlines()]
        self.entity_lines = [_strip_legal(k) for k in self.lines]
        self.words = {k for line in self.lines for k in line}
        self.strong_words = {k for line in self.strong for k in line}
        # the original's own spellings too ("UC" of "UC Davis", which equivalences expand)
        self.plain_words = set(keys_of_text(weak))
        text_lines = text.split("\n")
        named = [not _LANGUAGE_CUES.isdisjoint(letter_words(line)) for line in text_lines]
        self.languages = {
            _LANGUAGES[stem(m.group(0))]
            for m in LANGUAGE_RE.finditer(lines_near(text_lines, named, 1))
        }
        self.values: set[float] = set()
        self.percents: set[float] = set()
        self.team: set[float] = set()
        self.years: set[int] = set()
        self.months: set[tuple[int, int]] = set()
        self.durations: set[tuple[float, str]] = set()
        self.degrees: list[tuple[str, str | None]] = []
        self.strong_degrees: list[tuple[str, str | None]] = []
        self.span_years = 0.0
        numeric = numeric_lines(text)
        self._read_numbers(numeric)
        self._read_dates(text, numeric)
        degrees: dict[str, list[tuple[str, str | None]]] = {}  # most weak lines are lines

        def degrees_of(line: str) -> list[tuple[str, str | None]]:
            if line not in degrees:
                degrees[line] = [(d.level, d.flavor) for d in p.find_degrees_g(line)]
            return degrees[line]

        for line in text.splitlines():
            self.degrees.extend(degrees_of(line))
        for line in weak.splitlines():
            self.strong_degrees.extend(degrees_of(line))

    def has_line(self, line: str) -> bool:
        """``line`` is a line of the original as written (spaces and case aside)."""
        return _as_line(clean(line)) in self.raw_lines

    def has_measure(self, value: float, words: frozenset[str], percent: bool = False) -> bool:
        """The same number (or percentage) on an original line sharing a content word with the
        claim's line; a line with no content words of its own (a bare "40%") takes any."""
        if value not in (self.percents if percent else self.values):
            return False
        found = self.contexts.get((percent, value))
        if not found:
            return True  # read by another pattern (money, a number word): no context known
        return not words or any(not c or c & words for c in found)

    def _read_numbers(self, text: str) -> None:
        """Every number, percentage, amount and head count, and each number's context: the
        content words of its original line, so a number supports only a claim about the same
        thing ("latency ... 40%" is not "coverage ... 40%"). One scan of the text per pattern;
        a match belongs to the line it starts on."""
        self.contexts: dict[tuple[bool, float], set[frozenset[str]]] = {}
        lines = text.split("\n")
        words = [letter_words(line) for line in lines]
        words_of: dict[int, frozenset[str]] = {}

        def near(cue: list[bool], reach: int) -> str:
            return lines_near(lines, cue, reach)

        def measured(percent: bool, value: float, i: int) -> None:
            if i not in words_of:
                words_of[i] = context_words(lines[i])
            self.contexts.setdefault((percent, value), set()).add(words_of[i])

        money = near([p.MONEY_CUE_RE.search(line) is not None for line in lines], p.MONEY_REACH)
        for m in p.MONEY_RE.finditer(money):
            self.values.add(p.money_value(m))
        line_of = _line_index(text)
        # Numerals only: each number word NUMBER_RE would find ("two engineers"), NUMBER_WORD_RE
        # below finds too, at the same place, with the same value (and no numeral holds one).
        for m in p.NUMBER_DIGITS_RE.finditer(text):
            for v in (p.value(m.group("n"), m.group("m")), p.value(m.group("n"), None)):
                self.values.add(v)
                measured(False, v, line_of(m.start()))
        number_words = near([not w.isdisjoint(p.NUMBER_WORD_CUES) for w in words], 1)
        line_of = _line_index(number_words)
        for m in p.NUMBER_WORD_RE.finditer(number_words):
            v = p.word_or_num(m.group(0))
            self.values.add(v)
            measured(False, v, line_of(m.start()))
        percents = near(
            [
                "%" in line or not w.isdisjoint(p.PERCENT_CUES)
                for line, w in zip(lines, words, strict=True)
            ],
            p.PERCENT_REACH,
        )
        line_of = _line_index(percents)
        for m in p.PERCENT_RE.finditer(percents):
            v = p.value(m.group("n"), None)
            self.percents.add(v)
            measured(True, v, line_of(m.start()))
        teams = near([not w.isdisjoint(p.TEAM_CUES) for w in words], p.TEAM_REACH)
        for m in p.TEAM_RE.finditer(teams):
            self.team.add(p.team_size(m))
        people = near([not w.isdisjoint(p.PEOPLE_CUES) for w in words], p.PEOPLE_REACH)
        for m in p.PEOPLE_COUNT_RE.finditer(people):
            self.team.add(p.word_or_num(m.group("n")))

    def _read_dates(self, text: str, numeric: str) -> None:
        lines = numeric.split("\n")
        dated = [p.YEAR_IN_RE.search(line) is not None for line in lines]
        for m in p.DATE_RE.finditer(lines_near(lines, dated, p.DATE_REACH)):
            year, month = p.date_of(m)
            self.years.add(year)
            if month:
                self.months.add((year, month))
        for m in re.finditer(r"(?<!\d)(\d{4})(?!\d)", numeric):
            self.years.add(int(m.group(1)))
        for line in numeric.splitlines():
            if p.DURATION_CUES.isdisjoint(letter_words(line)):
                continue  # no unit: no duration, and no number to read as one
            found = list(p.DURATION_RE.finditer(line))
            for m in found:
                self.durations.add((p.word_or_num(m.group("n")), p.unit(m.group("u"))))
            units = {p.unit(m.group("u")) for m in found}
            for m in re.finditer(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", line):
                for unit in units:  # "from 45 to 30 days" supports "45 days"
                    self.durations.add((round(float(m.group(0)), 6), unit))
        self._read_spans(text)

    def _read_spans(self, text: str) -> None:
        """Date ranges outside the education section: each one's length, and the whole span
        from the first start to the last end ("Present" = ``today``)."""
        starts: list[float] = []
        ends: list[float] = []
        section = ""
        for line in text.splitlines():
            heading = p.heading_section(line)
            if heading is not None:
                section = heading
            if not _may_hold_span(line):
                continue
            # A range starts at most three words before its first year ("since Jan. de 2019"):
            # the scan starts there, not at the start of a long role line.
            first = p.YEAR_IN_RE.search(line)
            start = _words_back(line, first.start(), 3) if first else 0
            for m in SPAN_RE.finditer(line, start):
                if m.group("a2"):
                    a = int(m.group("a2")) + ((_month_of(m.group("ma2")) or 1) - 1) / 12
                    starts.append(a)
                    ends.append(self.today.year + (self.today.month - 1) / 12)
                    continue
                a = int(m.group("a")) + ((_month_of(m.group("ma")) or 1) - 1) / 12
                if m.group("now"):
                    b = self.today.year + (self.today.month - 1) / 12
                else:
                    b = int(m.group("b")) + ((_month_of(m.group("mb")) or 12) - 1) / 12
                if b < a:
                    continue
                self.durations.add((float(round(b - a)), "year"))
                if not m.group("ma") and not m.group("now"):
                    self.durations.add((float(int(m.group("b")) - int(m.group("a"))), "year"))
                if section != "education":
                    starts.append(a)
                    ends.append(b)
        if starts:
            self.span_years = max(ends) - min(starts)

    # ------------------------------------------------------------------ support checks

    def _lines(self, weak_ok: bool) -> list[tuple[str, ...]]:
        return self.lines if weak_ok else self.strong

    def _with(self, lines: list[tuple[str, ...]], key: str) -> list[tuple[str, ...]]:
        """The lines of ``lines`` that hold ``key``. A claim is looked for in those only, not
        in every line: a 30,000-character resume has ~600 lines and a rewrite ~400 claims."""
        index = self._indexes.get(id(lines))
        if index is None:
            index = {}
            for line in lines:
                for k in set(line):
                    index.setdefault(k, []).append(line)
            self._indexes[id(lines)] = index
        return index.get(key, [])

    def has_keys(self, keys: tuple[str, ...], weak_ok: bool = True) -> bool:
        lines = self._with(self._lines(weak_ok), keys[0]) if keys else []
        return any(contains_seq(line, keys) for line in lines)

    def has_text(self, text: str, weak_ok: bool = True) -> bool:
        return self.has_keys(gkeys(text), weak_ok)

    def has_bag(self, keys: tuple[str, ...], weak_ok: bool = True) -> bool:
        """All ``keys`` in one line, in any order ("Account Executive, Mid-Market")."""
        need = set(keys)
        lines = self._with(self._lines(weak_ok), keys[0]) if keys else []
        return any(need <= set(line) for line in lines)

    def has_title(self, keys: tuple[str, ...], weak_ok: bool = True) -> bool:
        """``has_bag``, except from a line where a junior word ("Assistant", "Deputy", "Vice")
        comes right before the title and the claim drops it: that would be a promotion."""
        need = set(keys)
        for line in self._with(self._lines(weak_ok), keys[0]) if keys else []:
            if not need <= set(line):
                continue
            first = min(line.index(k) for k in need)
            if first and line[first - 1] in _junior_keys() and line[first - 1] not in need:
                continue
            return True
        return False

    def has_certified(self, core: tuple[str, ...], weak_ok: bool = True) -> bool:
        """A named certification ("Google Ads Certified") is supported where the original names
        it as one: in a line with a certification word, or under a short heading with one
        ("Certifications"). Using Google Ads does not make one certified in it."""
        lines = self._lines(weak_ok)
        if not core or not self._with(lines, core[0]):
            return False
        for i, line in enumerate(lines):
            if not contains_seq(line, core):
                continue
            if any(k.startswith(_CERT_PREFIXES) for k in line if k not in core):
                return True
            for above in reversed(lines[max(0, i - 8) : i]):
                if 0 < len(above) <= 3:
                    if any(k.startswith(_CERT_PREFIXES) for k in above):
                        return True
                    break  # another heading: another section
        return False

    def has_entity(self, keys: tuple[str, ...]) -> bool:
        core = _strip_legal(keys)
        lines = self._with(self.entity_lines, core[0]) if core else []
        return any(contains_seq(line, core) for line in lines)

    def has_word(self, key: str, weak_ok: bool = True) -> bool:
        return key in (self.words if weak_ok else self.strong_words)

    def has_skill(self, keys: tuple[str, ...], weak_ok: bool = True) -> bool:
        """Skill support; a vendor prefix is optional ("Photoshop" ~ "Adobe Photoshop")."""
        if self.has_keys(keys, weak_ok):
            return True
        rest = keys[1:]
        if len(keys) < 2 or keys[0] not in p.VENDORS or rest[0] in p.GENERIC_PRODUCT_WORDS:
            return False
        return self.has_keys(rest, weak_ok)

    def has_degree(self, level: str, flavor: str | None, weak_ok: bool = True) -> bool:
        """A degree of the same level, and the same kind when both name one (B.S. vs B.A.)."""
        return any(
            lvl == level and (flavor is None or fl is None or fl == flavor)
            for lvl, fl in (self.degrees if weak_ok else self.strong_degrees)
        )

    def has_duration(self, value: float, unit: str, overall: bool = False) -> bool:
        """The same duration; "18 months" is also supported by 1.5 years; years of experience
        up to the span of the original's dates as of today ("8 years" from "Jun 2018 - Present")."""
        if (value, unit) in self.durations or (
            unit == "month" and (value / 12, "year") in self.durations
        ):
            return True
        if overall and unit == "year":
            return value <= self.span_years + 0.5
        if overall and unit == "month":
            return value <= self.span_years * 12 + 6
        return False

    def has_date(self, year: int, month: int | None) -> bool:
        return (year, month) in self.months if month else year in self.years

    def has_language(self, name: str) -> bool:
        return _LANGUAGES.get(stem(name)) in self.languages


@lru_cache(maxsize=READINGS)
def _reading(original: str, today: date) -> Evidence:
    """The original's reading (an Evidence without job terms), for every job it is checked for."""
    reading = Evidence.__new__(Evidence)
    reading._read(original, today)
    return reading
