"""ATS match score: which job requirements does a resume cover?

How it works (see optimizer/analysis/README.md for the long version):

* ``extract_requirements`` walks the job description line by line, tracks section
  headings ("Requirements" -> must, "Nice to have" -> nice, "About us"/"Benefits" ->
  skipped) and, inside each clause, wording cues ("required", "must" -> must;
  "preferred", "a plus", "bonus" -> nice). Terms come from the vocabulary in
  ``aliases.py`` (skills, tools, certifications), degree and years-of-experience
  patterns, and 2-3 word key phrases outside the vocabulary.
* ``match_score`` looks for every requirement in the resume after normalization
  (case, punctuation, stemming, aliases) and weights must-haves 3x nice-to-haves.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from .facts import RANGE_RE, YEARS_RE, find_degrees, parse_count
from .readability import readability
from .text import Token, canonical, contains_seq, find_vocab, tokens

WEIGHTS = {"must": 3, "nice": 1}
CATEGORIES = ("skill", "tool", "certification", "degree", "experience", "phrase")
MAX_PHRASES = 12
_OUTPUT_CATEGORY = {"concept": "skill", "soft": "skill"}

NICE_CUE_RE = re.compile(
    r"\b(?:preferred|prefer|bonus|nice[\s-]to[\s-]have|good[\s-]to[\s-]have|a plus|plus|"
    r"ideally|ideal|desired|desirable|optional|advantage|advantageous|not required)\b",
    re.IGNORECASE,
)
MUST_CUE_RE = re.compile(
    r"\b(?:required|requires?|must|needs?|minimum|at least|essential|mandatory)\b",
    re.IGNORECASE,
)
_SKIP_HEADING_RE = re.compile(
    r"\b(?:about|benefits?|perks?|compensation|salary|pay|equal opportunity|eeo|"
    r"how to apply|why join|why you'll love|what we offer|we offer|our company|who we are|"
    r"our mission|our team|location|culture)\b",
    re.IGNORECASE,
)
_MUST_HEADING_RE = re.compile(
    r"\b(?:requirements?|qualifications?|must|required|what you need|what you bring|"
    r"you have|you bring|who you are|skills|experience|responsibilities|what you'll do|"
    r"the role|duties)\b",
    re.IGNORECASE,
)
_BULLET_RE = re.compile(r"^\s*(?:[-*•·▪●◦]|\d+[.)])\s+")

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
)


@dataclass(frozen=True, slots=True)
class Requirement:
    term: str
    category: str  # skill|tool|certification|degree|experience|phrase
    importance: str  # must|nice
    keys: tuple[str, ...] = ()
    years: float | None = None
    rank: int | None = None

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "matched": self.matched,
            "missing": self.missing,
            "categories": self.categories,
            "requirements": self.requirements,
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
    words = text.split()
    if len(words) <= 6 and text[:1].isupper() and not re.search(r"[.,;!?]$", text):
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


# --------------------------------------------------------------------------- extraction


def _clauses(line: str) -> list[tuple[int, str]]:
    """Split a line into clauses (sentences and ';' parts) with their offsets."""
    out: list[tuple[int, str]] = []
    pos = 0
    for m in re.finditer(r"(?<=[.!?;])\s+|;\s*", line):
        if m.start() > pos:
            out.append((pos, line[pos : m.start()]))
        pos = m.end()
    if pos < len(line):
        out.append((pos, line[pos:]))
    return out


def _importance_at(clause: str, offset: int, default: str) -> str:
    """Importance for a term at ``offset``: cue in its comma segment, else the nearest
    following cued segment, else the nearest preceding one, else ``default``."""
    segments: list[tuple[int, int, str | None]] = []
    pos = 0
    for m in re.finditer(r"[,()]|\s+(?:but|while|and ideally)\s+", clause):
        segments.append((pos, m.start(), None))
        pos = m.end()
    segments.append((pos, len(clause), None))
    cued: list[tuple[int, int, str | None]] = []
    for start, end, _ in segments:
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


def _phrase_candidates(clause: str, taken: list[tuple[int, int]]) -> list[tuple[int, str]]:
    toks = tokens(clause)
    runs: list[list[Token]] = []
    run: list[Token] = []
    prev_end: int | None = None
    for tok in toks:
        gap = clause[prev_end : tok.start] if prev_end is not None else ""
        blocked = (
            tok.raw.lower() in _STOP
            or tok.key.startswith("~")
            or not tok.raw[0].isalpha()
            or len(tok.raw) < 2
            or any(s < tok.end and tok.start < e for s, e in taken)
            or tok.raw.lower().endswith("ly")
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


def extract_requirements(job_description: str) -> list[Requirement]:
    """Requirements in order of first appearance; duplicates merged (must wins)."""
    found: list[Requirement] = []
    mode: str | None = None
    phrases = 0
    for line in job_description.splitlines():
        heading = _heading(line)
        body = line
        if heading is not None:
            new_mode = _section_mode(heading)
            rest = line.partition(":")[2] if ":" in line else ""
            if new_mode is not None or not rest.strip():
                mode = new_mode
            if not rest.strip():
                continue
            body = rest
        if mode == "skip":
            continue
        default = "nice" if mode == "nice" else "must"
        for _, clause in _clauses(body):
            taken: list[tuple[int, int]] = []
            # years of experience
            for m in YEARS_RE.finditer(clause):
                years = parse_count(m.group("n"))
                after = clause[m.end() : m.end() + 80]
                hits = [h for h in find_vocab(after) if h.category != "soft"]
                subject = hits[0] if hits else None
                if subject is None:
                    seg_start = max(
                        clause.rfind(",", 0, m.start()), clause.rfind("(", 0, m.start())
                    )
                    before = [h for h in find_vocab(clause[seg_start + 1 : m.start()])]
                    subject = before[-1] if before else None
                label = f"{years:g}+ years {subject.term if subject else 'experience'}"
                found.append(
                    Requirement(
                        label,
                        "experience",
                        _importance_at(clause, m.start(), default),
                        subject.keys if subject else (),
                        years,
                    )
                )
                taken.append((m.start(), m.end()))
            # degrees: the lowest level named in a clause is the requirement
            degrees = find_degrees(clause)
            if degrees:
                low = min(degrees, key=lambda d: d.rank)
                term = {
                    "associate": "Associate degree",
                    "bachelor": "Bachelor's degree",
                    "master": "Master's degree",
                    "mba": "MBA",
                    "doctorate": "PhD",
                }[low.level]
                found.append(
                    Requirement(
                        term,
                        "degree",
                        _importance_at(clause, low.start, default),
                        rank=low.rank,
                    )
                )
                taken.extend((d.start, d.end) for d in degrees)
            # vocabulary: skills, tools, certifications
            for hit in find_vocab(clause):
                if any(s <= hit.start < e for s, e in taken):
                    continue
                category = _OUTPUT_CATEGORY.get(hit.category, hit.category)
                found.append(
                    Requirement(
                        hit.term, category, _importance_at(clause, hit.start, default), hit.keys
                    )
                )
                taken.append((hit.start, hit.end))
            # key phrases outside the vocabulary
            for start, text in _phrase_candidates(clause, taken):
                if phrases >= MAX_PHRASES:
                    break
                keys = tuple(t.key for t in canonical(text))
                found.append(
                    Requirement(
                        text.lower(), "phrase", _importance_at(clause, start, default), keys
                    )
                )
                phrases += 1
    merged: dict[tuple[Any, ...], Requirement] = {}
    for req in found:
        prior = merged.get(req.ident)
        if prior is None:
            merged[req.ident] = req
        elif prior.importance == "nice" and req.importance == "must":
            merged[req.ident] = Requirement(
                prior.term, prior.category, "must", prior.keys, prior.years, prior.rank
            )
    return list(merged.values())


# --------------------------------------------------------------------------- resume facts


@dataclass(slots=True)
class _Resume:
    lines: list[str]
    keys: list[tuple[str, ...]]
    skill_years: dict[tuple[str, ...], tuple[float, list[int]]]
    overall: tuple[float, list[int]]
    degrees: list[tuple[int, int]]  # (rank, line index)


def _read_resume(resume: str, today_year: int) -> _Resume:
    lines = [ln.strip() for ln in resume.splitlines()]
    keys = [tuple(t.key for t in canonical(ln)) for ln in lines]
    skill_years: dict[tuple[str, ...], tuple[float, list[int]]] = {}
    overall: tuple[float, list[int]] = (0.0, [])
    intervals: list[tuple[int, int, int]] = []
    degrees: list[tuple[int, int]] = []
    section = ""
    for i, line in enumerate(lines):
        head = _heading(line)
        if head is not None and len(line.split()) <= 4:
            section = head.lower()
        for d in find_degrees(line):
            degrees.append((d.rank, i))
        for _, clause in _clauses(line):
            for m in YEARS_RE.finditer(clause):
                years = parse_count(m.group("n"))
                subjects = [h for h in find_vocab(clause) if h.category != "soft"]
                for h in subjects:
                    best, where = skill_years.get(h.keys, (0.0, []))
                    if years > best:
                        skill_years[h.keys] = (years, [i])
                    elif years == best and i not in where:
                        where.append(i)
                if years > overall[0]:
                    overall = (years, [i])
        if "education" not in section:
            for m in RANGE_RE.finditer(line):
                end = m.group("b")
                end_year = int(end) if end.isdigit() else today_year
                intervals.append((int(m.group("a")), end_year, i))
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
    return _Resume(lines, keys, skill_years, overall, degrees)


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
    hits = [i for i, k in enumerate(res.keys) if contains_seq(k, req.keys)]
    if not hits and len(req.keys) > 1 and req.category in {"phrase", "skill"}:
        # word order may change in a rewrite: "code review" ~ "reviewed code"
        wanted = set(req.keys)
        hits = [i for i, k in enumerate(res.keys) if wanted <= set(k)]
    return hits or None


def match_score(
    resume: str, job_description: str, *, today: datetime.date | None = None
) -> MatchReport:
    """Score ``resume`` against ``job_description`` (0-100, must-haves weigh 3x).

    ``today`` only matters for "2019 - Present" ranges (defaults to the current date).
    """
    reqs = extract_requirements(job_description)
    year = (today or datetime.date.today()).year
    res = _read_resume(resume, year)
    report = MatchReport(score=0, requirements=len(reqs))
    got = total = 0
    cats: dict[str, dict[str, Any]] = {c: {"matched": 0, "total": 0} for c in CATEGORIES}
    for req in reqs:
        weight = WEIGHTS[req.importance]
        total += weight
        cats[req.category]["total"] += 1
        where = _find(res, req)
        if where is None:
            report.missing.append(req.to_dict())
        else:
            got += weight
            cats[req.category]["matched"] += 1
            report.matched.append({**req.to_dict(), "where": _where(res, where)})
    for c in cats.values():
        c["coverage"] = round(c["matched"] / c["total"], 2) if c["total"] else None
    report.categories = {k: v for k, v in cats.items() if v["total"]}
    report.score = int(100 * got / total + 0.5) if total else 0
    return report


def compare_scores(
    original: str, optimized: str, job_description: str, *, today: datetime.date | None = None
) -> dict[str, Any]:
    """Before/after match scores for the API's ``ats_score`` field."""
    before = match_score(original, job_description, today=today)
    after = match_score(optimized, job_description, today=today)
    before_terms = {(m["term"], m["category"]) for m in before.matched}
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
    }
