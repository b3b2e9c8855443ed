"""The claim finders, one per kind: each finds claims of its kind in a unit of the optimized
text and asks the evidence whether the original supports them.

Finders run in ``FINDERS`` order and a character belongs to one claim only, so the order
decides overlaps: a certification is not also a skill, "team of 8" is not also a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import data
from . import patterns as p
from .cues import letter_words
from .evidence import LANGUAGE_RE, Evidence, context_words, gkeys, has_qualifier
from .facts import YEAR, degree_field
from .text import VocabHit, clean, find_vocab, keys_of

_CONNECTORS = frozenset({"of", "and", "&", "the", "for", "de"})
_DIGIT_RE = re.compile(r"\d")
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_NUMBER_WORDS = frozenset(p.NUMBER_WORDS)
_LANGUAGE_NAMES = frozenset(n.lower() for line in data.entries("languages") for n in line.split())
_Word = tuple[str, int, int]  # (word, start, end)


class Unit:
    """One line or sentence of the optimized text, and the claims found in it so far."""

    def __init__(
        self, text: str, line_start: bool, bullet: bool, section: str, first: bool = False
    ) -> None:
        self.raw = clean(text)
        self.text = p.blank_links(self.raw)
        self.first = first
        # A rewrite that keeps a qualifier ("CPA candidate") may rest on a weakened passage.
        self.weak_ok = has_qualifier(self.text)
        self._context: frozenset[str] | None = None
        self._words: frozenset[str] | None = None
        self._numeric: bool | None = None
        self._vocab: list[VocabHit] | None = None
        self._cues: frozenset[str] | None = None
        self._cap_runs: list[tuple[int, int, list[_Word]]] | None = None
        self.line_start = line_start
        self.bullet = bullet
        self.section = section
        # Characters already claimed, as a mask: a list of spans made free() O(claims), and a
        # line of 15,000 numbers O(n^2) (21 s).
        self.taken = bytearray(len(self.text) + 1)
        self.claims: list[tuple[int, str, str, bool]] = []  # (start, kind, phrase, supported)
        self.facts: set[tuple[str, tuple[str, ...]]] = set()

    def words(self) -> frozenset[str]:
        """The unit's words, lower-cased letters only (computed once per unit): finders whose
        pattern needs a number, or a language's name, skip the units that have none."""
        if self._words is None:
            self._words = frozenset(_LETTERS_RE.findall(self.text.lower()))
        return self._words

    def numeric(self) -> bool:
        """A digit or a number word: what every number, date and duration pattern needs."""
        if self._numeric is None:
            self._numeric = bool(_DIGIT_RE.search(self.text)) or not _NUMBER_WORDS.isdisjoint(
                self.words()
            )
        return self._numeric

    def cues(self) -> frozenset[str]:
        """The unit's runs of letters, folded (cues.py): a finder whose pattern needs one of its
        cue words skips the units that have none (computed once per unit)."""
        if self._cues is None:
            self._cues = letter_words(self.text)
        return self._cues

    def vocab(self) -> list[VocabHit]:
        """The vocabulary's terms in the unit (computed once per unit: the certification and
        the skill finders both read them)."""
        if self._vocab is None:
            self._vocab = find_vocab(self.text)
        return self._vocab

    def cap_runs(self) -> list[tuple[int, int, list[_Word]]]:
        """The unit's runs of capitalized words (computed once per unit: the title and the
        employer finders both read them)."""
        if self._cap_runs is None:
            self._cap_runs = _cap_runs(self.text)
        return self._cap_runs

    def context(self) -> frozenset[str]:
        """The unit's content words, for numbers (computed once per unit)."""
        if self._context is None:
            self._context = context_words(self.text)
        return self._context

    def free(self, start: int, end: int) -> bool:
        return self.taken.find(1, start, end) == -1

    def add(
        self, start: int, end: int, kind: str, supported: bool, shown: tuple[int, int] | None = None
    ) -> None:
        """Claim ``text[start:end]``; ``shown`` optionally narrows the reported phrase."""
        a, b = shown or (start, end)
        source = self.raw if kind == "identity" else self.text  # emails and links are blanked
        phrase = source[a:b].strip(" ,;:.()")
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


