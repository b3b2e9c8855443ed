"""The grounding check's patterns: what a number, date, team size, school... looks like, and
what a match means (its value). Word lists come from ``data/*.txt``.
"""

from __future__ import annotations

import re

from . import data
from .facts import MONTH_ALT, MONTHS, NUM_WORD_ALT, NUMBER_WORDS, YEAR

# ----------------------------------------------------------------------------- words

TITLE_NOUNS = data.words("title_nouns")
SOLO_TITLES = frozenset({"vp", "ceo", "cto", "cfo", "coo", "cmo", "cio", "ciso", "svp", "evp"})
GENERIC_LEADERS = data.words("generic_leaders")
ED_ING_OK = data.words("ed_ing_words")
COMPANY_SUFFIX = data.words("company_suffixes")
LEGAL_SUFFIX = frozenset(
    {"inc", "corp", "corporation", "llc", "ltd", "co", "company", "plc", "gmbh", "the"}
)
VENDORS = frozenset({"adob", "microsoft", "googl", "amazon", "aws", "apach", "azur", "ibm"})
GENERIC_PRODUCT_WORDS = frozenset(
    {"cloud", "analytic", "ad", "office", "project", "word", "web", "servic", "team", "dynamic"}
)
NON_ENTITY = data.words("non_entities")
HEADING_WORDS = data.words("heading_words")
ABBREVS = data.words("abbreviations")

# ----------------------------------------------------------------------------- numbers

_MULT = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
# A number starts where no digit (or digit + thousands comma) precedes it. Without this a long
# digit run made MONEY_RE/PERCENT_RE try every position to the end: quadratic, and a 30,000-digit
# resume blocked the event loop for minutes.
_NUM_START = r"(?<!\d)(?<!\d,)"
# A capitalized phrase starts at a word's start (same reason: one long capitalized word).
_WORD_START = r"(?<![\w&.'+/-])"
_MULT_RE = r"(?:\s?(?:thousand|million|billion)\b|(?:k|K|M|MM|mm|B|bn|Bn)(?![A-Za-z]))"
MONEY_RE = re.compile(
    rf"(?:(?:US)?[$\u20ac\u00a3]\s?(?P<a>{_NUM})(?P<am>{_MULT_RE})?)"
    rf"|(?:{_NUM_START}(?P<b>{_NUM})(?P<bm>{_MULT_RE})?\s?(?:dollars|USD|EUR|euros|GBP|pounds)\b)"
)
PERCENT_RE = re.compile(
    rf"{_NUM_START}(?P<n>{_NUM})\s?(?:%|percent\b|per\s?cent\b|pct\b|percentage points\b)",
    re.IGNORECASE,
)
_PEOPLE = "(?:" + "|".join(data.entries("people_nouns")) + ")"


def _cnt(name: str) -> str:
    return rf"(?P<{name}>\d+|{NUM_WORD_ALT})"


TEAM_RE = re.compile(
    rf"(?:\b(?:team|staff|group|crew|department|organization|org)\s+of\s+(?:up\s+to\s+|over\s+|about\s+)?{_cnt('n1')}\b"
    rf"|\b{_cnt('n2')}[-\s](?:person|member|people|engineer|strong)\s+(?:team|staff|group|crew|department|org)\b"
    rf"|\b(?:led|lead|leading|managed|manage|managing|supervised|supervising|mentored|"
    rf"mentoring|directed|oversaw|overseeing|coached|hired|trained|built)\s+(?:a\s+team\s+of\s+|"
    rf"up\s+to\s+|over\s+|a\s+staff\s+of\s+)?{_cnt('n3')}\+?\s+(?:\w+\s+)?{_PEOPLE}\b)",
    re.IGNORECASE,
)
TEAM_CORE_RE = re.compile(
    rf"\b(?:team|staff|group|crew|department|organization|org)\s+of\s+(?:up\s+to\s+|over\s+|about\s+)?"
    rf"(?:\d+|{NUM_WORD_ALT})\b",
    re.IGNORECASE,
)
PEOPLE_COUNT_RE = re.compile(rf"\b{_cnt('n')}\+?\s+(?:\w+\s+)?{_PEOPLE}\b", re.IGNORECASE)
_DUR_UNITS = r"years?|yrs?|months?|mos?|weeks?|wks?|days?|hours?|hrs?|decades?"
DURATION_RE = re.compile(
    rf"(?<![\w.$])(?P<n>\d+(?:\.\d+)?|{NUM_WORD_ALT})\s*\+?\s*(?:-\s*)?(?P<u>{_DUR_UNITS})\b",
    re.IGNORECASE,
)
DATE_RE = re.compile(
    rf"(?P<mon>\b(?:{MONTH_ALT}))\.?,?\s+(?P<y1>{YEAR})\b"
    rf"|\b(?P<m2>0?[1-9]|1[0-2])/(?:\d{{1,2}}/)?(?P<y2>{YEAR})\b"
    rf"|\b(?P<y3>{YEAR})[-/](?P<m3>0[1-9]|1[0-2])\b(?![-/]\d)"
    rf"|(?<![\d$.,])(?P<y4>{YEAR})(?![\d%]|,\d|\.\d)",
    re.IGNORECASE,
)
NUMBER_RE = re.compile(
    rf"(?<![\w.$\u20ac\u00a3/])~?(?P<n>{_NUM})(?P<m>{_MULT_RE})?\+?(?:x\b)?(?![\w/])"
    rf"|\b(?P<w>{NUM_WORD_ALT})\b(?=\s+[a-z])",
    re.IGNORECASE,
)
NUMBER_WORD_RE = re.compile(rf"\b(?:{NUM_WORD_ALT})\b", re.IGNORECASE)

