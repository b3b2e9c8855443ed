"""ATS match score: which job requirements does a resume show, in context?

How it works (see optimizer/analysis/README.md for the long version):

* ``extract_requirements`` walks the job description line by line, tracks section
  headings ("Requirements" -> must, "Nice to have" -> nice, "About us"/"Benefits" ->
  skipped; also in German, Spanish and French) and, inside each clause, wording cues
  ("required", "must" -> must; "preferred", "a plus", "bonus" -> nice). Terms: the job title
  (the ad's first line), skills, tools, certifications and soft skills from the vocabulary in
  ``aliases.py``, degrees, years of experience, and 2-3 word duty phrases outside the
  vocabulary. Never the hiring company, a place, contact details or filler ("hiring").
* ``match_score`` looks for every requirement in the resume lines that use terms in context
  (bullets, sentences, skills lists of reasonable length), after normalization (case,
  punctuation, stemming, aliases). Keyword dumps, repeated terms and lines copied from the job
  ad count for nothing and are reported as ``formatting_issues``. The score is the weighted
  mean of five components (hard skills, soft skills, job title, education and certifications,
  experience years); inside one, must-haves weigh 3x nice-to-haves.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .cues import fold
from .data import words
from .facts import YEAR, YEARS_RE, find_degrees, parse_count
from .readability import readability
from .text import Token, canonical, contains_seq, find_vocab, keys_of, tokens

WEIGHTS = {"must": 3, "nice": 1}
CATEGORIES = ("title", "skill", "tool", "certification", "degree", "experience", "phrase")
MAX_PHRASES = 12
# A skills list longer than this is a keyword dump, not a list a reader goes through.
MAX_LIST_ITEMS = 20
_OUTPUT_CATEGORY = {"concept": "skill", "soft": "skill"}

# (name, label, weight in %): the shape Jobscan and Huntr users know.
COMPONENTS: tuple[tuple[str, str, int], ...] = (
    ("hard_skills", "Hard skills", 45),
    ("soft_skills", "Soft skills", 10),
    ("job_title", "Job title", 15),
    ("education", "Education and certifications", 15),
    ("experience", "Experience years", 15),
)
_COMPONENT_OF = {
    "skill": "hard_skills",
    "tool": "hard_skills",
    "phrase": "hard_skills",
    "concept": "hard_skills",
    "soft": "soft_skills",
    "title": "job_title",
    "degree": "education",
    "certification": "education",
    "experience": "experience",
}

NICE_CUE_RE = re.compile(
    r"\b(?:preferred|prefer|bonus|nice[\s-]to[\s-]have|good[\s-]to[\s-]have|a plus|plus|"
    r"ideally|ideal|desired|desirable|optional|advantage|advantageous|not required|"
    r"wünschenswert|von vorteil|idealerweise|deseable|valorable|se valorará|valorará|"
    r"souhaité|souhaitée|apprécié|appréciée|un atout|atout|un plus)(?!\w)",
    re.IGNORECASE,
)
MUST_CUE_RE = re.compile(
    r"\b(?:required|requires?|must|needs?|minimum|at least|essential|mandatory|"
    r"erforderlich|zwingend|vorausgesetzt|mindestens|obligatorio|imprescindible|requerido|"
    r"requis|requise|exigé|exigée|obligatoire|indispensable)(?!\w)",
    re.IGNORECASE,
)
_SKIP_HEADING_RE = re.compile(
    r"\b(?:about|benefits?|perks?|compensation|salary|pay|equal opportunity|eeo|"
    r"how to apply|why join|why you'll love|what we offer|we offer|our company|who we are|"
    r"our mission|our team|location|culture|über uns|wir bieten|unser angebot|standort|"
    r"sobre nosotros|ofrecemos|beneficios|ubicación|qui sommes-nous|à propos|nous offrons|"
    r"avantages|lieu)(?!\w)",
    re.IGNORECASE,
)
_MUST_HEADING_RE = re.compile(
    r"\b(?:requirements?|qualifications?|must|required|what you need|what you bring|"
    r"you have|you bring|who you are|skills|experience|responsibilities|what you'll do|"
    r"the role|duties|anforderungen|profil|qualifikationen|aufgaben|requisitos|"
    r"responsabilidades|funciones|perfil|exigences|missions|compétences|responsabilités)(?!\w)",
    re.IGNORECASE,
)
_BULLET_RE = re.compile(r"^\s*(?:[-*•·▪●◦]|\d+[.)])\s+")
_TITLE_LABEL_RE = re.compile(
    r"^\s*(?:job title|position|role|title|stelle|stellenbezeichnung|puesto|cargo|poste|"
    r"intitulé du poste|titre du poste)\s*:\s*(?P<t>.+)$",
    re.IGNORECASE,
)
_TITLE_WORDS = words("title_nouns") | words("score_title_words")
_SENIORITY = frozenset(
    "senior sr junior jr lead principal staff i ii iii iv m w d f h x mwd".split()
)
# Contact details never become requirements, and the resume's contact lines count for nothing.
_EMAIL = r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+"
_LINK = r"https?://\S+|www\.\S+|(?:linkedin|github)\.com/\S*"
_PHONE = r"(?<![\w-])\+?\(?\d{2,4}\)?[ .-]?\d{3,4}[ .-]?\d{3,5}(?![\w-])"
_CONTACT_RE = re.compile(f"{_EMAIL}|{_LINK}|{_PHONE}")
# Each kind of contact detail, with what every one of its matches holds: a resume line is tried
# only for the kinds it can hold (the email pattern backtracks over 64 characters at every
# position, and most lines hold a year, not an @).
_CONTACT_KINDS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile("@"), re.compile(_EMAIL)),
    (re.compile(r"://|www\.|\.com/"), re.compile(_LINK)),
    (re.compile(r"\d{3}"), re.compile(_PHONE)),
)
_KEYWORD_LABEL_RE = re.compile(
    r"^\s*(?:ats\s+)?(?:keywords?|key\s*words|key terms|schlüsselwörter|stichworte|"
    r"palabras clave|mots[\s-]clés)\s*:",
    re.IGNORECASE,
)
_LIST_LABEL_RE = re.compile(r"^[^:,;|]{1,40}:\s*")
_LIST_SEPARATORS = ",;|•·▪-"  # what each _LIST_SPLIT_RE match holds one of
_LIST_SPLIT_RE = re.compile(r"\s*(?:[,;|•·▪]|\s-\s)\s*")
# "Acme is hiring", "About Acme", "Join Acme", "At Acme, we": the hiring company's name.
_COMPANY_RES = (
    re.compile(
        r"(?<![\w&'.-])(?P<c>(?:[A-Z][\w&'.-]{0,30}\s+){0,3}[A-Z][\w&'.-]{0,30})\s+(?:is|are)\s+"
        r"(?:hiring|looking)"
    ),
    re.compile(
        r"\b(?:About|Join|At|Über|Sobre|Rejoignez|Chez)\s+"
        r"(?P<c>[A-Z][\w&'.-]{0,30}(?:\s+[A-Z][\w&'.-]{0,30}){0,3})"
    ),
)
_FILLER_HIT_RE = re.compile(r"(?:\b(?:is|are|now|currently|we're|re)\s+$)", re.IGNORECASE)
_YEARS_INTL_RE = re.compile(
    r"(?<![\w.])(?P<n>\d{1,2})\s*\+?\s*(?:(?:-|\u2013|bis|a|à)\s*\d{1,2}\s*)?"
    r"(?:jahre?n?|años|anos|ans|années)(?!\w)",
    re.IGNORECASE,
)
_OPEN_END = (
    r"present|current|now|today|heute|aktuell|jetzt|actualidad|presente|actual|hoy|présent|"
    r"aujourd'hui|ce jour"
)
_RANGE_RE = re.compile(
    rf"(?P<a>{YEAR})\s*(?:-|\u2013|\u2014|to|until|through|bis|hasta|a|à|au)\s*"
    rf"(?:[^\W\d_]{{3,10}}\.?\s+|\d{{1,2}}[/.])?(?P<b>{YEAR}|{_OPEN_END})(?!\w)",
    re.IGNORECASE,
)
_YEAR_IN_RE = re.compile(YEAR)
_EDUCATION_RE = re.compile(r"education|ausbildung|formación|formation|studium")
_SINCE_RE = re.compile(
    rf"\b(?:since|seit|desde|depuis)\s+(?:[^\W\d_]{{3,10}}\.?\s+)?(?P<a>{YEAR})\b", re.IGNORECASE
)
# Degrees in German, Spanish and French (English ones come from facts.find_degrees).
_INTL_DEGREES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:Ausbildung|BTS|DUT|T[ée]cnico Superior|Bac\s*\+\s*2)\b", re.I), "associate"),
    (
        re.compile(
            r"\b(?:Licenciatura|Grado en|Licence|Bac\s*\+\s*3|Hochschulabschluss|Studium)\b", re.I
        ),
        "bachelor",
    ),
    (
        re.compile(
            r"(?:\bM[áa]ster\b|\bMaestr[íi]a\b|\bBac\s*\+\s*5\b|\bDiplom\b|\bMastère\b)", re.I
        ),
        "master",
    ),
    (re.compile(r"\b(?:Doctorado|Doctorat|Promotion)\b"), "doctorate"),
)
_DEGREE_TERM = {
    "associate": "Associate degree",
    "bachelor": "Bachelor's degree",
    "master": "Master's degree",
    "mba": "MBA",
    "doctorate": "PhD",
}
_DEGREE_RANK = {"associate": 1, "bachelor": 2, "master": 3, "mba": 3, "doctorate": 4}

_STOP = frozenset(
    """
