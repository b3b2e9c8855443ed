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

Text is checked in *units*: lines, further split at sentence-ending punctuation
followed by whitespace and an uppercase letter or digit (not after abbreviations such
as "B.S." or "Inc."). ``GroundingStream`` uses the same segmenter incrementally, so
streaming and batch results are identical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .facts import MONTH_ALT, MONTHS, NUM_WORD_ALT, NUMBER_WORDS, RANGE_RE, YEAR, find_degrees
from .facts import degree_field as _degree_field
from .text import canonical, clean, contains_seq, find_vocab

KIND_LABELS: dict[str, str] = {
    "number": "number",
    "percentage": "number",
    "money": "money amount",
    "team_size": "team size",
    "date": "date",
    "duration": "duration",
    "employer": "employer",
    "title": "job title",
    "degree": "degree",
    "school": "school",
    "certification": "certification",
    "skill": "skill",
}
BLOCKING_KINDS: frozenset[str] = frozenset(
    {
        "employer",
        "title",
        "degree",
        "school",
        "certification",
        "number",
        "percentage",
        "money",
        "team_size",
    }
)


@dataclass(frozen=True, slots=True)
class GroundingFlag:
    kind: str
    phrase: str
    sentence: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "phrase": self.phrase,
            "sentence": self.sentence,
            "message": self.message,
        }


def is_blocking(flag: GroundingFlag) -> bool:
    """True for kinds a strict caller should refuse to publish (see ``BLOCKING_KINDS``)."""
    return flag.kind in BLOCKING_KINDS


def make_flag(kind: str, phrase: str, sentence: str) -> GroundingFlag:
    return GroundingFlag(
        kind, phrase, sentence, f'Unsupported {KIND_LABELS[kind]} "{phrase}" in "{sentence}"'
    )


# ----------------------------------------------------------------------------- patterns

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
_PEOPLE = (
    r"(?:people|persons|engineers|developers|designers|analysts|scientists|nurses|staff|"
    r"employees|direct reports|reports|members|associates|agents|representatives|reps|"
    r"technicians|teachers|tutors|volunteers|interns|contractors|consultants|managers|"
    r"specialists|accountants|recruiters|drivers|cooks|servers|writers|researchers|"
    r"coordinators|operators|workers|clinicians|caregivers|paralegals|attorneys|sellers|"
    r"salespeople|testers|instructors|leads|FTEs|headcount)"
)


def _cnt(name: str) -> str:
    return rf"(?P<{name}>\d+|{NUM_WORD_ALT})"


_CNT = _cnt("n")
TEAM_RE = re.compile(
    rf"(?:\b(?:team|staff|group|crew|department|organization|org)\s+of\s+(?:up\s+to\s+|over\s+|about\s+)?{_cnt('n1')}\b"
    rf"|\b{_cnt('n2')}[-\s](?:person|member|people|engineer|strong)\s+(?:team|staff|group|crew|department|org)\b"
    rf"|\b(?:led|lead|leading|managed|manage|managing|supervised|supervising|mentored|"
    rf"mentoring|directed|oversaw|overseeing|coached|hired|trained|built)\s+(?:a\s+team\s+of\s+|"
    rf"up\s+to\s+|over\s+|a\s+staff\s+of\s+)?{_cnt('n3')}\+?\s+(?:\w+\s+)?{_PEOPLE}\b)",
    re.IGNORECASE,
)
_TEAM_CORE_RE = re.compile(
    rf"\b(?:team|staff|group|crew|department|organization|org)\s+of\s+(?:up\s+to\s+|over\s+|about\s+)?"
    rf"(?:\d+|{NUM_WORD_ALT})\b",
    re.IGNORECASE,
)
PEOPLE_COUNT_RE = re.compile(rf"\b{_CNT}\+?\s+(?:\w+\s+)?{_PEOPLE}\b", re.IGNORECASE)
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
# Matches start at a token's start: from every position inside one long token, \S+ would scan
# to its end again (quadratic).
_URL_EMAIL_RE = re.compile(
    r"(?<!\S)\S+@\S+|https?://\S+|www\.\S+|(?<!\S)\S+\.(?:com|org|io|net)\S*"
)

