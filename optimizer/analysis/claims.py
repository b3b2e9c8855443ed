"""The claim finders, one per kind: each finds claims of its kind in a unit of the optimized
text and asks the evidence whether the original supports them.

Finders run in ``FINDERS`` order and a character belongs to one claim only, so the order
decides overlaps: a certification is not also a skill, "team of 8" is not also a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import patterns as p
from .evidence import Evidence
from .facts import MONTH_ALT, YEAR, degree_field, find_degrees
from .text import clean, find_vocab, keys_of

_CONNECTORS = frozenset({"of", "and", "&", "the", "for", "de"})
_Word = tuple[str, int, int]  # (word, start, end)


class Unit:
    """One line or sentence of the optimized text, and the claims found in it so far."""

    def __init__(self, text: str, line_start: bool, bullet: bool, section: str) -> None:
        self.text = p.blank(clean(text), p.URL_EMAIL_RE)
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
        fact = (kind, keys_of(phrase))
        if kind in {"certification", "skill", "degree"} and fact in self.facts:
            return  # same fact spelled twice, e.g. "Certified Public Accountant (CPA)"
        self.facts.add(fact)
        self.claims.append((start, kind, phrase, supported))

    def add_matches(
        self, pattern: re.Pattern[str], kind: str, supported: Callable[[re.Match[str]], bool]
    ) -> None:
        """Claim every free match of ``pattern``; ``supported`` judges one match."""
        for m in pattern.finditer(self.text):
            if self.free(m.start(), m.end()):
                self.add(m.start(), m.end(), kind, supported(m))


# ----------------------------------------------------------------------------- capitalized runs


def _cap_runs(text: str) -> list[tuple[int, int, list[_Word]]]:
    """Runs of capitalized words, allowing 'of', 'and', '&', 'the', 'for' inside."""
    words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[A-Za-z0-9][\w&.'+#-]*", text)]
    runs: list[tuple[int, int, list[_Word]]] = []
    cur: list[_Word] = []
    for w in words:
        word = w[0].rstrip(".'")
        gap_ok = not cur or re.fullmatch(r"\s+", text[cur[-1][2] : w[1]]) is not None
        after_cap = bool(cur) and cur[-1][0][:1].isupper()
        cap = word[:1].isupper() or (word[:1].isdigit() and after_cap)
        connector = word.lower() in _CONNECTORS and bool(cur)
        if gap_ok and (cap or connector):
            cur.append(w)
            continue
        if cur:
            runs.append(_trim_run(cur))
        cur = [w] if cap else []
    if cur:
        runs.append(_trim_run(cur))
    return runs


def _trim_run(cur: list[_Word]) -> tuple[int, int, list[_Word]]:
    """A run without its trailing connectors ("Bank of" -> "Bank"), as (start, end, words)."""
    while cur and cur[-1][0].lower() in _CONNECTORS:
        cur = cur[:-1]
    return (cur[0][1], cur[-1][2], cur) if cur else (0, 0, [])


def _leading_generic(words: list[_Word], limit: int) -> int:
    """Index of the first word before ``limit`` that is not a generic leader
    (adjective, sentence-initial verb like "Consulted", connector)."""
    head = 0
    while head < limit:
        w = words[head][0].lower().rstrip(".")
        if w in p.GENERIC_LEADERS or w in {"of", "and", "&", "the", "for"}:
            head += 1
        elif w.endswith(("ed", "ing", "ly")) and w not in p.ED_ING_OK:
            head += 1
        else:
            break
    return head


def _entity_core(text: str) -> tuple[str, ...]:
    return tuple(k for k in keys_of(text) if k.rstrip(".") not in p.LEGAL_SUFFIX)


def _all_caps_words(text: str) -> bool:
    return all(w[:1].isupper() or w.lower() in {"of", "and", "&", "the"} for w in text.split())


# ----------------------------------------------------------------------------- finders


def find_certifications(u: Unit, ev: Evidence) -> None:
    for hit in find_vocab(u.text):
        if hit.category == "certification":
            u.add(hit.start, hit.end, "certification", ev.has_keys(hit.keys))
    for m in p.CERT_RE.finditer(u.text):
        s, e = m.start(), m.end()
        if not u.free(s, e):
            continue
        core = tuple(
            k for k in keys_of(m.group(0)) if not k.startswith(("certifi", "licens", "charter"))
        )
        if core:
            u.add(s, e, "certification", ev.has_keys(core))


def find_degrees_claimed(u: Unit, ev: Evidence) -> None:
    text = u.text
    for d in find_degrees(text):
        if not u.free(d.start, d.end):
            continue
        field = degree_field(text, d)
        end = d.end
        ok = ev.has_degree(d.level, d.flavor)
        if field:
            fstart = text.find(field, d.end)
            end = fstart + len(field)
            ok = ok and ev.has_keys(keys_of(field))
        u.add(d.start, end, "degree", ok)


def find_schools(u: Unit, ev: Evidence) -> None:
    for m in p.SCHOOL_RE.finditer(u.text):
        s, e = m.start(), m.end()
        phrase = m.group(0)
        lead = re.match(r"(?:(?:Graduated|Attended|Studied|From|At|The)\s+)+", phrase)
        if lead:
            s += lead.end()
        if phrase.strip() in {"School", "College", "University", "Institute", "Academy"}:
            continue
        if u.free(s, e):
            u.add(s, e, "school", ev.has_keys(_entity_core(u.text[s:e])))


def find_titles(u: Unit, ev: Evidence) -> None:
    for _start, _end, words in _cap_runs(u.text):
        if not words:
            continue
        # the title ends at the last title noun of the run (optionally "of X")
        idx = max(
            (i for i, w in enumerate(words) if w[0].lower().rstrip(".,") in p.TITLE_NOUNS),
            default=-1,
        )
        if idx < 0:
            continue
        last = words[idx]
        tail_end = last[2]
        if idx + 2 < len(words) and words[idx + 1][0].lower() == "of":
            tail_end = words[-1][2]
        head = _leading_generic(words, idx)
        plural = last[0].lower().endswith("s") and last[0].lower().rstrip("s") in p.TITLE_NOUNS
        if plural:
            continue
        if head == idx and last[0].lower() not in p.SOLO_TITLES and tail_end == last[2]:
            continue
        s, e = words[head][1], tail_end
        if not u.free(s, e):
            continue
        u.add(s, e, "title", ev.has_keys(keys_of(u.text[s:e])))


def _employer_candidate(u: Unit, ev: Evidence, s: int, e: int) -> None:
    phrase = u.text[s:e].strip(" ,.;:()")
    if not phrase or not u.free(s, e):
        return
    low = phrase.lower()
    if low in p.NON_ENTITY or low in p.HEADING_WORDS or re.fullmatch(r"[A-Z]{2}", phrase):
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


def find_employers(u: Unit, ev: Evidence) -> None:
    text = u.text
    runs = [r for r in _cap_runs(text) if r[2]]
    for start, end, words in runs:
        if len(words) >= 2 and words[0][0].lower() in {"joined", "at"}:
            start, words = words[1][1], words[1:]
            _employer_candidate(u, ev, start, end)
            continue
        last = words[-1][0].lower().rstrip(".,")
        if last in p.COMPANY_SUFFIX and len(words) >= 2:
            head = _leading_generic(words, len(words) - 1)
            if head < len(words) - 1 or len(words) - head >= 2:
                _employer_candidate(u, ev, words[head][1], end)
            continue
        before = text[:start].rstrip()
        if re.search(r"(?:\bat|@|\bjoined|\bfor client|\bclients?:?)$", before, re.IGNORECASE):
            _employer_candidate(u, ev, start, end)
    header = u.line_start and not u.bullet and u.section in {"experience", ""}
    if header and len(text.split()) <= 14:
        _find_header_employers(u, ev)


def _find_header_employers(u: Unit, ev: Evidence) -> None:
    """Segments of a role header line ("Acme — Engineer (2019 – 2021)") are employer claims."""
    text = u.text
    has_date = re.search(rf"{YEAR}|present", text, re.IGNORECASE) is not None
    pieces = [piece for piece in p.SEPARATORS_RE.split(text) if piece is not None]
    has_sep = len(pieces) > 1
    short_caps = len(text.split()) <= 6 and _all_caps_words(text)
    if not ((has_sep and (has_date or short_caps)) or (short_caps and u.section == "experience")):
        return
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
        if not seg or not _all_caps_words(seg):
            continue
        s = text.find(seg, idx)
        _employer_candidate(u, ev, s, s + len(seg))


def find_skills(u: Unit, ev: Evidence) -> None:
    for hit in find_vocab(u.text):
        if hit.category in {"skill", "tool"} and u.free(hit.start, hit.end):
            u.add(hit.start, hit.end, "skill", ev.has_skill(hit.keys))


def find_money(u: Unit, ev: Evidence) -> None:
    u.add_matches(p.MONEY_RE, "money", lambda m: p.money_value(m) in ev.values)


def find_percentages(u: Unit, ev: Evidence) -> None:
    u.add_matches(p.PERCENT_RE, "percentage", lambda m: p.value(m.group("n"), None) in ev.percents)


def find_team_sizes(u: Unit, ev: Evidence) -> None:
    for m in p.TEAM_RE.finditer(u.text):
        if u.free(m.start(), m.end()):
            inner = p.TEAM_CORE_RE.search(m.group(0))
            shown = (m.start() + inner.start(), m.start() + inner.end()) if inner else None
            u.add(m.start(), m.end(), "team_size", p.team_size(m) in ev.team, shown)


def find_durations(u: Unit, ev: Evidence) -> None:
    u.add_matches(
        p.DURATION_RE,
        "duration",
        lambda m: ev.has_duration(p.word_or_num(m.group("n")), p.unit(m.group("u"))),
    )


def find_dates(u: Unit, ev: Evidence) -> None:
    u.add_matches(p.DATE_RE, "date", lambda m: ev.has_date(*p.date_of(m)))


def find_numbers(u: Unit, ev: Evidence) -> None:
    for m in p.NUMBER_RE.finditer(u.text):
        if not u.free(m.start(), m.end()):
            continue
        if m.group("w"):
            if m.group("w").lower() == "one":
                continue
            value = p.word_or_num(m.group("w"))
        else:
            value = p.value(m.group("n"), m.group("m"))
        u.add(m.start(), m.end(), "number", value in ev.values)


FINDERS: tuple[Callable[[Unit, Evidence], None], ...] = (
    find_certifications,
    find_degrees_claimed,
    find_schools,
    find_titles,
    find_employers,
    find_skills,
    find_money,
    find_percentages,
    find_team_sizes,
    find_durations,
    find_dates,
    find_numbers,
)


def check_unit(u: Unit, ev: Evidence) -> None:
    """Find every claim of ``u``, in ``FINDERS`` order."""
    for finder in FINDERS:
        finder(u, ev)
