"""What a job description says about the job: its title and, when it says so, the company.

Used where a person needs to recognise an optimization (history, file names). A guess from the
text, never sent to the model: the first line is the title ("Senior Python Developer at Acme"
gives both), a "Company: X" line names the company.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LABEL_RE = re.compile(r"^(?:job\s+title|title|position|role)\s*:\s*", re.IGNORECASE)
_COMPANY_LINE_RE = re.compile(r"^(?:company|employer|organi[sz]ation)\s*:\s*(.+)$", re.IGNORECASE)
# "Title at Company", "Title — Company", "Title | Company", "Title @ Company".
_SPLIT_RE = re.compile(r"\s+(?:at|@|\||—|–|-)\s+", re.IGNORECASE)
# A first line longer than this, or with more words, or ending like a sentence, is a sentence
# ("We are looking for..."), not a title.
TITLE_MAX_CHARS = 80
TITLE_MAX_WORDS = 8


@dataclass(frozen=True, slots=True)
class JobPosting:
    title: str
    company: str


def parse_job_posting(description: str) -> JobPosting:
    lines = [line.strip(" \t-*#") for line in description.splitlines()]
    lines = [line for line in lines if line]
    company = ""
    for line in lines[:15]:
        if match := _COMPANY_LINE_RE.match(line):
            company = match.group(1).strip()[:TITLE_MAX_CHARS]
            break
    title = _LABEL_RE.sub("", lines[0]).strip() if lines else ""
    if (
        len(title) > TITLE_MAX_CHARS
        or len(title.split()) > TITLE_MAX_WORDS
        or title.endswith((".", "!", "?"))
    ):
        return JobPosting(title="", company=company)
    parts = _SPLIT_RE.split(title, maxsplit=1)
    if len(parts) == 2 and parts[0] and parts[1]:
        title, company = parts[0].strip(), company or parts[1].strip()
    return JobPosting(title=title, company=company)


# Where an ad names its company in running text: "About Acme", "Join Acme", "at Acme".
_ABOUT_RE = re.compile(r"^(?:about|join|why)\s+(?!us\b|the\b|you\b|this\b|our\b)(.+?)[:!.]?$", re.I)
_AT_RE = re.compile(r"\b(?:at|join)\s+((?:[A-Z][\w&'.-]*)(?:\s+(?:[A-Z][\w&'.-]*|&|of)){0,3})")
COMPANY_MAX_WORDS = 5


def hiring_company(description: str) -> str:
    """The company a job ad names, for a letter to address it: a "Company:" line or a title
    line ("Developer at Acme"), else an "About Acme" heading, else "at Acme" in the first
    lines; "" when the ad names none (the letter then greets the hiring team)."""
    if company := parse_job_posting(description).company:
        return company
    lines = [line.strip(" \t-*#") for line in description.splitlines()]
    lines = [line for line in lines if line][:15]
    for line in lines:
        match = _ABOUT_RE.match(line)
        # A name starts with a capital: "Why join us?" names no company.
        name = match.group(1).strip() if match else ""
        if name[:1].isupper() and len(name.split()) <= COMPANY_MAX_WORDS:
            return name
    for line in lines[:5]:
        if match := _AT_RE.search(line):
            return match.group(1).rstrip(".,;:").strip()
    return ""