_CAP_WORD_RE = re.compile(r"(?:(?<![\w.])\.(?=[A-Za-z]))?[A-Za-z0-9][\w&.'+#-]*")


def _cap_runs(text: str) -> list[tuple[int, int, list[_Word]]]:
    """Runs of capitalized words, allowing 'of', 'and', '&', 'the', 'for' inside."""
    # A leading dot belongs to the word: ".NET Developer" is the original's ".net developer",
    # not "NET Developer" (which the original does not have).
    words = [(m.group(0), m.start(), m.end()) for m in _CAP_WORD_RE.finditer(text)]
    runs: list[tuple[int, int, list[_Word]]] = []
    cur: list[_Word] = []
    for w in words:
        word = w[0].rstrip(".'").lstrip(".")
        first = word[:1]
        # a digit continues a run of capitalized words ("Windows 11")
        cap = first.isupper() or (first.isdigit() and bool(cur) and cur[-1][0][:1].isupper())
        if not cur:
            if cap:
                cur.append(w)
            continue
        # a connector ("of", "&") continues a run too; words are apart by spaces only (\s+)
        if (cap or word.lower() in _CONNECTORS) and text[cur[-1][2] : w[1]].isspace():
            cur.append(w)
            continue
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
    for hit in u.vocab():
        if hit.category == "certification":
            u.add(hit.start, hit.end, "certification", ev.has_keys(hit.keys, u.weak_ok))
    if p.CERT_CUE_RE.search(u.text) is None:
        return
    for m in p.CERT_RE.finditer(u.text):
        s, e = m.start(), m.end()
        if not u.free(s, e):
            continue
        core = tuple(
            k for k in keys_of(m.group(0)) if not k.startswith(("certifi", "licens", "charter"))
        )
        if core:
            u.add(s, e, "certification", ev.has_certified(gkeys(" ".join(core)), u.weak_ok))


def find_degrees_claimed(u: Unit, ev: Evidence) -> None:
    text = u.text
    for d in p.find_degrees_g(text):
        if not u.free(d.start, d.end):
            continue
        field = degree_field(text, d)
        end = d.end
        ok = ev.has_degree(d.level, d.flavor, u.weak_ok)
        if field:
            fstart = text.find(field, d.end)
            end = fstart + len(field)
            ok = ok and ev.has_keys(gkeys(field))
        u.add(d.start, end, "degree", ok)


def find_schools(u: Unit, ev: Evidence) -> None:
    if p.SCHOOL_CUE_RE.search(u.text) is None:
        return
    for m in p.SCHOOL_RE.finditer(u.text):
        s, e = m.start(), m.end()
        phrase = m.group(0)
        lead = re.match(r"(?:(?:Graduated|Attended|Studied|From|At|The)\s+)+", phrase)
        if lead:
            s += lead.end()
        if phrase.strip() in {"School", "College", "University", "Institute", "Academy"}:
            continue
        if u.free(s, e):
            u.add(s, e, "school", ev.has_entity(gkeys(u.text[s:e])))


def find_titles(u: Unit, ev: Evidence) -> None:
    for _start, _end, words in u.cap_runs():
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
        # the same words in one line, any order ("Account Executive, Mid-Market")
        u.add(s, e, "title", ev.has_title(gkeys(u.text[s:e]), u.weak_ok))


_DATE_WORD_RE = re.compile(rf"\b(?:{YEAR}|{p.MONTH_ALT})\b", re.IGNORECASE)
_EMPLOYER_BEFORE_RE = re.compile(r"(?:\bat|@|\bjoined|\bfor client|\bclients?:?)$", re.IGNORECASE)
_HAS_DATE_RE = re.compile(rf"{YEAR}|present", re.IGNORECASE)
_DATE_TAIL_RE = re.compile(
    rf"\(?\b(?:{p.MONTH_ALT})?\.?\s*{YEAR}.*$|\b(?:{p.PRESENT_ALT})\b.*$", re.IGNORECASE
)