a an the and or of for to in on at by with from as is are be been being will would can
could should may might this that these those it its our your their we you they he she
who what which when where why how all any each every both few more most other some such
no nor not only own same so than too very just also into over under about across via per
within without etc e.g i.e eg ie including include includes like using use used new
experience experiences years year yrs ability abilities strong excellent proven solid good
great deep working knowledge understanding skills skill familiarity familiar proficiency
proficient expertise expert background track record team teams role roles candidate
candidates plus preferred prefer required require requires must need needs minimum least
bonus nice ideally ideal desired desirable optional advantage environment fast paced
passion passionate love ability motivated self starter detail oriented hands demonstrated
build building design develop developing lead leading manage managing own drive partner
support help ensure create maintain write improve deliver implement work join looking
seek seeking hiring make take collaborate collaborating closely high quality level related
field equivalent degree similar relevant professional industry company day days week
weeks opportunity position job based remote hybrid office time full part contract
multiple various variety wide range key core best practices world class large small
scale complex modern cutting edge effectively effective clear concise written verbal
successful success responsible responsibility responsibilities across well
""".split()
) | words("score_stopwords")


class Claim(Protocol):
    """A grounding flag, as far as the score needs one."""

    @property
    def phrase(self) -> str: ...

    @property
    def sentence(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Requirement:
    term: str
    category: str  # title|skill|tool|certification|degree|experience|phrase
    importance: str  # must|nice
    keys: tuple[str, ...] = ()
    years: float | None = None
    rank: int | None = None
    component: str = "hard_skills"

    @property
    def ident(self) -> tuple[Any, ...]:
        return (self.category, self.keys, self.years, self.rank)

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "category": self.category, "importance": self.importance}


@dataclass(slots=True)
class MatchReport:
    score: int
    matched: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)
    categories: dict[str, dict[str, Any]] = field(default_factory=dict)
    requirements: int = 0
    components: list[dict[str, Any]] = field(default_factory=list)
    formatting_issues: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "matched": self.matched,
            "missing": self.missing,
            "categories": self.categories,
            "requirements": self.requirements,
            "components": self.components,
            "formatting_issues": self.formatting_issues,
        }


# --------------------------------------------------------------------------- headings


def _heading(line: str) -> str | None:
    """Return the heading text if ``line`` looks like a section heading."""
    text = line.strip()
    if not text or _BULLET_RE.match(line):
        return None
    head, sep, rest = text.partition(":")
    if sep and not rest.strip() and len(head.split()) <= 6:
        return head
    if sep and rest.strip() and len(head.split()) <= 4 and head[:1].isupper():
        return head  # inline heading: "Requirements: 5+ years of Python"
    words_ = text.split()
    if len(words_) <= 6 and text[:1].isupper() and not re.search(r"[.,;!?]$", text):
        return text
    return None


def _section_mode(heading: str) -> str | None:
    if NICE_CUE_RE.search(heading):
        return "nice"
    if _MUST_HEADING_RE.search(heading):
        return "must"
    if _SKIP_HEADING_RE.search(heading):
        return "skip"
    return None


def _title_of(line: str) -> str | None:
    """The job title a job ad's line names: "Job title: X", or a short line of title words
    ("Senior Backend Engineer (m/w/d)", "Registered Nurse - Phoenix, AZ")."""
    labelled = _TITLE_LABEL_RE.match(line)
    text = labelled.group("t") if labelled else line.strip()
    text = re.split(r"\s+[-\u2013\u2014|@]\s+|\s+at\s+|[(,]", text)[0].strip(" *#:")
    raw = [t.raw.lower() for t in tokens(text)]
    if not raw or len(raw) > 8 or re.search(r"[.!?]$", text):
        return None
    if labelled or any(w in _TITLE_WORDS for w in raw):
        return text
    return None


def _title_keys(title: str) -> tuple[str, ...]:
    return tuple(
        t.key for t in canonical(title) if t.key not in _SENIORITY and t.raw.lower() not in _STOP
    )


# --------------------------------------------------------------------------- extraction


_CLAUSE_END_RE = re.compile(r"(?<=[.!?;])\s+|;\s*")


def _clauses(line: str) -> list[tuple[int, str]]:
    """Split a line into clauses (sentences and ';' parts) with their offsets."""
    out: list[tuple[int, str]] = []
    pos = 0
    # a clause ends at one of .!?; (most lines have none: one clause)
    ends = _CLAUSE_END_RE.finditer(line) if any(c in line for c in ".!?;") else ()
    for m in ends:
        if m.start() > pos:
            out.append((pos, line[pos : m.start()]))
        pos = m.end()
    if pos < len(line):
        out.append((pos, line[pos:]))
    return out


def _importance_at(clause: str, offset: int, default: str) -> str:
    """Importance for a term at ``offset``: cue in its comma segment, else the nearest
    following cued segment, else the nearest preceding one, else ``default``."""
    segments: list[tuple[int, int]] = []
    pos = 0
    for m in re.finditer(r"[,()]|\s+(?:but|while|and ideally)\s+", clause):
        segments.append((pos, m.start()))
        pos = m.end()
    segments.append((pos, len(clause)))
    cued: list[tuple[int, int, str | None]] = []
    for start, end in segments:
        seg = clause[start:end]
        cue = "nice" if NICE_CUE_RE.search(seg) else "must" if MUST_CUE_RE.search(seg) else None
        cued.append((start, end, cue))
    idx = next((i for i, (s, e, _) in enumerate(cued) if s <= offset <= e), len(cued) - 1)
    if cued[idx][2]:
        return cued[idx][2] or default
    for _s, _e, cue in cued[idx + 1 :]:
        if cue:
            return cue
    for _s, _e, cue in reversed(cued[:idx]):
        if cue:
            return cue
    return default


def _proper(toks: list[Token], i: int) -> bool:
    """A capitalized name (a company, a place) rather than a duty word: capitalized and not
    the first word of the clause, or the first one followed by another capitalized word."""
    raw = toks[i].raw
    if not raw[0].isupper():
        return False
    if raw.isupper() and len(raw) <= 2:
        return True  # "AZ", "NY": states
    if i > 0:
        return True
    return len(toks) > 1 and toks[1].raw[0].isupper()


def _phrase_candidates(
    clause: str, taken: list[tuple[int, int]], company: frozenset[str]
) -> list[tuple[int, str]]:
    toks = tokens(clause)
    runs: list[list[Token]] = []
    run: list[Token] = []
    prev_end: int | None = None
    for i, tok in enumerate(toks):
        gap = clause[prev_end : tok.start] if prev_end is not None else ""
        low = tok.raw.lower()
        blocked = (
            low in _STOP
            or tok.key.startswith("~")
            or not tok.raw[0].isalpha()
            or len(tok.raw) < 2
            or any(s < tok.end and tok.start < e for s, e in taken)
            or low.endswith("ly")
            or low in company
            or _proper(toks, i)
        )
        if run and (blocked or gap.strip() not in {"", "-"}):
            runs.append(run)
            run = []
        if not blocked:
            run.append(tok)
        prev_end = tok.end
    if run:
        runs.append(run)
    out: list[tuple[int, str]] = []
    for r in runs:
        if len(r) > 3:
            r = r[-2:]
        if len(r) >= 2:
            out.append((r[0].start, clause[r[0].start : r[-1].end]))
    return out


def _company_words(job_description: str) -> frozenset[str]:
    """Lowercased words of the hiring company's name, as the ad introduces it."""
    found: set[str] = set()
    for rx in _COMPANY_RES:
        for m in rx.finditer(job_description):
            for word in m.group("c").split():
                low = word.lower().strip(".,'")
                if low not in _STOP and low not in {"we", "us", "the"}:
                    found.add(low)
    return frozenset(found)