_TITLE_NOUNS = frozenset(
    """
engineer developer manager director lead architect analyst scientist designer consultant
specialist coordinator administrator nurse accountant teacher officer associate
representative assistant supervisor technician executive president head intern editor
writer recruiter pharmacist therapist counselor attorney lawyer paralegal chef agent
planner strategist founder co-founder cofounder owner principal partner programmer tester
auditor controller bookkeeper producer marketer buyer broker advisor adviser instructor
professor lecturer researcher superintendent foreman dispatcher receptionist secretary
librarian paramedic hygienist dietitian pharmacist physician surgeon pilot underwriter
actuary economist statistician electrician mechanic clerk cashier cook driver manager
generalist strategist steward technologist tutor trainer vp ceo cto cfo coo cmo cio ciso
svp evp avp
""".split()
)
_SOLO_TITLES = frozenset({"vp", "ceo", "cto", "cfo", "coo", "cmo", "cio", "ciso", "svp", "evp"})
_GENERIC_LEADERS = frozenset(
    """
experienced seasoned accomplished dynamic motivated passionate skilled proven dedicated
versatile innovative creative strategic results-driven detail-oriented highly hands-on
award-winning bilingual analytical collaborative certified former current aspiring
entry-level mid-level detail results driven oriented
""".split()
)
_ED_ING_OK = frozenset(
    """
registered licensed chartered marketing engineering accounting nursing consulting banking
manufacturing training staffing recruiting advertising publishing underwriting planning
pricing billing testing learning computing networking sourcing purchasing operating
lending merchandising building editing programming nursing
""".split()
)
_COMPANY_SUFFIX = frozenset(
    """
inc inc. corp corp. corporation llc ltd ltd. co co. company plc gmbh group holdings
technologies technology labs bank hospital clinic health healthcare partners solutions
systems consulting foundation agency studios studio media capital ventures associates
pharmaceuticals industries enterprises logistics foods motors airlines insurance
""".split()
)
_LEGAL_SUFFIX = frozenset(
    {"inc", "corp", "corporation", "llc", "ltd", "co", "company", "plc", "gmbh", "the"}
)
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
_VENDORS = frozenset({"adob", "microsoft", "googl", "amazon", "aws", "apach", "azur", "ibm"})
_GENERIC_PRODUCT_WORDS = frozenset(
    {"cloud", "analytic", "ad", "office", "project", "word", "web", "servic", "team", "dynamic"}
)
_NON_ENTITY = frozenset(
    """
remote hybrid onsite on-site present current now usa us uk united states europe
worldwide global
""".split()
)
_HEADING_WORDS = frozenset(
    """
summary professional profile objective experience work employment history career
education skills technical core competencies competency certifications certification
licenses license projects project awards honors publications languages interests
volunteer volunteering activities affiliations memberships highlights achievements
qualifications key relevant additional references contact information training courses
coursework selected and & of tools technologies expertise areas accomplishments other
""".split()
)
_ABBREVS = frozenset(
    """
inc corp co ltd sr jr dr mr mrs ms st vs etc no approx dept univ jan feb mar apr jun jul
aug sep sept oct nov dec e.g i.e u.s mt ft
""".split()
)
_BULLET_RE = re.compile(r"^\s*(?:[-*\u2022\u00b7\u25aa\u25cf\u25e6]|\d+[.)])\s+")
_SEPARATORS_RE = re.compile(
    r"\s[|\u2013\u2014-]\s|\s*\|\s*|\s*[\u2013\u2014]\s*|,\s+|\(|\)|\s+at\s+|\s+@\s+"
)


# ----------------------------------------------------------------------------- evidence