def _employer_candidate(u: Unit, ev: Evidence, s: int, e: int) -> None:
    phrase = u.text[s:e].strip(" ,.;:()")
    while phrase.endswith(" I"):  # "At Kroger I managed"
        phrase = phrase[:-2]
        e = s + u.text[s:e].find(phrase) + len(phrase)
    if not phrase or not u.free(s, e):
        return
    low = phrase.lower()
    if low in p.NON_ENTITY or low in p.HEADING_WORDS or re.fullmatch(r"[A-Z]{2}", phrase):
        return
    if all(w.rstrip(".") in p.MONTHS or w in p.PRESENT_WORDS for w in low.split()):
        return  # "März", "Oktober": a month, not an employer
    if _DATE_WORD_RE.search(phrase) and len(phrase.split()) <= 3:
        return
    hits = find_vocab(phrase)
    if hits and sum(h.end - h.start for h in hits) >= len(phrase) - 2:
        return  # a skill/tool, checked as such
    core = _entity_core(phrase)
    if not core:
        return
    u.add(s, e, "employer", ev.has_entity(gkeys(phrase)))


def find_employers(u: Unit, ev: Evidence) -> None:
    text = u.text
    runs = [r for r in u.cap_runs() if r[2]]
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
        # the cue ends the text before the run: its last 11 characters hold it (10 at most, and
        # one for its \b), however long the unit
        before = text[:start].rstrip()[-11:]
        if _EMPLOYER_BEFORE_RE.search(before):
            _employer_candidate(u, ev, start, end)
    header = u.line_start and not u.bullet and u.section in {"experience", ""}
    if header and len(text.split()) <= 14:
        _find_header_employers(u, ev)


def _find_header_employers(u: Unit, ev: Evidence) -> None:
    """Segments of a role header line ("Acme — Engineer (2019 – 2021)") are employer claims."""
    text = u.text
    has_date = _HAS_DATE_RE.search(text) is not None
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
        stripped = _DATE_TAIL_RE.sub("", piece)
        seg = stripped.strip(" ,.;:()\u2013\u2014-")
        if not seg or not _all_caps_words(seg):
            continue
        s = text.find(seg, idx)
        _employer_candidate(u, ev, s, s + len(seg))


def find_skills(u: Unit, ev: Evidence) -> None:
    for hit in u.vocab():
        if re.search(r"[,;|\u00b7\u2022]", u.text[hit.start : hit.end]):
            continue  # a match across list items ("Figma · prototyping") is two items
        if hit.category in {"skill", "tool"} and u.free(hit.start, hit.end):
            u.add(hit.start, hit.end, "skill", ev.has_skill(hit.keys, u.weak_ok))


def find_money(u: Unit, ev: Evidence) -> None:
    if not u.numeric() or p.MONEY_CUE_RE.search(u.text) is None:
        return
    u.add_matches(p.MONEY_RE, "money", lambda m: p.money_value(m) in ev.values)


def find_percentages(u: Unit, ev: Evidence) -> None:
    if not u.numeric() or ("%" not in u.text and p.PERCENT_CUES.isdisjoint(u.cues())):
        return
    u.add_matches(
        p.PERCENT_RE,
        "percentage",
        lambda m: ev.has_measure(p.value(m.group("n"), None), u.context(), percent=True),
    )


def find_team_sizes(u: Unit, ev: Evidence) -> None:
    if not u.numeric() or p.TEAM_CUES.isdisjoint(u.cues()):
        return
    for m in p.TEAM_RE.finditer(u.text):
        if u.free(m.start(), m.end()):
            inner = p.TEAM_CORE_RE.search(m.group(0))
            shown = (m.start() + inner.start(), m.start() + inner.end()) if inner else None
            u.add(m.start(), m.end(), "team_size", p.team_size(m) in ev.team, shown)


_WITH_RE = re.compile(r"\b(?:with|mit|con|avec|having)\s+(?:[\w'-]+\s+){0,3}$", re.IGNORECASE)
_EXPERIENCE_RE = re.compile(
    r"^\W*(?:[\w'-]+\s+){0,3}?(?:\w+)?(?:experience|erfahrung|experiencia|exp\u00e9rience)",
    re.IGNORECASE,
)