# ----------------------------------------------------------------------------- names and layout

# Matches start at a token's start: from every position inside one long token, \S+ would scan
# to its end again (quadratic).
URL_EMAIL_RE = re.compile(r"(?<!\S)\S+@\S+|https?://\S+|www\.\S+|(?<!\S)\S+\.(?:com|org|io|net)\S*")
_SCHOOL_WORDS = (
    r"University|College|Institute|School|Academy|Polytechnic|Conservatory|Universit\u00e9"
)
SCHOOL_RE = re.compile(
    rf"{_WORD_START}(?:[A-Z][\w&.'-]*\s+){{0,4}}(?:{_SCHOOL_WORDS})"
    rf"(?:\s+(?:of|for|at|in)\s+(?:the\s+)?[A-Z][\w&.'-]*(?:\s+(?:and\s+|&\s+)?[A-Z][\w&.'-]*){{0,3}})?"
)
CERT_RE = re.compile(
    r"\b(?:Certified|Licensed|Chartered)\s+(?:[A-Z][\w+&/-]*\s*){1,5}"
    rf"|{_WORD_START}(?:[A-Z][\w+&/-]*\s+){{1,5}}(?:Certification|Certificate|Certified|License|Licence)\b"
)
BULLET_RE = re.compile(r"^\s*(?:[-*\u2022\u00b7\u25aa\u25cf\u25e6]|\d+[.)])\s+")
SEPARATORS_RE = re.compile(
    r"\s[|\u2013\u2014-]\s|\s*\|\s*|\s*[\u2013\u2014]\s*|,\s+|\(|\)|\s+at\s+|\s+@\s+"
)

# ----------------------------------------------------------------------------- values


def value(num: str, mult: str | None) -> float:
    v = float(num.replace(",", ""))
    if mult:
        v *= _MULT.get(mult.strip().lower(), 1.0)
    return round(v, 6)


def money_value(m: re.Match[str]) -> float:
    """The amount of a ``MONEY_RE`` match ("$1.2M" and "1,200,000 dollars" are equal)."""
    if m.group("a"):
        return value(m.group("a"), m.group("am"))
    return value(m.group("b"), m.group("bm"))


def word_or_num(text: str) -> float:
    t = text.lower()
    return float(NUMBER_WORDS[t]) if t in NUMBER_WORDS else round(float(t.replace(",", "")), 6)


def team_size(m: re.Match[str]) -> float:
    """The head count of a ``TEAM_RE`` match."""
    return word_or_num(m.group("n1") or m.group("n2") or m.group("n3"))


_UNIT = {"y": "year", "m": "month", "w": "week", "d": "day", "h": "hour"}


def unit(u: str) -> str:
    u = u.lower()
    if u.startswith("decade"):
        return "decade"
    if u.startswith("mo"):
        return "month"
    return _UNIT[u[0]]


def date_of(m: re.Match[str]) -> tuple[int, int | None]:
    """(year, month or None) of a ``DATE_RE`` match."""
    if m.group("y1"):
        return int(m.group("y1")), MONTHS[m.group("mon").lower()]
    if m.group("y2"):
        return int(m.group("y2")), int(m.group("m2"))
    if m.group("y3"):
        return int(m.group("y3")), int(m.group("m3"))
    return int(m.group("y4")), None


def blank(text: str, pattern: re.Pattern[str]) -> str:
    """``text`` with every match of ``pattern`` replaced by spaces (offsets are kept)."""
    return pattern.sub(lambda m: " " * len(m.group(0)), text)