def _value(num: str, mult: str | None) -> float:
    v = float(num.replace(",", ""))
    if mult:
        m = mult.strip().lower()
        if m == "m" and mult.strip() == "m":
            m = "m"
        v *= _MULT.get(m, 1.0)
    return round(v, 6)


def _word_or_num(text: str) -> float:
    t = text.lower()
    return float(NUMBER_WORDS[t]) if t in NUMBER_WORDS else round(float(t.replace(",", "")), 6)


_UNIT = {"y": "year", "m": "month", "w": "week", "d": "day", "h": "hour"}


def _unit(u: str) -> str:
    u = u.lower()
    if u.startswith("decade"):
        return "decade"
    if u.startswith("mo"):
        return "month"
    return _UNIT[u[0]]


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


class _Evidence:
    """Facts of the original resume, normalized for support checks."""

    def __init__(self, original: str) -> None:
        text = _blank(clean(original), _URL_EMAIL_RE)
        self.lines = [tuple(t.key for t in canonical(ln)) for ln in text.splitlines()]
        self.values: set[float] = set()
        self.percents: set[float] = set()
        self.team: set[float] = set()
        self.years: set[int] = set()
        self.months: set[tuple[int, int]] = set()
        self.durations: set[tuple[float, str]] = set()
        self.degrees: list[tuple[str, str | None]] = []
        for m in MONEY_RE.finditer(text):
            num, mult = (
                (m.group("a"), m.group("am")) if m.group("a") else (m.group("b"), m.group("bm"))
            )
            self.values.add(_value(num, mult))
        for m in NUMBER_RE.finditer(text):
            if m.group("w"):
                self.values.add(_word_or_num(m.group("w")))
            else:
                self.values.add(_value(m.group("n"), m.group("m")))
                self.values.add(_value(m.group("n"), None))
        for m in re.finditer(rf"\b(?:{NUM_WORD_ALT})\b", text, re.IGNORECASE):
            self.values.add(_word_or_num(m.group(0)))
        for m in PERCENT_RE.finditer(text):
            self.percents.add(_value(m.group("n"), None))
        for m in TEAM_RE.finditer(text):
            self.team.add(_word_or_num(_team_n(m)))
        for m in PEOPLE_COUNT_RE.finditer(text):
            self.team.add(_word_or_num(m.group("n")))
        for m in DATE_RE.finditer(text):
            year, month = _date_of(m)
            self.years.add(year)
            if month:
                self.months.add((year, month))
        for m in re.finditer(r"(?<!\d)(\d{4})(?!\d)", text):
            self.years.add(int(m.group(1)))
        for m in DURATION_RE.finditer(text):
            self.durations.add((_word_or_num(m.group("n")), _unit(m.group("u"))))
        for line in text.splitlines():
            units = {_unit(m.group("u")) for m in DURATION_RE.finditer(line)}
            for m in re.finditer(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", line):
                for unit in units:  # "from 45 to 30 days" supports "45 days"
                    self.durations.add((round(float(m.group(0)), 6), unit))
        for m in RANGE_RE.finditer(text):
            b = m.group("b")
            if b.isdigit():
                self.durations.add((float(int(b) - int(m.group("a"))), "year"))
        for line in text.splitlines():
            for d in find_degrees(line):
                self.degrees.append((d.level, d.flavor))

    def has_keys(self, keys: tuple[str, ...]) -> bool:
        return bool(keys) and any(contains_seq(line, keys) for line in self.lines)

    def has_skill(self, keys: tuple[str, ...]) -> bool:
        """Skill support; a vendor prefix is optional ("Photoshop" ~ "Adobe Photoshop")."""
        if self.has_keys(keys):
            return True
        rest = keys[1:]
        if len(keys) < 2 or keys[0] not in _VENDORS or rest[0] in _GENERIC_PRODUCT_WORDS:
            return False
        return self.has_keys(rest)


def _team_n(m: re.Match[str]) -> str:
    return m.group("n1") or m.group("n2") or m.group("n3")


def _date_of(m: re.Match[str]) -> tuple[int, int | None]:
    if m.group("y1"):
        return int(m.group("y1")), MONTHS[m.group("mon").lower()]
    if m.group("y2"):
        return int(m.group("y2")), int(m.group("m2"))
    if m.group("y3"):
        return int(m.group("y3")), int(m.group("m3"))
    return int(m.group("y4")), None


# ----------------------------------------------------------------------------- claims


def _keys(text: str) -> tuple[str, ...]:
    return tuple(t.key for t in canonical(text))


class _Unit:
    def __init__(self, text: str, line_start: bool, bullet: bool, section: str) -> None:
        self.raw = text
        self.text = _blank(clean(text), _URL_EMAIL_RE)
        self.line_start = line_start
        self.bullet = bullet
        self.section = section
        # Characters already claimed, as a mask: a list of spans made free() O(claims), and a
        # line of 15,000 numbers O(n^2) (21 s).
        self.taken = bytearray(len(self.text) + 1)
        self.claims: list[tuple[int, str, str, bool]] = []  # (start, kind, phrase, supported)
        self.facts: set[tuple[str, tuple[str, ...]]] = set()

    def free(self, start: int, end: int) -> bool:
        return self.taken.find(1, start, end) == -1

    def add(
        self, start: int, end: int, kind: str, supported: bool, shown: tuple[int, int] | None = None
    ) -> None:
        """Claim ``text[start:end]``; ``shown`` optionally narrows the reported phrase."""
        a, b = shown or (start, end)
        phrase = self.text[a:b].strip(" ,;:.()")
        if not phrase:
            return
        self.taken[start:end] = b"\x01" * len(self.taken[start:end])
        fact = (kind, _keys(phrase))
        if kind in {"certification", "skill", "degree"} and fact in self.facts:
            return  # same fact spelled twice, e.g. "Certified Public Accountant (CPA)"
        self.facts.add(fact)
        self.claims.append((start, kind, phrase, supported))


def _cap_runs(text: str) -> list[tuple[int, int, list[tuple[str, int, int]]]]:
    """Runs of capitalized words, allowing 'of', 'and', '&', 'the', 'for' inside."""
    words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[A-Za-z0-9][\w&.'+#-]*", text)]
    runs: list[tuple[int, int, list[tuple[str, int, int]]]] = []
    cur: list[tuple[str, int, int]] = []
    for w in words:
        word = w[0].rstrip(".'")
        gap_ok = not cur or re.fullmatch(r"\s+", text[cur[-1][2] : w[1]]) is not None
        after_cap = bool(cur) and cur[-1][0][:1].isupper()
        cap = word[:1].isupper() or (word[:1].isdigit() and after_cap)
        connector = word.lower() in {"of", "and", "&", "the", "for", "de"} and bool(cur)
        if gap_ok and (cap or connector):
            cur.append(w)
            continue
        if cur:
            runs.append(cur_run(cur))
        cur = [w] if cap else []
    if cur:
        runs.append(cur_run(cur))
    return runs


def cur_run(cur: list[tuple[str, int, int]]) -> tuple[int, int, list[tuple[str, int, int]]]:
    while cur and cur[-1][0].lower() in {"of", "and", "&", "the", "for", "de"}:
        cur = cur[:-1]
    return (cur[0][1], cur[-1][2], cur) if cur else (0, 0, [])


def _is_title_noun(word: str) -> bool:
    w = word.lower().rstrip(".,")
    return w in _TITLE_NOUNS


def _leading_generic(words: list[tuple[str, int, int]], limit: int) -> int:
    """Index of the first word before ``limit`` that is not a generic leader
    (adjective, sentence-initial verb like "Consulted", connector)."""
    head = 0
    while head < limit:
        w = words[head][0].lower().rstrip(".")
        if w in _GENERIC_LEADERS or w in {"of", "and", "&", "the", "for"}:
            head += 1
        elif w.endswith(("ed", "ing", "ly")) and w not in _ED_ING_OK:
            head += 1
        else:
            break
    return head


def _find_titles(u: _Unit, ev: _Evidence) -> None:
    for _start, _end, words in _cap_runs(u.text):
        if not words:
            continue
        # the title ends at the last title noun of the run (optionally "of X")
        idx = max((i for i, w in enumerate(words) if _is_title_noun(w[0])), default=-1)
        if idx < 0:
            continue
        last = words[idx]
        tail_end = last[2]
        if idx + 2 < len(words) and words[idx + 1][0].lower() == "of":
            tail_end = words[-1][2]
        head = _leading_generic(words, idx)
        plural = last[0].lower().endswith("s") and last[0].lower().rstrip("s") in _TITLE_NOUNS
        if plural:
            continue
        if head == idx and last[0].lower() not in _SOLO_TITLES and tail_end == last[2]:
            continue
        s, e = words[head][1], tail_end
        if not u.free(s, e):
            continue
        keys = _keys(u.text[s:e])
        u.add(s, e, "title", ev.has_keys(keys))


def _entity_core(text: str) -> tuple[str, ...]:
    keys = [k for k in _keys(text) if k.rstrip(".") not in _LEGAL_SUFFIX]
    return tuple(keys)


def _employer_candidate(u: _Unit, ev: _Evidence, s: int, e: int) -> None:
    phrase = u.text[s:e].strip(" ,.;:()")
    if not phrase or not u.free(s, e):
        return
    low = phrase.lower()
    if low in _NON_ENTITY or low in _HEADING_WORDS or re.fullmatch(r"[A-Z]{2}", phrase):
        return
    if (
        re.search(rf"\b(?:{YEAR}|{MONTH_ALT})\b", phrase, re.IGNORECASE)
        and len(phrase.split()) <= 3
    ):
        return
    hits = find_vocab(phrase)
    if hits and sum(h.end - h.start for h in hits) >= len(phrase) - 2:
        return  # a skill/tool, checked as such
    core = _entity_core(phrase)
    if not core:
        return
    u.add(s, e, "employer", ev.has_keys(core))


def _find_employers(u: _Unit, ev: _Evidence) -> None:
    text = u.text
    runs = [r for r in _cap_runs(text) if r[2]]
    for start, end, words in runs:
        if len(words) >= 2 and words[0][0].lower() in {"joined", "at"}:
            start, words = words[1][1], words[1:]
            _employer_candidate(u, ev, start, end)
            continue
        last = words[-1][0].lower().rstrip(".,")
        if last in _COMPANY_SUFFIX and len(words) >= 2:
            head = _leading_generic(words, len(words) - 1)
            if head < len(words) - 1 or len(words) - head >= 2:
                _employer_candidate(u, ev, words[head][1], end)
            continue
        before = text[:start].rstrip()
        if re.search(r"(?:\bat|@|\bjoined|\bfor client|\bclients?:?)$", before, re.IGNORECASE):
            _employer_candidate(u, ev, start, end)
    header = u.line_start and not u.bullet and u.section in {"experience", ""}
    if header and len(text.split()) <= 14:
        has_date = re.search(rf"{YEAR}|present", text, re.IGNORECASE) is not None
        pieces = [p for p in _SEPARATORS_RE.split(text) if p is not None]
        has_sep = len(pieces) > 1
        short_caps = len(text.split()) <= 6 and all(
            w[:1].isupper() or w.lower() in {"of", "and", "&", "the"} for w in text.split()
        )
        if (has_sep and (has_date or short_caps)) or (short_caps and u.section == "experience"):
            pos = 0
            for piece in pieces:
                idx = text.find(piece, pos)
                if idx < 0:
                    continue
                pos = idx + len(piece)
                stripped = re.sub(
                    rf"\(?\b(?:{MONTH_ALT})?\.?\s*{YEAR}.*$|\bpresent\b.*$", "", piece, flags=re.I
                )
                seg = stripped.strip(" ,.;:()\u2013\u2014-")
                if not seg or not all(
                    w[:1].isupper() or w.lower() in {"of", "and", "&", "the"} for w in seg.split()
                ):
                    continue
                s = text.find(seg, idx)
                _employer_candidate(u, ev, s, s + len(seg))


def _check_unit(u: _Unit, ev: _Evidence) -> None:
    text = u.text
    # certifications
    for hit in find_vocab(text):
        if hit.category == "certification":
            u.add(hit.start, hit.end, "certification", ev.has_keys(hit.keys))
    for m in CERT_RE.finditer(text):
        s, e = m.start(), m.end()
        if not u.free(s, e):
            continue
        core = tuple(
            k for k in _keys(m.group(0)) if not k.startswith(("certifi", "licens", "charter"))
        )
        if core:
            u.add(s, e, "certification", ev.has_keys(core))
    # degrees
    for d in find_degrees(text):
        if not u.free(d.start, d.end):
            continue
        field = _degree_field(text, d)
        end = d.end
        ok = any(
            lvl == d.level and (d.flavor is None or fl is None or fl == d.flavor)
            for lvl, fl in ev.degrees
        )
        if field:
            fstart = text.find(field, d.end)
            end = fstart + len(field)
            ok = ok and ev.has_keys(_keys(field))
        u.add(d.start, end, "degree", ok)
    # schools
    for m in SCHOOL_RE.finditer(text):
        s, e = m.start(), m.end()
        phrase = m.group(0)
        lead = re.match(r"(?:(?:Graduated|Attended|Studied|From|At|The)\s+)+", phrase)
        if lead:
            s += lead.end()
        if phrase.strip() in {"School", "College", "University", "Institute", "Academy"}:
            continue
        if u.free(s, e):
            u.add(s, e, "school", ev.has_keys(_entity_core(text[s:e])))
    _find_titles(u, ev)
    _find_employers(u, ev)
    # skills and tools
    for hit in find_vocab(text):
        if hit.category in {"skill", "tool"} and u.free(hit.start, hit.end):
            u.add(hit.start, hit.end, "skill", ev.has_skill(hit.keys))
    # numeric facts
    for m in MONEY_RE.finditer(text):
        num, mult = (m.group("a"), m.group("am")) if m.group("a") else (m.group("b"), m.group("bm"))
        if u.free(m.start(), m.end()):
            u.add(m.start(), m.end(), "money", _value(num, mult) in ev.values)
    for m in PERCENT_RE.finditer(text):
        if u.free(m.start(), m.end()):
            u.add(m.start(), m.end(), "percentage", _value(m.group("n"), None) in ev.percents)
    for m in TEAM_RE.finditer(text):
        if u.free(m.start(), m.end()):
            inner = _TEAM_CORE_RE.search(m.group(0))
            shown = (m.start() + inner.start(), m.start() + inner.end()) if inner else None
            u.add(m.start(), m.end(), "team_size", _word_or_num(_team_n(m)) in ev.team, shown)
    for m in DURATION_RE.finditer(text):
        if not u.free(m.start(), m.end()):
            continue
        value, unit = _word_or_num(m.group("n")), _unit(m.group("u"))
        ok = (value, unit) in ev.durations or (
            unit == "month" and (value / 12, "year") in ev.durations
        )
        u.add(m.start(), m.end(), "duration", ok)
    for m in DATE_RE.finditer(text):
        if not u.free(m.start(), m.end()):
            continue
        year, month = _date_of(m)
        ok = (year, month) in ev.months if month else year in ev.years
        u.add(m.start(), m.end(), "date", ok)
    for m in NUMBER_RE.finditer(text):
        if not u.free(m.start(), m.end()):
            continue
        if m.group("w"):
            if m.group("w").lower() == "one":
                continue
            value = _word_or_num(m.group("w"))
        else:
            value = _value(m.group("n"), m.group("m"))
        u.add(m.start(), m.end(), "number", value in ev.values)


# ----------------------------------------------------------------------------- segmenting


def _heading_section(line: str) -> str | None:
    words = re.findall(r"[A-Za-z&]+", line.lower())
    if not words or len(words) > 4 or _BULLET_RE.match(line) or line.strip().endswith("."):
        return None
    if not all(w in _HEADING_WORDS for w in words):
        return None
    joined = " ".join(words)
    for key, section in (
        ("experience", "experience"),
        ("employment", "experience"),
        ("work", "experience"),
        ("career", "experience"),
        ("education", "education"),
        ("skill", "skills"),
        ("competenc", "skills"),
        ("certif", "certifications"),
        ("licens", "certifications"),
    ):
        if key in joined:
            return section
    return "other"


def _display(sentence: str) -> str:
    s = _BULLET_RE.sub("", sentence).strip()
    return s.rstrip(".;: ").strip()


def _split_point(buf: str, final: bool) -> tuple[int, int] | None:
    """Find the next unit end in ``buf``: (unit_end, next_start), or None if undecided."""
    i = 0
    n = len(buf)
    while i < n:
        ch = buf[i]
        if ch == "\n":
            return i, i + 1
        if ch in ".!?" and i + 1 < n and buf[i + 1] in " \t":
            j = i + 1
            while j < n and buf[j] in " \t":
                j += 1
            if j >= n:
                if not final:
                    return None
                return i + 1, n
            nxt = buf[j]
            token = re.search(r"(\S+)$", buf[: i + 1])
            word = token.group(1).lower().rstrip(".!?") if token else ""
            abbreviation = word in _ABBREVS or "." in word or len(word) == 1
            if (
                nxt != "\n"
                and (nxt.isupper() or nxt.isdigit() or nxt in "$\u20ac\u00a3")
                and not abbreviation
            ):
                return i + 1, j
        i += 1
    return None


class GroundingStream:
    """Incremental grounding check over text deltas (any boundaries, even mid-word)."""

    def __init__(self, original: str) -> None:
        self._ev = _Evidence(original)
        self._buf = ""
        self._line_start = True
        self._bullet = False
        self._section = ""
        self._seen: set[tuple[str, str, str]] = set()

    def feed(self, delta: str) -> list[GroundingFlag]:
        self._buf += delta
        return self._drain(final=False)

    def finish(self) -> list[GroundingFlag]:
        flags = self._drain(final=True)
        if self._buf.strip():
            flags.extend(self._unit(self._buf))
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
            flags.extend(self._unit(piece))
            if newline:
                self._line_start, self._bullet = True, False
            if not self._buf and not newline and final:
                return flags

    def _unit(self, piece: str) -> list[GroundingFlag]:
        line_start = self._line_start
        if line_start:
            self._bullet = _BULLET_RE.match(piece) is not None
            section = _heading_section(piece)
            if section is not None:
                self._section = section
                self._line_start = False
                return []
        self._line_start = False
        if not piece.strip():
            return []
        section = self._section
        shown = piece
        inline = re.match(r"\s*([A-Za-z][A-Za-z &]*):", piece) if line_start else None
        if inline and _heading_section(inline.group(1)) is not None:
            section = self._section = _heading_section(inline.group(1)) or section
            piece = " " * inline.end() + piece[inline.end() :]
        unit = _Unit(piece, line_start, self._bullet, section)
        _check_unit(unit, self._ev)
        sentence = _display(shown)
        out: list[GroundingFlag] = []
        for _, kind, phrase, supported in sorted(unit.claims, key=lambda c: c[0]):
            if supported:
                continue
            key = (kind, phrase.lower(), sentence)
            if key in self._seen:
                continue
            self._seen.add(key)
            out.append(make_flag(kind, phrase, sentence))
        return out


def check_grounding(original: str, optimized: str) -> list[GroundingFlag]:
    """Flags for every claim in ``optimized`` with no support in ``original``."""
    stream = GroundingStream(original)
    flags = stream.feed(optimized)
    flags.extend(stream.finish())
    return flags