def find_durations(u: Unit, ev: Evidence) -> None:
    if not u.numeric() or p.DURATION_CUES.isdisjoint(u.cues()):
        return

    def supported(m: re.Match[str]) -> bool:
        # "with 8 years of experience" may follow from the dates; "for 3 years" may not
        overall = bool(
            _WITH_RE.search(u.text[max(0, m.start() - 60) : m.start()])
            or _EXPERIENCE_RE.match(u.text[m.end() : m.end() + 80])
        )
        return ev.has_duration(p.word_or_num(m.group("n")), p.unit(m.group("u")), overall)

    u.add_matches(p.DURATION_RE, "duration", supported)


def find_dates(u: Unit, ev: Evidence) -> None:
    if not u.numeric() or p.YEAR_IN_RE.search(u.text) is None:
        return
    u.add_matches(p.DATE_RE, "date", lambda m: ev.has_date(*p.date_of(m)))


def find_numbers(u: Unit, ev: Evidence) -> None:
    if not u.numeric():
        return
    for m in p.number_pattern([u.cues()]).finditer(u.text):
        if not u.free(m.start(), m.end()):
            continue
        if m.group("w"):
            if m.group("w").lower() == "one":
                continue
            value = p.word_or_num(m.group("w"))
        else:
            value = p.value(m.group("n"), m.group("m"))
        u.add(m.start(), m.end(), "number", ev.has_measure(value, u.context()))


# ----------------------------------------------------------------------------- identity

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_TLD = r"\.(?:com|org|io|net|co|dev|design|studio|me|app|ai|de|fr|es|mx|uk|eu|info|page|site|ch)"
_LINK_RE = re.compile(
    rf"(?<![\w@.-])(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*{_TLD}"
    r"(?:/[\w./-]*)?(?![\w@])",
    re.IGNORECASE,
)
_PHONE_DIGITS = r"\d[\d ().-]{6,}\d"
_PHONE_RE = re.compile(rf"(?<![\w#])\+?\(?{_PHONE_DIGITS}(?![\w])")
# What every link and phone number holds, without the lookbehinds that leave re no character to
# skip to: a dot and a domain ending; eight digits and separators.
_LINK_CUE_RE = re.compile(_TLD, re.IGNORECASE)
_PHONE_CUE_RE = re.compile(_PHONE_DIGITS)
_CREDENTIALS = frozenset(
    "dr dr. phd ph.d rn bsn msn mba md cpa pe jr sr ii iii mr mrs ms prof".split()
)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _phones(ev: Evidence) -> set[str]:
    """The original's phone numbers, as digits: read once per check, not once per line."""
    if "phones" not in ev.memo:
        ev.memo["phones"] = {_digits(m.group(0)) for m in _PHONE_RE.finditer(ev.raw)}
    phones: set[str] = ev.memo["phones"]
    return phones


def find_identity(u: Unit, ev: Evidence) -> None:
    """Contact details: an email, link or phone number the original does not have, another name
    on the first line, another city on a contact line."""
    raw, low = u.raw, ev.raw_lower
    contact = False
    # an email holds an @, a link a domain ending, a phone number eight digits: most units
    # have none of them
    emails = _EMAIL_RE.finditer(raw) if "@" in raw else ()
    links = _LINK_RE.finditer(raw) if _LINK_CUE_RE.search(raw) else ()
    numbers = _PHONE_RE.finditer(raw) if _PHONE_CUE_RE.search(raw) else ()
    for m in emails:
        contact = True
        u.add(m.start(), m.end(), "identity", m.group(0).lower() in low)
    for m in links:
        if not u.free(m.start(), m.end()) or re.search(r"\.\d", m.group(0)):
            continue
        link = re.sub(r"^(?:https?://)?(?:www\.)?", "", m.group(0).lower()).rstrip("/.")
        contact = True
        u.add(m.start(), m.end(), "identity", link in low)
    for m in numbers:
        digits = _digits(m.group(0))
        if len(digits) < 8 or re.search(rf"(?<!\d){YEAR}(?!\d)", m.group(0)):
            continue
        if not u.free(m.start(), m.end()):
            continue
        contact = True
        phones = _phones(ev)
        ok = any(d.endswith(digits[-8:]) or digits.endswith(d[-8:]) for d in phones if len(d) >= 8)
        u.add(m.start(), m.end(), "identity", ok)
    if u.first and not contact:
        _name_line(u, ev)
    if contact:
        _contact_places(u, ev)


