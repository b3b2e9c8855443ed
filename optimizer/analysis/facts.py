"""Shared fact patterns: number words, years of experience, date ranges, degrees."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .cues import fold

NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
}
NUM_WORD_ALT = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))

MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    (
        ("january", "jan"),
        ("february", "feb"),
        ("march", "mar"),
        ("april", "apr"),
        ("may",),
        ("june", "jun"),
        ("july", "jul"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("october", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ),
    start=1,
):
    for _n in _names:
        MONTHS[_n] = _i
MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
# "Jan" ... "Dec", in calendar order: the one date style the offline engine writes.
MONTH_ABBR: tuple[str, ...] = tuple(
    sorted((name.title() for name in MONTHS if len(name) == 3), key=lambda a: MONTHS[a.lower()])
)
YEAR = r"(?:19[5-9]\d|20[0-3]\d)"

# "5+ years", "3-5 years", "five years", "10 yrs"
YEARS_RE = re.compile(
    rf"(?<![\w.$])(?P<n>\d{{1,2}}(?:\.\d)?|{NUM_WORD_ALT})\s*(?:\+|plus)?\s*"
    rf"(?:(?:-|\u2013|to)\s*\d{{1,2}}\s*)?(?:\+\s*)?(?:years?|yrs?)\b",
    re.IGNORECASE,
)

RANGE_RE = re.compile(
    rf"(?:(?:{MONTH_ALT})\.?\s+|\d{{1,2}}/)?(?P<a>{YEAR})\s*(?:-|\u2013|\u2014|to|until|through)\s*"
    rf"(?:(?:{MONTH_ALT})\.?\s+|\d{{1,2}}/)?(?P<b>{YEAR}|present|current|now|today)\b",
    re.IGNORECASE,
)


def parse_count(text: str) -> float:
    t = text.lower().replace(",", "")
    if t in NUMBER_WORDS:
        return float(NUMBER_WORDS[t])
    return float(t)


@dataclass(frozen=True, slots=True)
class Degree:
    level: str  # associate|bachelor|master|mba|doctorate
    flavor: str | None  # science|arts|engineering|business|... or None
    start: int
    end: int
    text: str

    @property
    def rank(self) -> int:
        return DEGREE_RANK[self.level]


DEGREE_RANK = {"associate": 1, "bachelor": 2, "master": 3, "mba": 3, "doctorate": 4}

_ABBREV: dict[str, tuple[str, str | None]] = {
    "aa": ("associate", "arts"),
    "as": ("associate", "science"),
    "aas": ("associate", "science"),
    "bs": ("bachelor", "science"),
    "bsc": ("bachelor", "science"),
    "ba": ("bachelor", "arts"),
    "beng": ("bachelor", "engineering"),
    "bba": ("bachelor", "business"),
    "bsn": ("bachelor", "science"),
    "adn": ("associate", "science"),
    "bfa": ("bachelor", "fine"),
    "ms": ("master", "science"),
    "msc": ("master", "science"),
    "ma": ("master", "arts"),
    "meng": ("master", "engineering"),
    "msn": ("master", "science"),
    "med": ("master", "education"),
    "mph": ("master", "public"),
    "mfa": ("master", "fine"),
    "mpa": ("master", "public"),
    "msw": ("master", "social"),
    "mba": ("mba", None),
    # each doctorate its own kind: a PhD does not support an M.D. ("Doctorate" alone, None,
    # still matches any of them)
    "phd": ("doctorate", "philosophy"),
    "dnp": ("doctorate", "nursing"),
    "edd": ("doctorate", "education"),
    "md": ("doctorate", "medicine"),
    "jd": ("doctorate", "law"),
    "pharmd": ("doctorate", "pharmacy"),
}
_DOTTED = (
    r"A\.A\.S?\.?|A\.S\.|B\.F\.A\.?|M\.F\.A\.?|B\.S\.c?\.?|B\.Sc\.|B\.A\.|B\.Eng\.?|B\.B\.A\.|M\.S\.c?\.?|M\.Sc\.|"
    r"M\.A\.|M\.Eng\.?|M\.B\.A\.?|M\.Ed\.?|Ph\.\s?D\.?|Ed\.D\.?|M\.D\.|J\.D\.|Pharm\.\s?D\.?"
)
_SOLID = r"AAS|ADN|BSc|BEng|BBA|BSN|BFA|MSc|MEng|MBA|MSN|MEd|MPH|MFA|MPA|MSW|PhD|DNP|EdD|PharmD"
_BARE = r"BS|BA|MS|MA|MD|JD|AA|AS"
DEGREE_ABBREV_RE = re.compile(
    rf"(?<![\w.])(?:(?P<dot>{_DOTTED})|(?P<solid>{_SOLID})|(?P<bare>{_BARE}))(?![\w])"
)
# What every match of DEGREE_ABBREV_RE and DEGREE_WORD_RE holds: most lines hold neither, and
# are not scanned (the lookbehind that starts DEGREE_ABBREV_RE leaves re nothing to skip to).
_DEGREE_ABBREV_CUE_RE = re.compile(rf"{_DOTTED}|{_SOLID}|{_BARE}")
_DEGREE_WORDS = ("associate", "bachelor", "master", "doctor")  # folded, as re.IGNORECASE
DEGREE_WORD_RE = re.compile(
    r"\b(?P<word>associate|bachelor|master|doctor|doctorate|doctoral)"
    r"(?:(?:'s|s|\u2019s)?(?:\s+degree)?\s+(?:of|in)\s+(?P<of>[A-Za-z]+)|(?:'s|s|\u2019s)(?:\s+degree)?|\s+degree"
    r"|(?=\s+(?:program|studies))|(?<=doctorate)|(?<=doctoral))",
    re.IGNORECASE,
)
_NOT_DEGREE_AFTER = re.compile(
    r"\s+(?:Excel|Office|Word|Teams|Access|Project|SQL|Dynamics|Azure|Outlook|Visio|PowerPoint)\b"
)
_BARE_OK_AFTER = re.compile(
    r"(?:\s+(?:in|of)\b|\s*,|\s*/|\s*\(|\s+[A-Z][a-z]|\s*$|\s+[-\u2013\u2014|])"
)
_FLAVOR_WORDS = {
    "science": "science",
    "sciences": "science",
    "arts": "arts",
    "art": "arts",
    "engineering": "engineering",
    "business": "business",
    "fine": "fine",
    "education": "education",
    "nursing": "science",
    "applied": "science",
    "public": "public",
    "social": "social",
    "medicine": "medicine",
    "law": "law",
    "laws": "law",
    "pharmacy": "pharmacy",
    "philosophy": None,
}


def find_degrees(line: str) -> list[Degree]:
    return list(_find_degrees(line))


# The grounding check and the score both read each line's degrees: once. clear_caches() empties it.
@functools.lru_cache(maxsize=16384)
def _find_degrees(line: str) -> tuple[Degree, ...]:
    found: list[Degree] = []
    abbreviations = DEGREE_ABBREV_RE.finditer(line) if _DEGREE_ABBREV_CUE_RE.search(line) else ()
    folded = fold(line)
    words = DEGREE_WORD_RE.finditer(line) if any(w in folded for w in _DEGREE_WORDS) else ()
    for m in abbreviations:
        raw = m.group(0)
        key = re.sub(r"[^a-z]", "", raw.lower())
        if key not in _ABBREV:
            continue
        if m.group("bare"):
            after = line[m.end() :]
            before = line[: m.start()]
            if _NOT_DEGREE_AFTER.match(after) or not _BARE_OK_AFTER.match(after):
                continue
            if re.search(r",\s*$", before) and re.match(r"\s*(?:\d|$)", after):
                continue  # "Boston, MA 02110" is a state, not a degree
            if key in {"as", "aa"} and not re.match(r"\s+(?:in|degree)\b", after):
                continue
        level, flavor = _ABBREV[key]
        found.append(Degree(level, flavor, m.start(), m.end(), raw))
    for m in words:
        word = m.group("word").lower()
        of = (m.group("of") or "").lower()
        if word in {"doctor", "doctorate", "doctoral"}:
            level = "doctorate"
        elif word == "master" and of == "business":
            level = "mba"
        else:
            level = word
        flavor = _FLAVOR_WORDS.get(of) if of else None
        if level == "mba":
            flavor = None
        if any(d.start <= m.start() < d.end for d in found):
            continue
        found.append(Degree(level, flavor, m.start(), m.end(), m.group(0)))
    found.sort(key=lambda d: d.start)
    return tuple(found)


def degree_field(line: str, degree: Degree) -> str | None:
    """Capitalized field of study right after a degree ("B.S. in Biology" -> Biology)."""
    m = re.match(
        r"(?:\s+of\s+[A-Z][a-z]+)?\s*(?:,|in|:|-|\u2013)?\s*(?:in\s+)?"
        r"(?P<f>[A-Z\u00c0-\u00de][^\W\d_&]*[&]?(?:\s+(?:and\s+|&\s+)?[A-Z\u00c0-\u00de][^\W\d_]*)*)",
        line[degree.end :],
    )
    if not m:
        return None
    field = m.group("f")
    if re.search(r"\b(University|College|Institute|School|Academy)\b", field):
        return None
    return field