_HEADER_GLUE = frozenset("of for and the de del la le les des du und y et at in".split())


def _header_line(line: str) -> bool:
    """A line under the ad's title that names the employer and place ("Oakridge
    Manufacturing", "Mercy General Hospital, Phoenix, AZ", "Brightline Health - Remote"):
    a few capitalized words, no sentence."""
    words_ = re.findall(r"[^\s,|/()\u2013\u2014-]+", line)
    if not words_ or len(words_) > 8 or re.search(r"[.!?:;]$", line.strip()):
        return False
    return all(w[:1].isupper() or w.lower() in _HEADER_GLUE or w == "&" for w in words_)


# What every match of _INTL_DEGREES, YEARS_RE and _YEARS_INTL_RE holds, folded (cues.py): most
# lines hold none, and are not scanned.
_INTL_DEGREE_CUES = (
    *("ausbildung", "bts", "dut", "cnico superior", "bac", "licenciatura", "grado en"),
    *("licence", "hochschulabschluss", "studium", "ster", "mastère", "maestr", "diplom"),
    *("doctora", "promotion"),
)
_YEARS_CUES = ("year", "yr")
_YEARS_INTL_CUES = ("jahr", "años", "anos", "ans", "années")


def _degrees(clause: str) -> list[tuple[str, int, int]]:
    """(level, offset) of every degree a clause names. "Supervise 25 associates" names none:
    a bare plural "associates" is people, not a degree."""
    out = [
        (d.level, d.start, d.end)
        for d in find_degrees(clause)
        if not re.fullmatch(r"associates|masters", d.text, re.IGNORECASE)
    ]
    folded = fold(clause)
    if any(cue in folded for cue in _INTL_DEGREE_CUES):
        for rx, level in _INTL_DEGREES:
            out.extend((level, m.start(), m.end()) for m in rx.finditer(clause))
    return out


