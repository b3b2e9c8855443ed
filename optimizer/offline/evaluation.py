"""How well the offline engine tailors, measured on a set of resumes: the figures of
`manage.py evaluate_offline` and of tests/test_offline_eval.py.

Per case (a JSON file: language, layout, resume, job, alias_terms):
  grounding flags  claims in the output the original does not support (optimizer.analysis)
  lost lines       original lines with a fact missing from the output (facts below)
  score            the match score before and after (optimizer.analysis.compare_scores)
  readability      the ATS readability score before and after
  job wording      alias_terms: job terms the resume has under another name; each must be in
                   the output as the job spells it. The score already credits most other names
                   (its alias table); where it did not before, it must rise.

A line's facts are what a reader would miss: its numbers (month numbers of dates compared as
months, so "03/2019" and "Mar 2019" are one fact), its capitalized words that do not open a
sentence (names, employers, places, products), its other words of four letters or more, and
the skills and tools it names. A line is kept when one output line, or two in a row (a header
line split in two), holds all of its facts; a verb in -ing is kept by the same verb in another
form ("Responsible for building" -> "Built"). Heading lines are structure, not facts: a heading
renamed to the standard name loses nothing.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optimizer.analysis import check_grounding, compare_scores, match_score
from optimizer.analysis.text import find_vocab, keys_of
from optimizer.llm.validator import parse_sections
from optimizer.offline.engine import known_heading, optimize_offline

_MONTHS = {
    name: index + 1
    for index, names in enumerate(
        (
            "january jan januar janvier enero",
            "february feb februar février fevrier febrero",
            "march mar märz maerz mars marzo",
            "april apr avril abril",
            "may mai mayo",
            "june jun juni juin junio",
            "july jul juli juillet julio",
            "august aug août aout agosto",
            "september sep sept septembre septiembre",
            "october oct oktober octobre octubre",
            "november nov novembre noviembre",
            "december dec dezember décembre decembre diciembre",
        )
    )
    for name in names.split()
}
_WORD_RE = re.compile(r"[^\W_]+(?:[.+#][^\W_]+)*[+#]*")
_NUMERIC_DATE_RE = re.compile(r"\b(0?[1-9]|1[0-2])\s?[/.-]\s?((?:19|20)\d\d)\b")
_ISO_DATE_RE = re.compile(r"\b((?:19|20)\d\d)-(0[1-9]|1[0-2])\b")
# Words whose going is no loss: the weak openings the engine rewrites, and filler.
_FUNCTION_WORDS = frozenset(
    "responsible charge worked tasked with from that this into than then were have been "
    "also which their there".split()
)
# "to date" in any of the four languages: one fact, however it is written.
_PRESENT = frozenset("present current currently now today heute aujourd'hui actualidad".split())
_MARKER_RE = re.compile(r"^\s*(?:[^\w\s]+|\(?\d{1,2}[.)])\s+")
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;•|()\-–—]\s*|\t)$")


@dataclass
class CaseResult:
    name: str
    language: str
    layout: str
    grounding: list[str]
    lost_lines: list[str]
    score_before: int
    score_after: int
    readability_before: int
    readability_after: int
    alias_terms: list[str]
    alias_terms_missing: list[str] = field(default_factory=list)
    alias_terms_scored_before: list[str] = field(default_factory=list)

    @property
    def score_must_rise(self) -> bool:
        """A job term under another name that the score did not credit before."""
        return bool(set(self.alias_terms) - set(self.alias_terms_scored_before))

    def passed(self) -> bool:
        return (
            not self.grounding
            and not self.lost_lines
            and not self.alias_terms_missing
            and self.score_after >= self.score_before
            and (self.score_after > self.score_before or not self.score_must_rise)
            and self.readability_after >= self.readability_before
        )

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def load_cases(directory: Path) -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))}


def facts(line: str) -> set[str]:
    """The facts of one line, normalized (lower case; dates as month/year)."""
    found: set[str] = set()
    line = _MARKER_RE.sub("", line)  # a bullet or list number is layout, not a fact
    text = _NUMERIC_DATE_RE.sub(lambda m: f" month{int(m.group(1))} {m.group(2)} ", line)
    text = _ISO_DATE_RE.sub(lambda m: f" month{int(m.group(2))} {m.group(1)} ", text)
    for match in _WORD_RE.finditer(text):
        word = match.group(0)
        lower = word.lower()
        if lower in _MONTHS:
            found.add(f"month{_MONTHS[lower]}")
        elif lower in _PRESENT:
            found.add("present")
        elif any(ch.isdigit() for ch in word):
            found.add(lower)
        elif word[:1].isupper() and not _SENTENCE_START_RE.search(text[: match.start()]):
            found.add(lower)
        elif len(word) >= 4 and lower not in _FUNCTION_WORDS:
            found.add(lower)
    for hit in find_vocab(line):
        found.add(" ".join(hit.keys))
        # and as written ("JS"): the vocabulary reads "React, JS" as one React
        found.update(w.lower() for w in _WORD_RE.findall(line[hit.start : hit.end]))
    return found


def _line_facts(line: str) -> set[str]:
    """What one output line can support: its facts and any of its words (a name that now opens
    a bullet, say)."""
    words = [w.lower() for w in _WORD_RE.findall(line)]
    months = {f"month{_MONTHS[w]}" for w in words if w in _MONTHS}
    found = facts(line) | set(words) | months | ({"present"} if _PRESENT & set(words) else set())
    # A skill the job names ("JavaScript (JS)") supports its other name's canonical form too.
    return found | {" ".join(keys_of(w)) for w in words if keys_of(w)}


_IRREGULAR_PAST = {"running": "ran", "leading": "led", "writing": "wrote", "overseeing": "oversaw"}


def _missing(wanted: set[str], have: set[str]) -> set[str]:
    def same_verb(fact: str) -> bool:
        if not (fact.endswith("ing") and len(fact) > 5):
            return False
        return _IRREGULAR_PAST.get(fact) in have or any(h[:3] == fact[:3] for h in have)

    return {fact for fact in wanted - have if not same_verb(fact)}


def lost_lines(original: str, optimized: str) -> list[str]:
    outputs = [_line_facts(line) for line in optimized.splitlines() if line.strip()]
    windows = outputs + [a | b for a, b in itertools.pairwise(outputs)]
    lost = []
    for line in original.splitlines():
        if not line.strip() or known_heading(line) is not None:
            continue
        wanted = facts(line)
        gaps = [_missing(wanted, have) for have in windows] or [wanted]
        if all(gaps):
            closest = min(gaps, key=len)
            lost.append(f"{line.strip()}  [missing: {', '.join(sorted(closest))}]")
    return lost


def evaluate(name: str, case: dict[str, Any]) -> CaseResult:
    answer = optimize_offline(case["resume"], case["job"])
    sections, _missing = parse_sections(answer)
    optimized = sections["optimized_resume"]
    score = compare_scores(case["resume"], optimized, case["job"])
    alias_terms = case.get("alias_terms", [])
    credited = {keys_of(m["term"]) for m in match_score(case["resume"], case["job"]).matched}
    return CaseResult(
        name=name,
        language=case["language"],
        layout=case["layout"],
        grounding=added_flags(case["resume"], optimized),
        lost_lines=lost_lines(case["resume"], optimized),
        score_before=score["before"],
        score_after=score["after"],
        readability_before=score["readability"]["before"],
        readability_after=score["readability"]["after"],
        alias_terms=alias_terms,
        alias_terms_missing=[t for t in alias_terms if not _spelled(optimized, t)],
        alias_terms_scored_before=[t for t in alias_terms if keys_of(t) in credited],
    )


def added_flags(original: str, optimized: str) -> list[str]:
    """Grounding flags on the output that the original does not raise against itself: the
    check has false positives of its own (".NET Developer" is flagged in the original too),
    and those are not the engine's doing."""
    own = {flag.phrase for flag in check_grounding(original, original)}
    return [f.message for f in check_grounding(original, optimized) if f.phrase not in own]


def _spelled(text: str, term: str) -> bool:
    """Is ``term`` in ``text`` as written (case-insensitive, whole words)?"""
    pattern = r"(?<![\w.])" + re.escape(term) + r"(?![\w])"
    return bool(re.search(pattern, text, re.IGNORECASE)) and bool(keys_of(term))
