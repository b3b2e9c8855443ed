"""The grounding check's patterns: what a number, date, team size, school... looks like, and
what a match means (its value). Word lists come from ``data/*.txt``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from . import data
from .cues import cue_words, letter_words
from .facts import _ABBREV, YEAR, Degree, find_degrees


def _table(name: str) -> dict[str, str]:
    """``data/<name>.txt`` lines "<key> <words...>" as {word: key}."""
    out: dict[str, str] = {}
    for line in data.entries(name):
        key, *names = line.split()
        for word in names:
            out.setdefault(word.lower(), key)
    return out


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


# Grounding reads English, German, Spanish and French (data/months.txt, number_words.txt...).
MONTHS = {name: int(n) for name, n in _table("months").items()}
MONTH_ALT = _alt(MONTHS)
NUMBER_WORDS = {name: int(n) for name, n in _table("number_words").items()}
_NUM_WORD = _alt(NUMBER_WORDS)
NUM_WORD_ALT = rf"(?:{_NUM_WORD})(?:-(?:{_NUM_WORD}))?"  # "twenty-five", "trente-cinq"
UNITS = _table("duration_units")
PRESENT_WORDS = data.words("present_words")
PRESENT_ALT = _alt(PRESENT_WORDS)

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
    "millones": 1e6,
    "millón": 1e6,
    "millon": 1e6,
    "millions": 1e6,
    "millionen": 1e6,
    "mio": 1e6,
    "mrd": 1e9,
}
# "1,2" with one or two digits after the comma is a decimal comma (German, Spanish, French).
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d{1,2}(?![\d])|\d+(?:\.\d+)?|\.\d+"
# A number starts where no digit (or digit + thousands comma) precedes it. Without this a long
# digit run made MONEY_RE/PERCENT_RE try every position to the end: quadratic, and a 30,000-digit
# resume blocked the event loop for minutes.
_NUM_START = r"(?<!\d)(?<!\d,)"
# A capitalized phrase starts at a word's start (same reason: one long capitalized word).
_WORD_START = r"(?<![\w&.'+/-])"
_MULT_RE = (
    r"(?:\s?(?:thousand|million|billion|millones|millón|millon|millions|Millionen|Mio|Mrd)\b\.?"
    r"|(?:k|K|M|MM|mm|B|bn|Bn)(?![A-Za-z]))"
)
MONEY_RE = re.compile(
    rf"(?:(?:US)?[$\u20ac\u00a3]\s?(?P<a>{_NUM})(?P<am>{_MULT_RE})?)"
    rf"|(?:{_NUM_START}(?P<b>{_NUM})(?P<bm>{_MULT_RE})?\s?(?:de\s+)?"
    r"(?:(?:dollars|USD|EUR|euros?|GBP|pounds|pesos|MXN|Euro)\b|[\u20ac\u00a3]))"
)
# What every match of MONEY_RE holds (case-sensitive, as the pattern), and the most words one
# spans ("5 million de dollars"): see cues.py.
MONEY_CUE_RE = re.compile(r"[$\u20ac\u00a3]|dollars|USD|EUR|euro|GBP|pounds|pesos|MXN|Euro")
MONEY_REACH = 4
PERCENT_RE = re.compile(
    rf"{_NUM_START}(?P<n>{_NUM})\s?(?:%|percent\b|per\s?cent\b|pct\b|percentage points\b)",
    re.IGNORECASE,
)
PERCENT_CUES = cue_words(("percent", "per cent", "pct", "percentage points"))  # or a "%"
PERCENT_REACH = 3  # "40 per cent"
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
PEOPLE_CUES = cue_words(data.entries("people_nouns"))
PEOPLE_REACH = 4  # "12+ senior direct reports"
TEAM_CUES = PEOPLE_CUES | cue_words(
    ("team", "staff", "group", "crew", "department", "organization", "org")
)
TEAM_REACH = 8  # "led a team of 12+ senior direct reports"
_DUR_UNITS = _alt(UNITS)
DURATION_RE = re.compile(
    rf"(?<![\w.$])(?P<n>\d+(?:\.\d+)?|{NUM_WORD_ALT})\s*\+?\s*(?:-\s*)?(?P<u>{_DUR_UNITS})(?![\w'])",
    re.IGNORECASE,
)
# A number word written against its unit ("fiveyears") is one run of letters.
DURATION_CUES = cue_words(UNITS) | cue_words(w + u for w in NUMBER_WORDS for u in UNITS)
DATE_RE = re.compile(
    rf"(?P<mon>\b(?:{MONTH_ALT}))\.?,?\s+(?:de\s+)?(?P<y1>{YEAR})\b"
    rf"|\b(?P<m2>0?[1-9]|1[0-2])[/.](?:\d{{1,2}}[/.])?(?P<y2>{YEAR})\b"
    rf"|\b(?P<y3>{YEAR})[-/](?P<m3>0[1-9]|1[0-2])\b(?![-/]\d)"
    rf"|(?<![\d$.,])(?P<y4>{YEAR})(?![\d%]|,\d|\.\d)",
    re.IGNORECASE,
)
_NUMBER_DIGITS = rf"(?<![\w.$\u20ac\u00a3/])~?(?P<n>{_NUM})(?P<m>{_MULT_RE})?\+?(?:x\b)?(?![\w/])"
NUMBER_RE = re.compile(rf"{_NUMBER_DIGITS}|\b(?P<w>{NUM_WORD_ALT})\b(?=\s+[^\W\d_])", re.IGNORECASE)
NUMBER_WORD_RE = re.compile(rf"\b(?:{NUM_WORD_ALT})\b", re.IGNORECASE)
NUMBER_WORD_CUES = cue_words(NUMBER_WORDS)
# NUMBER_RE for a text that holds no number word: the number-word branch tries ~130 words at
# every word boundary, and cannot match there. Its "w" group stays, never matching.
NUMBER_DIGITS_RE = re.compile(rf"{_NUMBER_DIGITS}|(?P<w>(?!))", re.IGNORECASE)


def number_pattern(words: Iterable[frozenset[str]]) -> re.Pattern[str]:
    """NUMBER_RE, or the same without its number-word branch when no set of ``words`` (the
    cues.letter_words of the text's lines) holds a number word: the same matches, faster."""
    if all(NUMBER_WORD_CUES.isdisjoint(w) for w in words):
        return NUMBER_DIGITS_RE
    return NUMBER_RE


# Every date holds a year: DATE_RE, and the date ranges, scan only lines with one.
YEAR_IN_RE = re.compile(YEAR)
DATE_REACH = 3  # "Jan. de 2020"

# ----------------------------------------------------------------------------- names and layout

# Matches start at a token's start: from every position inside one long token, \S+ would scan
# to its end again (quadratic).
URL_EMAIL_RE = re.compile(r"(?<!\S)\S+@\S+|https?://\S+|www\.\S+|(?<!\S)\S+\.(?:com|org|io|net)\S*")
_SCHOOL_WORDS = (
    r"University|College|Institute|School|Academy|Polytechnic|Conservatory|Universit\u00e9"
)
# German, Spanish, French and Italian schools put the school word first: "Universidad Autónoma
# de Nuevo León", "Universität Hamburg", "Hochschule Esslingen", "École des Mines de Paris".
_SCHOOL_WORDS_FIRST = (
    r"Universidad|Universitat|Universit\u00e4t|Universit\u00e0|Universit\u00e9|Hochschule|"
    r"Fachhochschule|Escuela|\u00c9cole|Ecole|Instituto|Istituto|Politecnico|Polit\u00e9cnica"
)
_CAP = r"[A-Z\u00c0-\u00d6\u00d8-\u00de][\w&.'-]*"
SCHOOL_RE = re.compile(
    rf"{_WORD_START}(?:[A-Z][\w&.'-]*\s+){{0,4}}(?:{_SCHOOL_WORDS})"
    rf"(?:\s+(?:of|for|at|in)\s+(?:the\s+)?[A-Z][\w&.'-]*(?:\s+(?:and\s+|&\s+)?[A-Z][\w&.'-]*){{0,3}})?"
    rf"|{_WORD_START}(?:(?:Technische|Freie|Pontificia)\s+)?(?:{_SCHOOL_WORDS_FIRST})(?!\w)"
    rf"(?:\s+{_CAP}){{0,2}}"
    rf"(?:\s+(?:de\s+la|de|del|du|des|d'|di|der|f\u00fcr)\s*{_CAP}(?:\s+(?:y\s+|et\s+|und\s+)?{_CAP}){{0,3}})?"
)
# Every school and certification names its school or certification word as written.
SCHOOL_CUE_RE = re.compile(rf"{_SCHOOL_WORDS}|{_SCHOOL_WORDS_FIRST}")
CERT_CUE_RE = re.compile(r"Certifi|Licens|Licenc|Chartered|Zertifi")
CERT_RE = re.compile(
    r"\b(?:Certified|Licensed|Chartered)\s+(?:[A-Z][\w+&/-]*\s*){1,5}"
    rf"|{_WORD_START}(?:[A-Z][\w+&/-]*\s+){{1,5}}(?:Certification|Certificate|Certified|License|Licence)\b"
    # the certification word first, as French, Spanish and German write it: "Certification
    # Google Ads", "Certificado de Profesionalidad en Recepción", "Zertifikat Pflegeberatung"
    # (not "Licence": in French that is a degree, the bachelor's)
    r"|\b(?:Certification|Certificat|Certificado|Certificaci\u00f3n|Zertifikat|Zertifizierung)\s+(?:(?:de|del|en|du|d'|in|als)\s*)?(?:la\s+)?"
    rf"{_CAP}(?:\s+(?:(?:de|del|en|y|et|und|du)\s+)?{_CAP}){{0,4}}"
)
BULLET_RE = re.compile(r"^\s*(?:[-*\u2022\u00b7\u25aa\u25cf\u25e6]|\d+[.)])\s+")
SEPARATORS_RE = re.compile(
    r"\s[|\u2013\u2014-]\s|\s*\|\s*|\s*[\u2013\u2014]\s*|,\s+|\(|\)|\s+at\s+|\s+@\s+"
)

_SECTION_KEYS = (
    ("experience", "experience"),
    ("employment", "experience"),
    ("work", "experience"),
    ("career", "experience"),
    ("education", "education"),
    ("skill", "skills"),
    ("competenc", "skills"),
    ("certif", "certifications"),
    ("licens", "certifications"),
    ("berufs", "experience"),
    ("experiencia", "experience"),
    ("expérience", "experience"),
    ("parcours", "experience"),
    ("ausbildung", "education"),
    ("studium", "education"),
    ("weiterbildung", "education"),
    ("formaci", "education"),
    ("educaci", "education"),
    ("formation", "education"),
    ("kenntnisse", "skills"),
    ("fähigkeiten", "skills"),
    ("habilidades", "skills"),
    ("competencias", "skills"),
    ("compétences", "skills"),
    ("outils", "skills"),
    ("tools", "skills"),
)


@functools.lru_cache(maxsize=16384)  # each line of the original and the rewrite, once
def heading_section(line: str) -> str | None:
    """The resume section a heading line opens ("experience", "skills"...), else None."""
    words = re.findall(r"[^\W\d_][\w'\u2019]*|&", line.lower())
    if not words or len(words) > 4 or BULLET_RE.match(line) or line.strip().endswith("."):
        return None
    if not all(w in HEADING_WORDS for w in words):
        return None
    joined = " ".join(words)
    for key, section in _SECTION_KEYS:
        if key in joined:
            return section
    return "other"


# ----------------------------------------------------------------------------- degrees


def _degree_names() -> list[tuple[str, str]]:
    out = []
    for line in data.entries("degree_names"):
        full, _, abbrev = line.partition("=")
        out.append((full.strip(), abbrev.strip()))
    return out


_DEGREE_NAMES = _degree_names()
_DEGREE_NAME_OF = {full.lower(): abbrev for full, abbrev in _DEGREE_NAMES}


def _name_pattern(full: str) -> str:
    words = [re.escape(w) for w in full.split()]
    if len(words) > 1 and words[0] in {"associate", "bachelor", "master", "doctor"}:
        words[0] += r"(?:'s|\u2019s)?(?:\s+degree)?"
    return r"\s+".join(words)


DEGREE_NAME_RE = re.compile(
    r"(?<![\w.-])(?P<full>"
    + "|".join(_name_pattern(f) for f, _ in sorted(_DEGREE_NAMES, key=lambda x: -len(x[0])))
    + r")(?![\w-])",
    re.IGNORECASE,
)


_DEGREE_NAME_CUES = cue_words(full for full, _ in _DEGREE_NAMES)


def find_degrees_g(line: str) -> list[Degree]:
    """``facts.find_degrees`` plus full names and German/Spanish/French degree words
    (data/degree_names.txt: "Bachelor of Business Administration" = BBA, "Máster" = M.S.)."""
    found: list[Degree] = []
    names = (
        () if _DEGREE_NAME_CUES.isdisjoint(letter_words(line)) else DEGREE_NAME_RE.finditer(line)
    )
    for m in names:
        name = re.sub(r"(?:'s|\u2019s)?\s+degree\b", "", m.group("full").lower())
        name = re.sub(r"\s+", " ", name)
        abbrev = _DEGREE_NAME_OF.get(name)
        if abbrev is None:
            continue
        level, flavor = _ABBREV[abbrev]
        found.append(Degree(level, flavor, m.start(), m.end(), m.group(0)))
    for d in find_degrees(line):
        if not any(f.start < d.end and d.start < f.end for f in found):
            found.append(d)
    found.sort(key=lambda d: d.start)
    return found


# ----------------------------------------------------------------------------- values


# Numbers are parsed from their text, the same text over and over in a long resume.
@functools.lru_cache(maxsize=4096)
def value(num: str, mult: str | None) -> float:
    v = _number(num)
    if mult:
        v *= _MULT.get(mult.strip().rstrip(".").lower(), 1.0)
    return round(v, 6)


def money_value(m: re.Match[str]) -> float:
    """The amount of a ``MONEY_RE`` match ("$1.2M" and "1,200,000 dollars" are equal)."""
    if m.group("a"):
        return value(m.group("a"), m.group("am"))
    return value(m.group("b"), m.group("bm"))


def word_or_num(text: str) -> float:
    t = text.lower()
    if t[:1].isalpha():
        return float(sum(NUMBER_WORDS.get(part, 0) for part in t.split("-")))
    return _number(t)


_DECIMAL_COMMA_RE = re.compile(r"\d+,\d{1,2}")


def _number(t: str) -> float:
    if _DECIMAL_COMMA_RE.fullmatch(t):
        return round(float(t.replace(",", ".")), 6)
    return round(float(t.replace(",", "")), 6)


def team_size(m: re.Match[str]) -> float:
    """The head count of a ``TEAM_RE`` match."""
    return word_or_num(m.group("n1") or m.group("n2") or m.group("n3"))


def unit(u: str) -> str:
    return UNITS[u.lower()]


def date_of(m: re.Match[str]) -> tuple[int, int | None]:
    """(year, month or None) of a ``DATE_RE`` match."""
    if m.group("y1"):
        return int(m.group("y1")), MONTHS[m.group("mon").lower().rstrip(".")]
    if m.group("y2"):
        return int(m.group("y2")), int(m.group("m2"))
    if m.group("y3"):
        return int(m.group("y3")), int(m.group("m3"))
    return int(m.group("y4")), None


def blank(text: str, pattern: re.Pattern[str]) -> str:
    """``text`` with every match of ``pattern`` replaced by spaces (offsets are kept)."""
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


# What every match of URL_EMAIL_RE holds: most lines hold none (and the pattern's \S+ reads each
# word to its end from every word start).
_LINK_CUES = ("@", "://", "www.", ".com", ".org", ".io", ".net")


def blank_links(text: str) -> str:
    """``text`` with its emails and links replaced by spaces (offsets are kept)."""
    if not any(cue in text for cue in _LINK_CUES):
        return text
    return blank(text, URL_EMAIL_RE)