def _years_in(clause: str) -> list[tuple[float, int, int]]:
    """(years, start, end) of each "5+ years" / "5 Jahre" / "5 años" / "5 ans"."""
    folded = fold(clause)
    found = []
    if any(cue in folded for cue in _YEARS_CUES):
        found = [(parse_count(m.group("n")), m.start(), m.end()) for m in YEARS_RE.finditer(clause)]
    if not any(cue in folded for cue in _YEARS_INTL_CUES):
        return found
    for m in _YEARS_INTL_RE.finditer(clause):
        if not any(s <= m.start() < e for _, s, e in found):
            found.append((float(m.group("n")), m.start(), m.end()))
    return found


def extract_requirements(job_description: str) -> list[Requirement]:
    """Requirements in order of first appearance; duplicates merged (must wins)."""
    found: list[Requirement] = []
    mode: str | None = None
    phrases = 0
    company = set(_company_words(job_description))
    first_line = True
    in_header = False  # the lines right under the title: employer and place
    for raw_line in job_description.splitlines():
        line = _CONTACT_RE.sub(" ", raw_line)
        if not line.strip():
            in_header = False
            continue
        heading = _heading(line)
        if first_line or _TITLE_LABEL_RE.match(line):
            first_line = False
            title = None if heading and _section_mode(heading) else _title_of(line)
            if title and (keys := _title_keys(title)):
                found.append(Requirement(title, "title", "must", keys, component="job_title"))
                in_header = True
                continue
        if in_header and _header_line(line) and not (heading and _section_mode(heading)):
            company.update(w.lower().strip(".,'") for w in line.split())
            continue
        in_header = False
        body = line
        if heading is not None:
            new_mode = _section_mode(heading)
            rest = line.partition(":")[2] if ":" in line else ""
            content = not rest.strip() and new_mode is None and bool(find_vocab(line))
            if not content:
                if new_mode is not None or not rest.strip():
                    mode = new_mode
                if not rest.strip():
                    continue
                body = rest
        if mode == "skip":
            continue
        default = "nice" if mode == "nice" else "must"
        for _, clause in _clauses(body):
            found += _clause_requirements(clause, default, frozenset(company))
    merged: dict[tuple[Any, ...], Requirement] = {}
    for req in found:
        if req.category == "phrase" and phrases >= MAX_PHRASES:
            continue
        prior = merged.get(req.ident)
        if prior is None:
            merged[req.ident] = req
            phrases += req.category == "phrase"
        elif prior.importance == "nice" and req.importance == "must":
            merged[req.ident] = Requirement(
                prior.term,
                prior.category,
                "must",
                prior.keys,
                prior.years,
                prior.rank,
                prior.component,
            )
    return list(merged.values())


