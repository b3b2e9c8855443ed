"""ATS readability: can a parser read this resume's layout? Deterministic checks, 0-100.

The match score measures keywords; an honest rewrite cannot add keywords the candidate lacks.
What it can improve is how reliably an ATS parses the document, so that is scored separately:
standard section headings, one bullet style, no tables or tab columns, no decorative glyphs, one
date format, and the job's must-have terms visible in the top third.
"""

from __future__ import annotations

import re
from typing import Any

STANDARD_HEADINGS = {
    "SUMMARY",
    "EXPERIENCE",
    "EDUCATION",
    "SKILLS",
    "CERTIFICATIONS",
    "PROJECTS",
    "AWARDS",
    "PUBLICATIONS",
    "LANGUAGES",
    "VOLUNTEER EXPERIENCE",
    "CONTACT",
}
_BULLET = re.compile(r"^\s*([-*•●▪◦■►➤✓✔–·]|\d+[.)])\s+")
_GLYPHS = re.compile("[★☆✓✔✗➤►■□▪◆◇●○♦✦✧☎✉⚫\U0001f300-\U0001faff]|[═─━│┃┌┐└┘]{2,}")
_TABLE = re.compile(r"\t|\S\s*\|\s*\S.*\|")
_DATES = {
    "Mon YYYY": re.compile(
        r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{4}\b"
    ),
    "MM/YYYY": re.compile(r"\b\d{1,2}/\d{4}\b"),
    "YYYY-MM": re.compile(r"\b\d{4}-\d{2}\b"),
}


def _heading_like(line: str) -> str | None:
    text = line.strip().strip(":#*_ ").strip()
    if text and len(text) <= 40 and not _BULLET.match(line) and (text.isupper() or text.istitle()):
        if len(text.split()) <= 4 and not any(ch.isdigit() or ch in ",;|" for ch in text):
            return text
    return None


def readability(resume: str, must_terms: list[str] | None = None) -> dict[str, Any]:
    lines = [line for line in resume.splitlines() if line.strip()]
    headings = [h for line in lines[1:] if (h := _heading_like(line))]
    standard = [h for h in headings if h.upper() in STANDARD_HEADINGS]
    bullets = {m.group(1) for line in lines if (m := _BULLET.match(line))}
    date_styles = {name for name, rx in _DATES.items() if rx.search(resume)}
    top = "\n".join(lines[: -(-len(lines) // 3)]).lower()
    terms = must_terms or []
    prominent = [t for t in terms if t.lower() in top]
    checks = [
        (
            "standard_headings",
            bool(headings) and len(standard) == len(headings),
            f"{len(standard)} of {len(headings)} section headings use standard names",
        ),
        ("one_bullet_style", len(bullets) <= 1, f"bullet styles used: {len(bullets)}"),
        # A contact line in the header ("email | city | linkedin") is fine; columns below are not.
        ("no_tables", not any(_TABLE.search(line) for line in lines[3:]), "no tabs or | columns"),
        ("no_decorative_glyphs", not _GLYPHS.search(resume), "no symbols, emoji or box lines"),
        ("one_date_format", len(date_styles) <= 1, f"date formats used: {len(date_styles)}"),
        (
            "keywords_near_top",
            not terms or len(prominent) * 2 >= len(terms),
            f"{len(prominent)} of {len(terms)} must-have terms in the top third",
        ),
    ]
    passed = sum(1 for _, ok, _ in checks if ok)
    return {
        "score": round(100 * passed / len(checks)),
        "checks": [{"check": name, "passed": ok, "detail": detail} for name, ok, detail in checks],
    }
