"""The match score's evaluation set: ordering (better > original > worse) and stuffing.

Each item of ``tests/data/score_eval.json`` has a job, the candidate's original resume, an
honest better-tailored version and a worse one. ``stuffed_variants`` derives the ways people
game ATS scores from the original: a keyword line, the pasted job ad, the job's terms repeated
ten times, and the job's terms as a bare list. A stuffed resume must not score more than
``MAX_STUFFING_GAIN`` points above the resume it was stuffed into.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .score import extract_requirements, match_score
from .text import canonical

MAX_STUFFING_GAIN = 5


def job_keywords(job_description: str) -> list[str]:
    """The job's requirements in the ad's own words ("BLS", not "Basic Life Support"), as a
    person stuffing a resume copies them."""
    out: list[str] = []
    requirements = extract_requirements(job_description)  # once, not once per line
    for line in job_description.splitlines():
        toks = canonical(line)
        keys = [t.key for t in toks]
        for req in requirements:
            n = len(req.keys)
            for i in range(len(keys) - n + 1 if n else 0):
                if tuple(keys[i : i + n]) == req.keys:
                    word = line[toks[i].start : toks[i + n - 1].end]
                    if word.lower() not in {w.lower() for w in out}:
                        out.append(word)
                    break
    return out


def stuffed_variants(resume: str, job_description: str) -> dict[str, str]:
    terms = job_keywords(job_description)
    bullets = [ln for ln in job_description.splitlines() if re.match(r"\s*[-*\u2022]\s", ln)]
    lines = resume.splitlines()
    middle = len(lines) // 2
    return {
        "keyword_line": f"{resume}\nKeywords: {', '.join(terms)}",
        "bare_list": f"{resume}\n{', '.join(terms)}",
        "shuffled_list": f"{resume}\n{', '.join(terms[1::2] + terms[::2])}",
        "skills_list_mid": "\n".join(
            [*lines[:middle], f"Skills: {', '.join(terms)}", *lines[middle:]]
        ),
        "pasted_job_ad": f"{resume}\n\n{job_description}",
        "pasted_job_bullets": "\n".join([resume, *bullets]),
        "repeated_10x": f"{resume}\nSkills: {', '.join(t for t in terms for _ in range(10))}",
        "line_repeated_10x": "\n".join([resume, *[", ".join(terms)] * 10]),
        "words_repeated_10x": "\n".join([resume, " ".join(t for t in terms for _ in range(10))]),
    }


def score_report(
    items: Iterable[Mapping[str, Any]], *, today: datetime.date | None = None
) -> dict[str, Any]:
    """Scores of every item and the figures the targets are about."""
    rows: list[dict[str, Any]] = []
    for item in items:
        job = item["job"]
        scores = {
            version: match_score(item[version], job, today=today).score
            for version in ("worse", "original", "better")
        }
        # stuffed into the original and into the honest tailored version alike
        stuffing = {
            f"{base}+{name}": match_score(text, job, today=today).score - scores[base]
            for base in ("original", "better")
            for name, text in stuffed_variants(item[base], job).items()
        }
        rows.append(
            {
                "id": item["id"],
                "language": item.get("language", "en"),
                **scores,
                "ordered": scores["better"] > scores["original"] > scores["worse"],
                "stuffing_gain": stuffing,
            }
        )
    gains = [g for row in rows for g in row["stuffing_gain"].values()]
    return {
        "items": len(rows),
        "languages": sorted({row["language"] for row in rows}),
        "ordered": sum(row["ordered"] for row in rows),
        "max_stuffing_gain": max(gains, default=0),
        "stuffing_over_limit": [
            (row["id"], name)
            for row in rows
            for name, gain in row["stuffing_gain"].items()
            if gain > MAX_STUFFING_GAIN
        ],
        "rows": rows,
    }