def _clause_requirements(clause: str, default: str, company: frozenset[str]) -> list[Requirement]:
    found: list[Requirement] = []
    taken: list[tuple[int, int]] = []
    for years, start, end in _years_in(clause):
        hits = [h for h in find_vocab(clause[end : end + 80]) if h.category != "soft"]
        subject = hits[0] if hits else None
        if subject is None:
            seg_start = max(clause.rfind(",", 0, start), clause.rfind("(", 0, start))
            before = find_vocab(clause[seg_start + 1 : start])
            subject = before[-1] if before else None
        label = f"{years:g}+ years {subject.term if subject else 'experience'}"
        importance = _importance_at(clause, start, default)
        keys = subject.keys if subject else ()
        found.append(Requirement(label, "experience", importance, keys, years, None, "experience"))
        taken.append((start, end))
    degrees = _degrees(clause)
    if degrees:
        level, offset, _ = min(degrees, key=lambda d: _DEGREE_RANK[d[0]])
        importance = _importance_at(clause, offset, default)
        found.append(
            Requirement(
                _DEGREE_TERM[level],
                "degree",
                importance,
                rank=_DEGREE_RANK[level],
                component="education",
            )
        )
        taken.extend((start, end) for _, start, end in degrees)
    for hit in find_vocab(clause):
        if any(s <= hit.start < e for s, e in taken):
            continue
        taken.append((hit.start, hit.end))
        if hit.term.lower() in company:
            continue  # "Oracle is hiring": the company, not the tool
        if hit.term == "hiring" and _FILLER_HIT_RE.search(clause[: hit.start]):
            continue  # "we are hiring": filler, not the recruiting skill
        found.append(
            Requirement(
                hit.term,
                _OUTPUT_CATEGORY.get(hit.category, hit.category),
                _importance_at(clause, hit.start, default),
                hit.keys,
                component=_COMPONENT_OF[hit.category],
            )
        )
    for start, text in _phrase_candidates(clause, taken, company):
        keys = tuple(t.key for t in canonical(text))
        importance = _importance_at(clause, start, default)
        found.append(Requirement(text.lower(), "phrase", importance, keys))
    return found


# --------------------------------------------------------------------------- resume lines


@dataclass(slots=True)
class _Resume:
    lines: list[str]
    keys: list[tuple[str, ...]]
    counts: list[bool]  # does the line use its terms in context?
    postings: dict[str, list[int]]  # key -> counting lines that have it
    skill_years: dict[tuple[str, ...], tuple[float, list[int]]]
    overall: tuple[float, list[int]]
    degrees: list[tuple[int, int]]  # (rank, line index)
    issues: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class _Job:
    """What the resume is compared with: the requirements and the ad's own lines."""

    requirements: list[Requirement]
    line_keys: frozenset[tuple[str, ...]]
    grams: frozenset[tuple[str, ...]]
    text: str  # the ad, lowercased
    # copies() of each line's keys: the score reads three versions of one resume per job
    _copies: dict[tuple[str, ...], bool] = field(default_factory=dict, compare=False)

    def copies(self, keys: tuple[str, ...]) -> bool:
        """Most of the line's 5-word runs are the ad's."""
        found = self._copies.get(keys)
        if found is None:
            if len(self._copies) >= _COPIES_KEPT:  # one job read against many resumes
                self._copies.clear()
            grams = [keys[j : j + 5] for j in range(len(keys) - 4)]
            found = bool(grams) and sum(g in self.grams for g in grams) >= 0.6 * len(grams)
            self._copies[keys] = found
        return found


_COPIES_KEPT = 4096


@functools.lru_cache(maxsize=64)
def _job(job_description: str) -> _Job:
    """The job as the score reads it: once per job, not per rewrite (a job's requirements were
    extracted again for every generation against it)."""
    line_keys = [tuple(t.key for t in canonical(line)) for line in job_description.splitlines()]
    grams = {k[i : i + 5] for k in line_keys for i in range(len(k) - 4)}
    return _Job(
        extract_requirements(job_description),
        frozenset(k for k in line_keys if k),
        frozenset(grams),
        job_description.lower(),
    )


# The score reads the original, the rewrite and the rewrite without its flagged claims: three
# texts that share most of their lines. What it reads off one line is cached (LINE_CACHE
# lines), so each line is read once per analysis; clear_caches() empties it.
LINE_CACHE = 8192