_NOT_NAMES = frozenset("optimized optimised resume résumé cv lebenslauf curriculum".split())


def _name_line(u: Unit, ev: Evidence) -> None:
    head = re.split(r"[,|\u00b7\u2013\u2014]", u.text, maxsplit=1)[0]
    words = head.split()
    if not 2 <= len(words) <= 5 or not all(re.fullmatch(r"[^\W\d_][\w.'-]*", w) for w in words):
        return
    if not all(w[:1].isupper() for w in words):
        return
    lows = {w.lower().strip(".,") for w in words}
    if lows & (p.HEADING_WORDS | p.TITLE_NOUNS | _NOT_NAMES):
        return  # a heading or a title, not a name
    original = " ".join(ev.raw.splitlines()[:3]).lower()
    have = set(keys_of(original))
    keys = [k for k in keys_of(head) if k.rstrip(".") not in _CREDENTIALS]
    first = next((ln for ln in ev.raw.splitlines() if ln.strip()), "")
    if p.find_degrees_g(head) or not set(keys) & set(keys_of(first)):
        return  # not the candidate's name line (an output that starts with a role or degree)
    s = u.text.find(head.strip())
    u.add(s, s + len(head.strip()), "identity", all(k in have for k in keys))


def _contact_places(u: Unit, ev: Evidence) -> None:
    pos = 0
    for seg in re.split(r"\s*[|\u00b7\u2022]\s*|\s{2,}|\s[-\u2013\u2014]\s", u.text):
        idx = u.text.find(seg, pos)
        pos = idx + len(seg)
        place = seg.strip(" ,;")
        if not place or not u.free(idx, idx + len(seg)) or not re.search(r"[^\W\d_]", place):
            continue
        if not place[:1].isupper() or len(place.split()) > 4:
            continue
        s = u.text.find(place, idx)
        u.add(s, s + len(place), "identity", ev.has_entity(gkeys(place)))


# ----------------------------------------------------------------------------- unknown terms

_FILLER = data.words("score_stopwords") | frozenset(
    "a an the and or of in on at for to with by from as is are was be i my our we".split()
)
_EMPLOYER_CUES = re.compile(
    r"(?:\b(?:at|for|by|via|including|clients?|partner|customers?|joined|f\u00fcr|bei|chez|puis|"
    r"groupe|group|proveedor de|cliente|para|pour|collaboration with|acquired by|contractor for)"
    r"|[(&])\s*$",
    re.IGNORECASE,
)
_SKILL_CUES = re.compile(r"\b(?:using|con|mit|avec)\s*$", re.IGNORECASE)
_TOOLISH = re.compile(r"[A-Z]{2,}|[a-z][A-Z]|[A-Za-z]\d|\d[A-Za-z]|[A-Za-z]\+")
_WORD_RE = re.compile(r"[^\W_][\w&'+.#-]*[\w+#]|[^\W_]")


def _known(ev: Evidence, key: str, weak_ok: bool) -> bool:
    return (
        ev.has_word(key, weak_ok)
        or key in ev.plain_words
        or key in _FILLER
        or key.rstrip(".") in p.MONTHS
        or key in p.PRESENT_WORDS
        or key in p.HEADING_WORDS
        or len(key) <= 1
    )


def _all_known(ev: Evidence, word: str, weak_ok: bool) -> bool:
    """Every key of ``word`` is known to the original (memoized per original: a rewrite uses its
    words many times, and most of them are the original's)."""
    memo: dict[tuple[str, bool], bool] = ev.memo.setdefault("known", {})
    known = memo.get((word, weak_ok))
    if known is None:
        keys = gkeys(word)
        known = memo[word, weak_ok] = not keys or all(_known(ev, k, weak_ok) for k in keys)
    return known


def find_languages(u: Unit, ev: Evidence) -> None:
    if _LANGUAGE_NAMES.isdisjoint(u.words()):
        return
    for m in LANGUAGE_RE.finditer(u.text):
        if u.free(m.start(), m.end()):
            e = m.end()
            level = re.match(r"\s*\((?:[ABC][12]|[^)]{1,20})\)", u.text[e:])
            u.add(
                m.start(), e + (level.end() if level else 0), "skill", ev.has_language(m.group(0))
            )


