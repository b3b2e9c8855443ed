"""Deterministic resume optimizer used when no Anthropic API key is configured.

It only restructures the candidate's own content: standard headings, one bullet style,
no table/tab layouts or decorative glyphs, one date style, job-relevant skills and bullets
first, and a summary line built from facts already in the resume.  Keywords the job asks
for but the resume lacks are suggested under CHANGES MADE, never inserted.

The answer has the same three sections as the model's: OPTIMIZED RESUME, CHANGES MADE,
EXPECTED IMPROVEMENT.  Same input, same output, byte for byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from optimizer.analysis.facts import MONTH_ABBR, MONTH_ALT, MONTHS, YEAR
from optimizer.analysis.patterns import TITLE_NOUNS
from optimizer.analysis.score import extract_requirements
from optimizer.analysis.text import any_line_contains, canonical, keys_of, lines_keys, spelling
from optimizer.documents.lines import (
    BULLET_GLYPHS,
    canonical_heading,
    looks_like_contact,
    looks_like_heading,
)

OFFLINE_MODEL_NAME = "offline-ats-v1"

# The vocabulary (skills, aliases, month names, title words) is optimizer.analysis's, so the
# keywords suggested here are the requirements the match score counts.

_KEYWORD_CATEGORIES = frozenset({"skill", "tool", "certification", "phrase"})

# --------------------------------------------------------------------------- regexes

_MONTH_NAME_YEAR_RE = re.compile(rf"\b({MONTH_ALT})\.?,?\s+({YEAR})\b(?!\s*[/.-]\d)", re.IGNORECASE)
_NUMERIC_MONTH_YEAR_RE = re.compile(rf"(?<![\d/.\-])(0?[1-9]|1[0-2])\s?[/-]\s?({YEAR})(?![\d/.\-])")
_NUMERIC_RANGE_RE = re.compile(
    rf"(?<![\d/.\-])(0?[1-9]|1[0-2])/({YEAR})\s*[-–—]\s*(0?[1-9]|1[0-2])/({YEAR})(?![\d/.\-])"
)
_DOT_MONTH_YEAR_RE = re.compile(rf"(?<![\d/.\-])(0[1-9]|1[0-2])\.({YEAR})(?![\d/.\-])")
_YEAR_MONTH_RE = re.compile(rf"(?<![\d/.\-])({YEAR})[/-](0[1-9]|1[0-2])(?![\d/.\-])")
_DATE = rf"(?:(?:{'|'.join(MONTH_ABBR)}) {YEAR}|{YEAR})"
_PRESENT = r"(?:present|current|currently|now|today|to date|ongoing|date)"
_RANGE_RE = re.compile(
    rf"({_DATE})\s*(?:-{{1,2}}|–|—|to|until|through|thru)\s*({_DATE}|{_PRESENT})\b",
    re.IGNORECASE,
)
_CANON_RANGE_RE = re.compile(rf"{_DATE}(?: – (?:{_DATE}|Present))?")
_ANY_DATE_RE = re.compile(rf"\b{YEAR}\b")

_BULLET_RE = re.compile(
    rf"^\s*(?:[{re.escape(BULLET_GLYPHS)}*·]|[-–—+](?=\s)|\(?\d{{1,2}}[.)](?=\s)|o(?=\s+[A-Z]))\s*"
)
_SEPARATOR_LINE_RE = re.compile(r"^[\s\-=_*~#•·.─━═│┃|+]{3,}$")
# Emoji, dingbats, misc symbols, geometric shapes, box drawing and variation selectors.
_DECORATIVE_RE = re.compile(
    "[\u2500-\u259f\u25a0-\u25ff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff"
    "\U0001f000-\U0001faff\ufe0f\u200d\u20e3\uf000-\uf0ff]"
)
_COLUMN_SPLIT_RE = re.compile(r"\t+|\s{3,}|\s+\|\s+|\s*\|\s*(?=\S)(?<=\S\|)|\s+[•·]\s+")
_PARTS_SPLIT_RE = re.compile(r"\s+[—–|-]\s+|\s+at\s+|\s+@\s+|,\s+(?=[A-Z][^,]*$)")


def _clean_glyphs(line: str) -> tuple[str, int]:
    cleaned, count = _DECORATIVE_RE.subn("", line)
    if count:
        cleaned = re.sub(r"[ ]{2,}", " ", cleaned).strip()
    return cleaned, count


# --------------------------------------------------------------------------- dates


def normalize_dates(line: str) -> tuple[str, int]:
    """Rewrite month/year dates as ``Jan 2019`` and ranges as ``A – B``; count changes."""
    original = line

    def month_name(match: re.Match[str]) -> str:
        return f"{MONTH_ABBR[MONTHS[match.group(1).lower().rstrip('.')] - 1]} {match.group(2)}"

    def numeric(match: re.Match[str]) -> str:
        return f"{MONTH_ABBR[int(match.group(1)) - 1]} {match.group(2)}"

    def year_month(match: re.Match[str]) -> str:
        return f"{MONTH_ABBR[int(match.group(2)) - 1]} {match.group(1)}"

    def date_range(match: re.Match[str]) -> str:
        end = match.group(2)
        if re.fullmatch(_PRESENT, end, re.IGNORECASE):
            end = "Present"
        return f"{match.group(1)} – {end}"

    def numeric_range(match: re.Match[str]) -> str:
        start = MONTH_ABBR[int(match.group(1)) - 1]
        end = MONTH_ABBR[int(match.group(3)) - 1]
        return f"{start} {match.group(2)} – {end} {match.group(4)}"

    line = _MONTH_NAME_YEAR_RE.sub(month_name, line)
    line = _NUMERIC_RANGE_RE.sub(numeric_range, line)
    line = _NUMERIC_MONTH_YEAR_RE.sub(numeric, line)
    line = _DOT_MONTH_YEAR_RE.sub(numeric, line)
    line = _YEAR_MONTH_RE.sub(year_month, line)
    line = _RANGE_RE.sub(date_range, line)
    if line == original:
        return line, 0
    return line, 1


# --------------------------------------------------------------------------- keywords


@dataclass(frozen=True)
class _Keyword:
    text: str  # as the job ad writes it
    keys: tuple[str, ...]  # normalized (optimizer.analysis.text), for matching


def _job_keywords(job_description: str, limit: int = 20) -> list[_Keyword]:
    """The job's named skills, tools, certifications and key phrases: must-haves first, named
    terms before free phrases, then in order of appearance."""
    requirements = [
        r
        for r in extract_requirements(job_description)
        if r.category in _KEYWORD_CATEGORIES and r.keys
    ]
    requirements.sort(key=lambda r: (r.importance != "must", r.category == "phrase"))
    toks = canonical(job_description)
    keywords: list[_Keyword] = []
    seen: set[tuple[str, ...]] = set()
    for requirement in requirements:
        if requirement.keys in seen:
            continue
        seen.add(requirement.keys)
        text = spelling(job_description, requirement.keys, toks) or requirement.term
        keywords.append(_Keyword(text, requirement.keys))
        if len(keywords) >= limit:
            break
    return keywords


def extract_job_keywords(job_description: str, limit: int = 20) -> list[str]:
    """Important terms of a job ad, most important first (deterministic)."""
    return [keyword.text for keyword in _job_keywords(job_description, limit)]


def _mentions(lines: list[tuple[str, ...]], text: str) -> bool:
    """Does one of ``lines`` (``lines_keys`` of a text) contain ``text``, normalized?"""
    return any_line_contains(lines, keys_of(text))


def _keyword_hits(text: str, keywords: list[_Keyword]) -> list[_Keyword]:
    lines = lines_keys(text)
    return [k for k in keywords if any_line_contains(lines, k.keys)]


# --------------------------------------------------------------------------- structure


@dataclass
class _Section:
    heading: str | None  # canonical heading, or None for the header zone / unknown text
    original_heading: str | None = None
    lines: list[str] = field(default_factory=list)


@dataclass
class _Changes:
    headings: list[str] = field(default_factory=list)
    capitalized: int = 0
    bullets: int = 0
    layout: int = 0
    glyphs: int = 0
    separators: int = 0
    dates: int = 0
    roles: int = 0
    skills_moved: list[str] = field(default_factory=list)
    bullet_roles: int = 0
    summary: str = ""
    sections_moved: bool = False


def _split_columns(line: str) -> list[str]:
    parts = [part.strip(" ,;") for part in _COLUMN_SPLIT_RE.split(line)]
    return [part for part in parts if part]


def _split_items(text: str) -> list[str]:
    """Split a skills line on , ; | • · and tabs, respecting parentheses."""
    items: list[str] = []
    depth = 0
    current = ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        if depth == 0 and ch in ",;|•·\t":
            items.append(current)
            current = ""
        else:
            current += ch
    items.append(current)
    return [item.strip() for item in items if item.strip()]


def _format_role(line: str, changes: _Changes) -> str:
    """``Title — Employer (Start – End)`` from a line that contains a date."""
    matches = list(_CANON_RANGE_RE.finditer(line))
    if not matches:
        return line
    match = max(matches, key=lambda m: (len(m.group(0)), m.start()))
    dates = match.group(0)
    rest = (line[: match.start()] + " " + line[match.end() :]).strip()
    rest = re.sub(r"\(\s*\)|\[\s*\]", " ", rest)
    rest = re.sub(r"\s+", " ", rest).strip(" ,;|–—-:()\t")
    if not rest:
        return line
    parts = [p.strip(" ,;|–—-:()") for p in _PARTS_SPLIT_RE.split(rest)]
    parts = [p for p in parts if p]
    formatted = f"{' — '.join(parts)} ({dates})"
    if formatted != line:
        changes.roles += 1
    return formatted


def _role_title(role_line: str) -> str | None:
    head = role_line.rsplit(" (", 1)[0]
    for part in head.split(" — "):
        words = {w.lower().strip(".,") for w in part.split()}
        if words & TITLE_NOUNS and len(part) <= 60:
            return part.strip()
    return None


# --------------------------------------------------------------------------- engine


def _preprocess(resume: str, changes: _Changes) -> list[str]:
    """Clean glyphs, separators, bullets; return raw lines with '- ' bullets."""
    text = resume.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines: list[str] = []
    for raw in text.split("\n"):
        line = raw.rstrip()
        if not line.strip():
            lines.append("")
            continue
        if _SEPARATOR_LINE_RE.match(line.strip()) and not re.search(r"\w", line):
            changes.separators += 1
            lines.append("")
            continue
        bullet = _BULLET_RE.match(line)
        if bullet:
            marker = line[: bullet.end()].strip()
            body = line[bullet.end() :]
            if marker != "-":
                changes.bullets += 1
            body, glyphs = _clean_glyphs(body)
            changes.glyphs += glyphs
            if body:
                lines.append("- " + body.strip())
            continue
        line, glyphs = _clean_glyphs(line)
        changes.glyphs += glyphs
        if not line.strip():
            lines.append("")
            continue
        if re.fullmatch(r"[\s\-=_*~#.]{3,}", line):
            changes.separators += 1
            lines.append("")
            continue
        lines.append(line.strip() if "\t" not in line else line.strip(" "))
    return lines


def _sectionize(lines: list[str], changes: _Changes) -> list[_Section]:
    sections: list[_Section] = [_Section(heading=None)]
    for line in lines:
        candidate = line.strip().rstrip(":").strip()
        if candidate and not line.startswith("- ") and looks_like_heading(candidate):
            canonical = canonical_heading(candidate) or candidate.upper()
            if canonical.lower() != candidate.lower():
                changes.headings.append(f"{candidate} → {canonical}")
            elif canonical != candidate:
                changes.capitalized += 1
            sections.append(_Section(heading=canonical, original_heading=candidate))
            continue
        sections[-1].lines.append(line)
    return sections


def _process_header(section: _Section, changes: _Changes) -> tuple[list[str], str | None]:
    """Name line, one contact line, then any headline lines."""
    name: str | None = None
    contacts: list[str] = []
    others: list[str] = []
    for line in section.lines:
        if not line.strip():
            continue
        if line.startswith("- "):
            line = line[2:]
        cells = _split_columns(line) if re.search(r"\t|\s{3,}|\||\s[•·]\s", line) else [line]
        if len(cells) > 1:
            changes.layout += 1
        if name is None and not looks_like_contact(cells[0]):
            name = cells[0]
            cells = cells[1:]
        # A line that carries any contact detail is kept whole (e.g. "email | City, ST");
        # a short "City, ST" line on its own is part of the contact details too.
        if any(looks_like_contact(cell) or _is_location(cell) for cell in cells):
            contacts.extend(cells)
        else:
            others.extend(cells)
    result: list[str] = []
    if name:
        result.append(name)
    if contacts:
        result.append(" | ".join(contacts))
    result.extend(others)
    headline = None
    for other in others:
        if {w.lower().strip(".,") for w in other.split()} & TITLE_NOUNS and len(other) <= 80:
            headline = other
            break
    return result, headline


_LOCATION_RE = re.compile(r"^[A-Z][\w .'-]{1,30},\s*[A-Z][\w .'-]{1,25}$")


def _is_location(cell: str) -> bool:
    words = {w.lower().strip(".,") for w in cell.split()}
    return bool(_LOCATION_RE.match(cell)) and not words & TITLE_NOUNS


_ROLE_SECTIONS = {"EXPERIENCE", "PROJECTS", "VOLUNTEER EXPERIENCE"}


def _process_body(section: _Section, changes: _Changes) -> list[str]:
    out: list[str] = []
    for line in section.lines:
        if not line.strip():
            if out and out[-1] != "":
                out.append("")
            continue
        is_bullet = line.startswith("- ")
        body = line[2:] if is_bullet else line
        has_columns = bool(re.search(r"\t|\s{3,}|\s\|\s", body))
        body, dated = normalize_dates(body)
        changes.dates += dated
        has_date = bool(_ANY_DATE_RE.search(body)) or "Present" in body
        if is_bullet:
            if has_columns:
                body = ", ".join(_split_columns(body))
                changes.layout += 1
            # Continuation lines of a wrapped bullet were merged earlier; keep as is.
            out.append("- " + body)
            continue
        if has_date and (has_columns or section.heading in _ROLE_SECTIONS):
            if has_columns:
                changes.layout += 1
                body = " — ".join(_split_columns(body))
            formatted = _format_role(body, changes)
            if formatted == body and not has_columns and out and _date_only(body):
                # A date on its own line right after the title/employer line.
                previous = next((i for i in range(len(out) - 1, -1, -1) if out[i]), None)
                date = _CANON_RANGE_RE.search(body)  # found: _date_only(body) held
                if date and previous is not None and not out[previous].startswith("- "):
                    out[previous] = f"{out[previous]} ({date.group(0)})"
                    changes.roles += 1
                    continue
            out.append(formatted)
            continue
        if has_columns:
            changes.layout += 1
            body = ", ".join(_split_columns(body))
        # A lower-case line following a bullet is that bullet's wrapped tail.
        if out and out[-1].startswith("- ") and body[:1].islower():
            out[-1] = f"{out[-1]} {body}"
            continue
        out.append(body)
    while out and out[-1] == "":
        out.pop()
    while out and out[0] == "":
        out.pop(0)
    return out


def _date_only(line: str) -> bool:
    match = _CANON_RANGE_RE.search(line)
    return match is not None and not line.replace(match.group(0), "").strip(" ()|,–—-")


def _reorder_bullets(lines: list[str], keywords: list[_Keyword], changes: _Changes) -> list[str]:
    """Within each block of bullets, move the most job-relevant ones up (stable)."""
    result: list[str] = []
    block: list[str] = []
    moved_blocks = 0

    def score(bullet: str) -> int:
        return len(_keyword_hits(bullet, keywords))

    def flush() -> None:
        nonlocal moved_blocks
        if block:
            ordered = sorted(block, key=lambda b: -score(b))
            if ordered != block:
                moved_blocks += 1
            result.extend(ordered)
            block.clear()

    for line in lines:
        if line.startswith("- "):
            block.append(line)
        else:
            flush()
            result.append(line)
    flush()
    changes.bullet_roles += moved_blocks
    return result


def _process_skills(
    lines: list[str], keywords: list[_Keyword], job_lines: list[tuple[str, ...]], changes: _Changes
) -> tuple[list[str], list[str]]:
    """Reorder skills so those the job asks for come first; keep all, add none.

    Returns the new lines and the candidate's matching skills (their own wording).
    """
    groups: list[tuple[str | None, list[str]]] = []
    loose: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        body = line[2:] if line.startswith("- ") else line
        label_match = re.match(r"^([A-Za-z][\w &/+-]{1,40}):\s*(.+)$", body)
        if label_match:
            groups.append((label_match.group(1).strip(), _split_items(label_match.group(2))))
        else:
            loose.extend(_split_items(body))
    if loose:
        groups.insert(0, (None, loose))

    def relevance(item: str) -> int:
        terms = [item, *[p.strip() for p in re.split(r"[()/,]", item) if p.strip()]]
        return sum(1 for term in dict.fromkeys(terms) if _mentions(job_lines, term))

    matched: list[str] = []
    new_groups: list[tuple[str | None, list[str], int]] = []
    for label, items in groups:
        ordered = sorted(items, key=lambda item: -min(relevance(item), 1))
        for item in ordered:
            if relevance(item) and item not in matched:
                matched.append(item)
        if ordered != items:
            changes.skills_moved.extend(
                i for i in ordered if relevance(i) and i not in changes.skills_moved
            )
        new_groups.append((label, ordered, sum(1 for i in ordered if relevance(i))))
    sorted_groups = sorted(new_groups, key=lambda g: -g[2])
    if [g[0] for g in sorted_groups] != [g[0] for g in new_groups]:
        for _label, items, _n in sorted_groups:
            for item in items:
                if relevance(item) and item not in changes.skills_moved:
                    changes.skills_moved.append(item)
    out = [
        f"{label}: {', '.join(items)}" if label else ", ".join(items)
        for label, items, _ in sorted_groups
    ]
    # Matched skills ordered by the job's keyword order where possible.
    key_rank = {k.keys: i for i, k in enumerate(keywords)}  # keys are unique per keyword
    matched.sort(key=lambda item: key_rank.get(keys_of(item), len(keywords)))
    return out, matched


def _top_third(lines: list[str]) -> str:
    content = [line for line in lines if line.strip()]
    return "\n".join(content[: max(1, len(content) // 3)])


def optimize_offline(resume: str, job_description: str) -> str:
    """Restructure ``resume`` for ``job_description`` using only the candidate's own facts."""
    changes = _Changes()
    keywords = _job_keywords(job_description)
    job_lines = lines_keys(job_description)

    lines = _preprocess(resume, changes)
    sections = _sectionize(lines, changes)
    header_lines, headline = _process_header(sections[0], changes)

    body_sections: list[_Section] = []
    matched_skills: list[str] = []
    first_role_title: str | None = None
    for section in sections[1:]:
        processed = _process_body(section, changes)
        if section.heading == "SKILLS":
            processed, found = _process_skills(processed, keywords, job_lines, changes)
            matched_skills.extend(s for s in found if s not in matched_skills)
        elif section.heading in _ROLE_SECTIONS:
            processed = _reorder_bullets(processed, keywords, changes)
        if section.heading == "EXPERIENCE" and first_role_title is None:
            for line in processed:
                if not line.startswith("- ") and line.endswith(")"):
                    first_role_title = _role_title(line)
                    if first_role_title:
                        break
        if section.heading is not None and section.heading in [s.heading for s in body_sections]:
            # Two sections with the same canonical name: merge them.
            target = next(s for s in body_sections if s.heading == section.heading)
            target.lines.extend(["", *processed] if target.lines else processed)
            continue
        body_sections.append(_Section(heading=section.heading, lines=processed))

    present = _keyword_hits(resume, keywords)
    missing = [k.text for k in keywords if k not in present]

    # SUMMARY line from the candidate's own title and matching skills.
    title = headline or first_role_title
    skills_for_summary = matched_skills[:4]
    if not skills_for_summary:
        skills_section = next((s for s in body_sections if s.heading == "SKILLS"), None)
        if skills_section and skills_section.lines:
            first = skills_section.lines[0]
            skills_for_summary = _split_items(first.split(": ", 1)[-1])[:3]
    summary_line = ""
    if title or skills_for_summary:
        listed = ""
        if skills_for_summary:
            listed = (
                skills_for_summary[0]
                if len(skills_for_summary) == 1
                else ", ".join(skills_for_summary[:-1]) + " and " + skills_for_summary[-1]
            )
        if title and listed:
            summary_line = f"{title} skilled in {listed}."
        elif title:
            summary_line = f"{title}."
        else:
            summary_line = f"Skilled in {listed}."
    summary = next((s for s in body_sections if s.heading == "SUMMARY"), None)
    if summary_line:
        if summary is None:
            summary = _Section(heading="SUMMARY", lines=[summary_line])
            body_sections.insert(0, summary)
            changes.summary = "added"
        else:
            existing = lines_keys("\n".join(summary.lines))
            if not all(_mentions(existing, s) for s in skills_for_summary):
                summary.lines.insert(0, summary_line)
                changes.summary = "prepended"

    # ATS-friendly order: SUMMARY, SKILLS, then everything else as the candidate had it.
    order = {"SUMMARY": 0, "SKILLS": 1}
    reordered = sorted(
        body_sections, key=lambda s: order.get(s.heading or "", 2) if s.heading else -1
    )
    if [s.heading for s in reordered] != [s.heading for s in body_sections]:
        changes.sections_moved = True
    body_sections = reordered

    out_lines: list[str] = list(header_lines)
    for section in body_sections:
        if not section.lines and section.heading is None:
            continue
        if out_lines:
            out_lines.append("")
        if section.heading:
            out_lines.append(section.heading)
        out_lines.extend(section.lines)
    optimized = "\n".join(out_lines).strip("\n")
    optimized = re.sub(r"\n{3,}", "\n\n", optimized)

    changes_text = _describe_changes(changes, missing)
    before_top = _keyword_hits(_top_third(resume.splitlines()), keywords)
    after_top = _keyword_hits(_top_third(optimized.splitlines()), keywords)
    improvement = _describe_improvement(keywords, present, missing, before_top, after_top)
    return (
        "OPTIMIZED RESUME\n"
        f"{optimized}\n\n"
        "CHANGES MADE\n"
        f"{changes_text}\n\n"
        "EXPECTED IMPROVEMENT\n"
        f"{improvement}\n"
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _describe_changes(changes: _Changes, missing: list[str]) -> str:
    bullets: list[str] = []
    if changes.headings:
        bullets.append(
            "- Renamed section headings to ATS-standard names: " + "; ".join(changes.headings)
        )
    if changes.capitalized:
        bullets.append(f"- Wrote {_plural(changes.capitalized, 'section heading')} in capitals")
    if changes.bullets:
        bullets.append(f'- Converted {_plural(changes.bullets, "bullet")} to one style ("- ")')
    if changes.layout:
        bullets.append(
            f"- Flattened {_plural(changes.layout, 'table/tab or pipe-separated line')} into readable lines"
        )
    if changes.glyphs or changes.separators:
        bullets.append(
            f"- Removed {_plural(changes.glyphs, 'decorative symbol')} and "
            f"{_plural(changes.separators, 'separator line')} that ATS parsers misread"
        )
    if changes.dates:
        bullets.append(
            f'- Normalized dates on {_plural(changes.dates, "line")} to one format (e.g. "Jan 2019 – Present")'
        )
    if changes.roles:
        bullets.append(
            f'- Put {_plural(changes.roles, "role line")} in the form "Title — Employer (Start – End)"'
        )
    if changes.skills_moved:
        bullets.append(
            "- Moved the skills this job asks for to the front of SKILLS: "
            + ", ".join(changes.skills_moved[:8])
            + " (all of your skills are kept; none were added)"
        )
    if changes.bullet_roles:
        bullets.append(
            f"- Moved the most job-relevant bullets up within {_plural(changes.bullet_roles, 'role')}"
        )
    if changes.summary == "added":
        bullets.append("- Added a SUMMARY line built from your own title and listed skills")
    elif changes.summary == "prepended":
        bullets.append(
            "- Added an opening SUMMARY line from your own title and listed skills; your summary is kept below it"
        )
    if changes.sections_moved:
        bullets.append(
            "- Placed SUMMARY and SKILLS before the other sections so matching keywords appear near the top"
        )
    if not bullets:
        bullets.append(
            "- No structural changes were needed; content and order were kept as written"
        )
    for keyword in missing[:10]:
        bullets.append(f"- Consider adding {keyword} if it is true for you")
    return "\n".join(bullets)


def _describe_improvement(
    keywords: list[_Keyword],
    present: list[_Keyword],
    missing: list[str],
    before_top: list[_Keyword],
    after_top: list[_Keyword],
) -> str:
    if not keywords:
        return (
            "No distinct keywords could be found in the job description, so only the layout "
            "was standardized for ATS parsing. This offline result was produced without the AI model."
        )
    sentences = [
        f"Of the {_plural(len(keywords), 'key term')} found in the job description, "
        f"{len(present)} already appear in your resume.",
        f"{len(after_top)} of them now appear in the top third of the resume (before: {len(before_top)}).",
        "Headings, bullets and dates now use a standard format that ATS parsers read reliably.",
    ]
    if missing:
        sentences.append(
            f"{_plural(len(missing), 'term')} from the job ad {'is' if len(missing) == 1 else 'are'} "
            "not in your resume; they are listed above as suggestions and were not added."
        )
    sentences.append(
        "This offline result was produced without the AI model; no facts were changed."
    )
    return " ".join(sentences)