@functools.lru_cache(maxsize=LINE_CACHE)
def _list_items(line: str) -> tuple[str, ...]:
    body = _LIST_LABEL_RE.sub("", _BULLET_RE.sub("", line))
    if sum(body.count(c) for c in _LIST_SEPARATORS) < 2:
        return ()  # each separator holds one of them: fewer than three items
    items = tuple(item for item in _LIST_SPLIT_RE.split(body) if item.strip())
    if len(items) < 3 or sum(len(i.split()) for i in items) > 4 * len(items):
        return ()
    return items


@functools.lru_cache(maxsize=LINE_CACHE)
def _repeats(line: str) -> bool:
    """The same item 3+ times in a list, or the same words over and over ("Kubernetes
    Kubernetes Kubernetes ...")."""
    items = _list_items(line)
    if items and Counter(x.strip().lower() for x in items).most_common(1)[0][1] >= 3:
        return True
    keys = keys_of(line)
    return max(Counter(keys).values()) >= 3 and len(set(keys)) * 3 <= len(keys)


@functools.lru_cache(maxsize=LINE_CACHE)
def _contact(line: str) -> bool:
    """``line`` holds a contact detail (email, link, phone number): _CONTACT_RE finds one."""
    return any(cue.search(line) and kind.search(line) for cue, kind in _CONTACT_KINDS)


@functools.lru_cache(maxsize=LINE_CACHE)
def _skills_list(line: str) -> bool:
    """Four or more short items and no dates: a list of skills, not a role line
    ("Math Teacher, Rio Vista High School, 2018 - present")."""
    return len(_list_items(line)) >= 4 and not re.search(r"\b(?:19|20)\d\d\b", line)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what a regex's \w is


def _has_phrase(text: str, phrase: str) -> bool:
    r"""``phrase`` in ``text`` as whole words: what ``(?<!\w)phrase(?!\w)`` finds, without
    compiling a pattern per phrase (hundreds per resume, more than re's cache holds)."""
    start = text.find(phrase)
    while start >= 0:
        end = start + len(phrase)
        if not (start and _is_word_char(text[start - 1])) and not (
            end < len(text) and _is_word_char(text[end])
        ):
            return True
        start = text.find(phrase, start + 1)
    return False


def _mirrors_job(items: Sequence[str], job: _Job, elsewhere: Iterable[tuple[str, ...]]) -> bool:
    """A list of the job's own phrases, word for word, that covers much of the job and names
    job terms the rest of the resume never shows: the ad's keywords pasted back. A candidate's
    own skills list ("Postgres, k8s, Git") and a tailored list of what the bullets show count."""
    terms = [r.keys for r in job.requirements if r.keys and r.category != "experience"]
    if len(items) < 4 or len(terms) < 3:
        return False
    verbatim = sum(_has_phrase(job.text, item.strip().lower()) for item in items)
    if verbatim < 0.8 * len(items):
        return False
    hits: set[tuple[str, ...]] = set()
    for item in items:
        keys = tuple(t.key for t in canonical(item))
        hits.update(t for t in terms if contains_seq(keys, t))
    if len(hits) < 0.5 * len(terms):
        return False
    rest = list(elsewhere)
    unused = [t for t in hits if not any(contains_seq(k, t) for k in rest)]
    return len(unused) >= 2


def _classify(
    lines: list[str], keys: list[tuple[str, ...]], job: _Job
) -> tuple[list[bool], list[dict[str, Any]]]:
    """Which lines count, and the formatting problems of those that do not."""
    n = len(lines)
    counts = [bool(k) for k in keys]
    problems: dict[str, list[int]] = {
        "keyword_dump": [],
        "copied_from_job": [],
        "repeated_terms": [],
    }
    same_as_job = [bool(k) and k in job.line_keys for k in keys]
    prose = [j for j in range(n) if keys[j] and not _skills_list(lines[j])]  # not lists of terms
    for i in range(n):
        if not counts[i]:
            continue
        k = keys[i]
        if len(k) <= 12 and _contact(lines[i]):
            counts[i] = False  # the candidate's contact line
            continue
        copied = job.copies(k)
        if not copied and same_as_job[i]:
            # a short line that is also a line of the ad counts unless it is in a run of them
            lo = hi = i
            while lo > 0 and (same_as_job[lo - 1] or not keys[lo - 1]):
                lo -= 1
            while hi < n - 1 and (same_as_job[hi + 1] or not keys[hi + 1]):
                hi += 1
            copied = sum(same_as_job[lo : hi + 1]) >= 3
        if copied:
            problems["copied_from_job"].append(i)
            counts[i] = False
            continue
        items = _list_items(lines[i])
        if _repeats(lines[i]):
            problems["repeated_terms"].append(i)
            counts[i] = False
        elif (
            _KEYWORD_LABEL_RE.match(lines[i])
            or len(items) > MAX_LIST_ITEMS
            or (items and _mirrors_job(items, job, (keys[j] for j in prose)))
        ):
            problems["keyword_dump"].append(i)
            counts[i] = False
    messages = {
        "keyword_dump": "A keyword list (a dump of terms, or the job's own list) counts for "
        "nothing: name each skill where you used it, or in a short skills list.",
        "copied_from_job": "Lines copied from the job description count for nothing; ATS and "
        "recruiters treat a pasted job ad as keyword stuffing.",
        "repeated_terms": "Repeating a term does not raise the match; it reads as keyword "
        "stuffing.",
    }
    issues = [
        {
            "issue": kind,
            "message": messages[kind],
            "lines": [_BULLET_RE.sub("", lines[i])[:120] for i in idx[:3]],
            "count": len(idx),
        }
        for kind, idx in problems.items()
        if idx
    ]
    return counts, issues