def _is_list(u: Unit) -> list[tuple[int, int]]:
    """The items of a list line ("Python, Go, Kafka"), as spans; [] for prose."""
    parts = [(m.start(), m.end()) for m in re.finditer(r"[^,;|\u00b7\u2022]+", u.text)]
    parts = [(a, b) for a, b in parts if u.text[a:b].strip()]
    if u.section != "skills" and (
        len(parts) < 3 or any(len(u.text[a:b].split()) > 4 for a, b in parts)
    ):
        return []
    return parts


def find_unknown_terms(u: Unit, ev: Evidence) -> None:
    """Names the vocabulary does not know: tool-like words (BlackLine, MEDDICC, GA4) anywhere,
    capitalized names after "at"/"for"/"(acquired by", items of a skills list, and terms of the
    job description, none of them in the original."""
    text = u.text
    items = _is_list(u)
    for a, b in items:
        item = text[a:b]
        lead = len(item) - len(item.lstrip(" :"))
        item = re.sub(r"^[^:]{0,30}:\s*", "", item.strip()) if ":" in item else item.strip()
        s = text.find(item, a + lead) if item else -1
        if s < 0 or not u.free(s, s + len(item)) or re.search(r"\d", item):
            continue
        weak = u.weak_ok and has_qualifier(item)
        keys = [k for k in gkeys(item) if not _known(ev, k, weak)]
        if keys:
            u.add(s, s + len(item.rstrip(" .")), "skill", False)
    groups = _tool_groups(text)
    for m in _WORD_RE.finditer(text):
        s, e = m.start(), m.end()
        word = m.group(0)
        if not u.free(s, e):
            continue
        if _all_known(ev, word, u.weak_ok):
            continue
        wkeys = gkeys(word)
        before = text[max(0, s - 40) : s]  # bounded: a 30,000-character line stays linear
        job = any(k in ev.job_terms for k in wkeys)
        tool = (_TOOLISH.search(word) is not None and not word.isupper()) or (
            word.isupper() and len(word) >= 2 and not _all_upper_line(text)
        )
        cue_employer = word[:1].isupper() and _EMPLOYER_CUES.search(before) is not None
        cue_skill = word[:1].isupper() and (
            _SKILL_CUES.search(before) is not None or any(a <= s < b for a, b in groups)
        )
        if not (job or tool or cue_employer or cue_skill):
            continue
        # extend over the capitalized run ("General Motors", "Siemens NX")
        run = _NAME_RUN_RE.match(text, e)
        end = run.end() if run else e
        phrase = text[s:end].rstrip(" .,;")
        end = s + len(phrase)
        if not u.free(s, end):
            end = e
        kind = "employer" if cue_employer and not (job or tool) else "skill"
        if u.section == "education" and kind == "employer":
            kind = "school"
        u.add(s, end, kind, False)


_NAME_RUN_RE = re.compile(r"(?:\s+(?:[A-Z\u00c0-\u00de][\w&'+.-]*|de|of|&))*")


def _tool_groups(text: str) -> list[tuple[int, int]]:
    """Spans of parentheses that list names ("FEA (ANSYS, Abaqus)"): two or more items of one
    to three words, each capitalized; a name there that the original lacks is a claimed tool."""
    out = []
    for m in re.finditer(r"\(([^()]{3,120})\)", text):
        items = [item.strip() for item in m.group(1).split(",")]
        if len(items) >= 2 and all(item[:1].isupper() and len(item.split()) <= 3 for item in items):
            out.append((m.start(1), m.end(1)))
    return out


def _all_upper_line(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.8 * len(letters)


FINDERS: tuple[Callable[[Unit, Evidence], None], ...] = (
    find_identity,
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
    find_languages,
    find_unknown_terms,
)


def check_unit(u: Unit, ev: Evidence) -> None:
    """Find every claim of ``u``, in ``FINDERS`` order."""
    for finder in FINDERS:
        finder(u, ev)
