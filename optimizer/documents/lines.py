"""Classify the lines of a plain-text resume so every exporter renders it the same way.

The product's resume text is: a name line, a contact line, then ATS-standard section
headings in capitals, role lines like ``Senior Engineer — Acme Corp (Jan 2019 – Mar 2022)``
and ``- `` bullets.  This parser is deliberately small and forgiving: it never drops a line,
it only decides how a line should be styled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

LineKind = Literal["name", "contact", "heading", "role", "bullet", "text"]

# Canonical ATS section names and the spellings people use for them.  Keys are compared
# after ``heading_key`` normalisation (lower case, "&" -> "and", punctuation dropped).
HEADING_ALIASES: dict[str, tuple[str, ...]] = {
    "SUMMARY": (
        "summary",
        "professional summary",
        "career summary",
        "executive summary",
        "summary of qualifications",
        "qualifications summary",
        "profile",
        "professional profile",
        "career profile",
        "personal profile",
        "about me",
        "about",
        "objective",
        "career objective",
        "professional objective",
        "personal statement",
        "overview",
        "professional overview",
    ),
    "EXPERIENCE": (
        "experience",
        "work experience",
        "professional experience",
        "relevant experience",
        "work history",
        "employment",
        "employment history",
        "career history",
        "career experience",
        "professional background",
        "professional history",
        "clinical experience",
        "sales experience",
        "industry experience",
    ),
    "EDUCATION": (
        "education",
        "academic background",
        "educational background",
        "academic qualifications",
        "academics",
        "education and training",
        "education and qualifications",
        "academic history",
    ),
    "SKILLS": (
        "skills",
        "technical skills",
        "key skills",
        "core skills",
        "core competencies",
        "competencies",
        "key competencies",
        "areas of expertise",
        "expertise",
        "skills and abilities",
        "skills and competencies",
        "skill set",
        "skillset",
        "technologies",
        "tools and technologies",
        "technical proficiencies",
        "technical expertise",
        "clinical skills",
        "professional skills",
    ),
    "CERTIFICATIONS": (
        "certifications",
        "certification",
        "certificates",
        "licenses",
        "licences",
        "licenses and certifications",
        "licences and certifications",
        "certifications and licenses",
        "certifications and licences",
        "professional certifications",
        "credentials",
    ),
    "PROJECTS": (
        "projects",
        "personal projects",
        "key projects",
        "selected projects",
        "side projects",
    ),
    "AWARDS": (
        "awards",
        "honors",
        "honours",
        "honors and awards",
        "awards and honors",
        "achievements",
    ),
    "PUBLICATIONS": ("publications", "papers"),
    "LANGUAGES": ("languages", "language skills"),
    "VOLUNTEER EXPERIENCE": (
        "volunteer experience",
        "volunteering",
        "volunteer work",
        "volunteer",
        "community involvement",
    ),
    "AFFILIATIONS": (
        "affiliations",
        "professional affiliations",
        "memberships",
        "professional memberships",
    ),
    "TRAINING": ("training", "professional development", "courses", "coursework"),
    "INTERESTS": ("interests", "hobbies", "hobbies and interests"),
    "REFERENCES": ("references",),
}

_ALIAS_TO_CANONICAL: dict[str, str] = {
    alias: canonical for canonical, aliases in HEADING_ALIASES.items() for alias in aliases
}

BULLET_GLYPHS = "•●▪◦■□▫‣⁃∙○◆◇►▸▹➢➤✓✔❖\uf0b7\uf0a7\uf076\uf0d8\uf0fc"
_BULLET_RE = re.compile(rf"^\s*(?:[{re.escape(BULLET_GLYPHS)}*·]|[-–—](?=\s))\s*")
_YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b|\bPresent\b", re.IGNORECASE)
_CONTACT_RE = re.compile(
    r"@|https?://|www\.|linkedin|github\.com|\+?\d[\d\s().-]{6,}\d|\s\|\s",
    re.IGNORECASE,
)


def heading_key(line: str) -> str:
    """Normalise a candidate heading for alias lookup."""
    text = line.strip().strip(":").strip()
    text = text.replace("&", " and ").replace("/", " and ")
    text = re.sub(r"[^\w\s]", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def canonical_heading(line: str) -> str | None:
    """Return the ATS-standard heading for a known alias, else None."""
    return _ALIAS_TO_CANONICAL.get(heading_key(line))


def looks_like_heading(line: str) -> bool:
    """A known section alias, or a short all-capitals line without digits."""
    stripped = line.strip().rstrip(":").strip()
    if not stripped or len(stripped) > 40:
        return False
    if canonical_heading(stripped):
        return True
    if _BULLET_RE.match(stripped) or any(ch.isdigit() for ch in stripped):
        return False
    letters = [ch for ch in stripped if ch.isalpha()]
    return (
        len(letters) >= 3
        and all(not ch.islower() for ch in letters)
        and any(ch.isupper() for ch in letters)
        and len(stripped.split()) <= 5
        and "@" not in stripped
    )


def looks_like_contact(line: str) -> bool:
    return bool(_CONTACT_RE.search(line))


def strip_bullet(line: str) -> tuple[bool, str]:
    """Return (is_bullet, text without the bullet marker)."""
    match = _BULLET_RE.match(line)
    if match:
        return True, line[match.end() :].strip()
    return False, line.strip()


@dataclass(frozen=True, slots=True)
class Line:
    kind: LineKind
    text: str


def parse_resume_lines(text: str) -> list[Line]:
    """Classify each non-empty line of a plain-text resume.

    The first line is the name unless it looks like a heading; lines before the first
    heading are contact lines when they carry an email, phone, URL or " | " separator,
    otherwise plain text (a headline).  After the first heading, bullets are lines starting
    with a bullet marker, roles are non-bullet lines that carry a year or "Present".
    """
    result: list[Line] = []
    seen_heading = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            continue
        if looks_like_heading(line):
            seen_heading = True
            result.append(Line("heading", line.rstrip(":").strip()))
            continue
        is_bullet, body = strip_bullet(line)
        if is_bullet and body:
            result.append(Line("bullet", body))
            continue
        if not result:
            result.append(Line("name", line))
            continue
        if not seen_heading:
            result.append(Line("contact" if looks_like_contact(line) else "text", line))
            continue
        if _YEAR_RE.search(line) and len(line) <= 160 and not line.endswith("."):
            result.append(Line("role", line))
            continue
        result.append(Line("text", line))
    return result