@functools.lru_cache(maxsize=LINE_CACHE)
def _line_reading(
    line: str,
) -> tuple[tuple[int, ...], tuple[tuple[float, tuple[tuple[str, ...], ...]], ...]]:
    """The rank of each degree ``line`` names, and each "N years" it states with the skills
    (not soft ones) of its clause."""
    ranks = tuple(_DEGREE_RANK[level] for level, _, _ in _degrees(line))
    stated = tuple(
        (years, tuple(h.keys for h in find_vocab(clause) if h.category != "soft"))
        for _, clause in _clauses(line)
        for years, _s, _e in _years_in(clause)
    )
    return ranks, stated


@functools.lru_cache(maxsize=LINE_CACHE)
def _line_spans(line: str) -> tuple[tuple[int, int | None], ...]:
    """The date ranges of ``line``, as (start year, end year or None for "present")."""
    if _YEAR_IN_RE.search(line) is None:
        return ()  # each range names a year
    spans: list[tuple[int, int | None]] = []
    for m in _RANGE_RE.finditer(line):
        end = m.group("b")
        spans.append((int(m.group("a")), int(end) if end.isdigit() else None))
    spans.extend((int(m.group("a")), None) for m in _SINCE_RE.finditer(line))
    return tuple(spans)


def clear_caches() -> None:
    _job.cache_clear()
    _original_score.cache_clear()
    _list_items.cache_clear()
    _line_reading.cache_clear()
    _line_spans.cache_clear()
    _contact.cache_clear()
    _repeats.cache_clear()
    _skills_list.cache_clear()


def _read_resume(resume: str, job: _Job, today_year: int) -> _Resume:
    lines = [ln.strip() for ln in resume.splitlines()]
    keys = [keys_of(ln) for ln in lines]
    counts, issues = _classify(lines, keys, job)
    postings: dict[str, list[int]] = {}
    skill_years: dict[tuple[str, ...], tuple[float, list[int]]] = {}
    overall: tuple[float, list[int]] = (0.0, [])
    intervals: list[tuple[int, int, int]] = []
    degrees: list[tuple[int, int]] = []
    education = False  # in an education section: its date ranges are not work
    for i, line in enumerate(lines):
        head = _heading(line)
        if head is not None and len(line.split()) <= 4:
            education = _EDUCATION_RE.search(head.lower()) is not None
        if not counts[i]:
            continue
        for key in set(keys[i]):
            postings.setdefault(key, []).append(i)
        ranks, stated = _line_reading(line)
        degrees.extend((rank, i) for rank in ranks)
        for years, skills in stated:
            for skill in skills:
                best, where = skill_years.get(skill, (0.0, []))
                if years > best:
                    skill_years[skill] = (years, [i])
                elif years == best and i not in where:
                    where.append(i)
            if years > overall[0]:
                overall = (years, [i])
        if not education:
            for start, end in _line_spans(line):
                intervals.append((start, today_year if end is None else end, i))
    if intervals:
        intervals.sort()
        total = 0
        cur_start, cur_end = intervals[0][0], intervals[0][1]
        for a, b, _ in intervals[1:]:
            if a > cur_end:
                total += cur_end - cur_start
                cur_start, cur_end = a, b
            else:
                cur_end = max(cur_end, b)
        total += cur_end - cur_start
        if total > overall[0]:
            overall = (float(total), sorted({i for _, _, i in intervals}))
    return _Resume(lines, keys, counts, postings, skill_years, overall, degrees, issues)


def _where(res: _Resume, indexes: list[int]) -> list[str]:
    seen: list[str] = []
    for i in indexes:
        text = _BULLET_RE.sub("", res.lines[i]).strip()
        if text and text not in seen:
            seen.append(text)
        if len(seen) == 3:
            break
    return seen


def _find(res: _Resume, req: Requirement) -> list[int] | None:
    if req.category == "experience":
        if req.keys:
            stated = res.skill_years.get(req.keys)
            if stated and req.years is not None and stated[0] >= req.years:
                return stated[1]
        if req.years is not None and res.overall[0] >= req.years:
            return res.overall[1]
        return None
    if req.category == "degree":
        hits = [i for rank, i in res.degrees if req.rank is not None and rank >= req.rank]
        return hits or None
    if not req.keys:
        return None
    candidates = res.postings.get(req.keys[0], [])
    if req.category in {"title", "phrase"}:
        # a title is held and a duty is done (a role line, a bullet, a summary): a skills list
        # naming either is the ad's wording pasted back
        candidates = [i for i in candidates if not _skills_list(res.lines[i])]
    hits = [i for i in candidates if contains_seq(res.keys[i], req.keys)]
    if not hits and len(req.keys) > 1 and req.category in {"phrase", "skill", "title"}:
        # word order may change in a rewrite: "code review" ~ "reviewed code"
        wanted = set(req.keys)
        hits = [i for i in candidates if wanted <= set(res.keys[i])]
    return hits or None


def _score(resume: str, job: _Job, today: datetime.date | None) -> MatchReport:
    reqs = job.requirements
    res = _read_resume(resume, job, (today or datetime.date.today()).year)
    report = MatchReport(score=0, requirements=len(reqs), formatting_issues=res.issues)
    cats: dict[str, dict[str, Any]] = {c: {"matched": 0, "total": 0} for c in CATEGORIES}
    parts: dict[str, dict[str, Any]] = {
        name: {
            "name": name,
            "label": label,
            "weight": weight,
            "got": 0,
            "total": 0,
            "matched": [],
            "missing": [],
        }
        for name, label, weight in COMPONENTS
    }
    for req in reqs:
        weight = WEIGHTS[req.importance]
        part = parts[req.component]
        part["total"] += weight
        cats[req.category]["total"] += 1
        where = _find(res, req)
        if where is None:
            report.missing.append(req.to_dict())
            part["missing"].append({"term": req.term, "importance": req.importance})
        else:
            part["got"] += weight
            cats[req.category]["matched"] += 1
            lines = _where(res, where)
            report.matched.append({**req.to_dict(), "where": lines})
            part["matched"].append(
                {"term": req.term, "importance": req.importance, "line": lines[0] if lines else ""}
            )
    for c in cats.values():
        c["coverage"] = round(c["matched"] / c["total"], 2) if c["total"] else None
    report.categories = {k: v for k, v in cats.items() if v["total"]}
    weighted = weights = 0.0
    for part in parts.values():
        got, total = part.pop("got"), part.pop("total")
        part["score"] = round(100 * got / total) if total else None
        if total:
            weighted += part["weight"] * got / total
            weights += part["weight"]
        report.components.append(part)
    report.score = int(100 * weighted / weights + 0.5) if weights else 0
    return report


def match_score(
    resume: str, job_description: str, *, today: datetime.date | None = None
) -> MatchReport:
    """Score ``resume`` against ``job_description`` (0-100; see ``COMPONENTS``).

    ``today`` only matters for "2019 - Present" ranges (defaults to the current date).
    """
    return _score(resume, _job(job_description), today)


@functools.lru_cache(maxsize=64)
def _original_score(original: str, job_description: str, today: datetime.date) -> MatchReport:
    """The original's score: the same for every rewrite of it, so read once (prime() reads it
    while the rewrite streams). Read only: compare_scores never changes it."""
    return _score(original, _job(job_description), today)


def prime(original: str, job_description: str) -> None:
    """Read the job and score the original now, before the rewrite ends: compare_scores()
    then scores the rewrite alone."""
    _original_score(original, job_description, datetime.date.today())


def _claims(unsupported: Iterable[str | Mapping[str, Any] | Claim]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for claim in unsupported:
        if isinstance(claim, str):
            out.append((claim, ""))
        elif isinstance(claim, Mapping):
            out.append((str(claim.get("phrase", "")), str(claim.get("sentence", ""))))
        else:
            out.append((claim.phrase, claim.sentence))
    return [(p, s) for p, s in out if p.strip()]


def without_claims(text: str, unsupported: Iterable[str | Mapping[str, Any] | Claim]) -> str:
    """``text`` with each unsupported phrase blanked where it was claimed (in the lines holding
    its sentence; everywhere when the sentence is not found, or not given)."""
    lines = text.splitlines()
    for phrase, sentence in _claims(unsupported):
        rx = re.compile(re.escape(phrase), re.IGNORECASE)
        where = [i for i, line in enumerate(lines) if sentence and sentence in line]
        for i in where or range(len(lines)):
            lines[i] = rx.sub(" ", lines[i])
    return "\n".join(lines)


def compare_scores(
    original: str,
    optimized: str,
    job_description: str,
    *,
    today: datetime.date | None = None,
    unsupported: Iterable[str | Mapping[str, Any] | Claim] | None = None,
) -> dict[str, Any]:
    """Before/after match scores for the API's ``ats_score`` field.

    ``unsupported``: the grounding check's flags (or their phrases). What only they match adds
    nothing to ``after``; ``if_flagged_true`` is the score were they true.
    """
    job = _job(job_description)
    before = _original_score(original, job_description, today or datetime.date.today())
    as_written = _score(optimized, job, today)
    claims = list(unsupported or [])
    after = _score(without_claims(optimized, claims), job, today) if claims else as_written
    before_terms = {(m["term"], m["category"]) for m in before.matched}
    after_terms = {(m["term"], m["category"]) for m in after.matched}
    must = [m["term"] for m in after.matched if m["importance"] == "must"]
    format_before = readability(original, must)
    format_after = readability(optimized, must)
    return {
        "before": before.score,
        "after": after.score,
        "delta": after.score - before.score,
        "matched": after.matched,
        "missing": after.missing,
        "newly_matched": [
            m for m in after.matched if (m["term"], m["category"]) not in before_terms
        ],
        "categories": after.categories,
        "requirements": after.requirements,
        "readability": {
            "before": format_before["score"],
            "after": format_after["score"],
            "checks": format_after["checks"],
        },
        # each component with its score before the rewrite too (the page's before/after gauges)
        "components": [
            {**part, "before": before_part["score"]}
            for part, before_part in zip(after.components, before.components, strict=True)
        ],
        "formatting_issues": as_written.formatting_issues,
        "if_flagged_true": as_written.score,
        "matched_only_by_flagged_claims": [
            m["term"] for m in as_written.matched if (m["term"], m["category"]) not in after_terms
        ],
    }
