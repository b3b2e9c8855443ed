"""Deterministic resume optimizer used when no LLM is configured: it tailors, never damages.

It works on the candidate's own content only. Structure is kept: the name and contact block
first, every section with its content, headings recognised in English, German, Spanish and
French, text tables as one bullet line per row with every cell, one bullet style; date and role
rules touch role lines, never a sentence. Tailoring: the job's name for a skill the resume names
differently ("PostgreSQL (Postgres)"), skills and bullets ordered by relevance, SUMMARY and
SKILLS first, one summary (the candidate's own, or one line from their own headline and
matching skills), weak openings turned into the verb they mean ("Responsible for building" ->
"Built"). Every such edit is undone if the grounding check flags it. Keywords the job asks for
but the resume lacks are suggested under CHANGES MADE, never inserted.

The answer has the same three sections as the model's: OPTIMIZED RESUME, CHANGES MADE,
EXPECTED IMPROVEMENT.  Same input, same output, byte for byte. Its figures on a set of resumes:
optimizer/offline/evaluation.py (`manage.py evaluate_offline`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from optimizer.analysis import check_grounding, compare_scores
from optimizer.analysis.facts import MONTH_ABBR, MONTH_ALT, MONTHS, YEAR
from optimizer.analysis.patterns import TITLE_NOUNS
from optimizer.analysis.score import extract_requirements
from optimizer.analysis.text import (
    any_line_contains,
    canonical,
    find_vocab,
    keys_of,
    lines_keys,
    spelling,
    tokens,
)
from optimizer.documents.lines import (
    BULLET_GLYPHS,
    canonical_heading,
    looks_like_contact,
    looks_like_heading,
)

# v2: keeps the document's structure, recognises de/es/fr headings, uses the job's wording for
# skills the resume names differently, rewrites weak openings (a new name: new cache entries).
OFFLINE_MODEL_NAME = "offline-ats-v2"

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
    rf"^\s*(?:[{re.escape(BULLET_GLYPHS)}*·]|[-–—+](?=\s)|\(?\d{{1,2}}[.)](?=\s)|o(?=\s+[A-Z])"
    # A star, arrow, check mark or square opening a line is a bullet, converted, not dropped.
    "|[\u2190-\u21ff\u25a0-\u25ff\u2600-\u27bf\u2b00-\u2bff](?=\\s))\\s*"
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
    category: str = "skill"  # skill, tool, certification or phrase


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
        if text[:1].isupper() and text[1:] == requirement.term[1:] and requirement.term.islower():
            text = requirement.term  # "Machine learning" opened a line of the ad: no capital
        keywords.append(_Keyword(text, requirement.keys, requirement.category))
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


# --------------------------------------------------------------------------- headings

# Section names in German, Spanish and French (English ones are optimizer.documents.lines'):
# such a heading is recognised, written in capitals and kept in its language.
_FOREIGN_HEADINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "SUMMARY": ("profil", "kurzprofil", "zusammenfassung", "über mich", "berufsprofil"),
        "EXPERIENCE": (
            "berufserfahrung",
            "berufliche erfahrung",
            "beruflicher werdegang",
            "werdegang",
            "praxiserfahrung",
        ),
        "EDUCATION": ("ausbildung", "bildung", "bildungsweg", "studium", "schulbildung"),
        "SKILLS": (
            "kenntnisse",
            "fähigkeiten",
            "fachkenntnisse",
            "it-kenntnisse",
            "kompetenzen",
            "fähigkeiten und kenntnisse",
        ),
        "LANGUAGES": ("sprachen", "sprachkenntnisse"),
        "CERTIFICATIONS": ("zertifikate", "zertifizierungen", "weiterbildung"),
        "PROJECTS": ("projekte",),
        "VOLUNTEER EXPERIENCE": ("ehrenamt", "ehrenamtliches engagement"),
        "INTERESTS": ("interessen", "hobbys"),
    },
    "es": {
        "SUMMARY": ("perfil", "perfil profesional", "resumen", "resumen profesional", "sobre mí"),
        "EXPERIENCE": ("experiencia", "experiencia profesional", "experiencia laboral"),
        "EDUCATION": ("formación", "formación académica", "educación", "estudios"),
        "SKILLS": ("habilidades", "competencias", "conocimientos", "aptitudes"),
        "LANGUAGES": ("idiomas",),
        "CERTIFICATIONS": ("certificaciones", "certificados", "cursos"),
        "PROJECTS": ("proyectos",),
        "VOLUNTEER EXPERIENCE": ("voluntariado",),
        "INTERESTS": ("intereses", "aficiones"),
    },
    "fr": {
        "SUMMARY": ("profil", "profil professionnel", "résumé", "à propos"),
        "EXPERIENCE": (
            "expérience",
            "expériences",
            "expérience professionnelle",
            "expériences professionnelles",
            "parcours professionnel",
        ),
        "EDUCATION": ("formation", "formations", "éducation", "diplômes", "études"),
        "SKILLS": ("compétences", "compétences techniques", "savoir-faire"),
        "LANGUAGES": ("langues",),
        "CERTIFICATIONS": ("certifications", "certificats"),
        "PROJECTS": ("projets",),
        "VOLUNTEER EXPERIENCE": ("bénévolat",),
        "INTERESTS": ("centres d'intérêt", "loisirs"),
    },
}
# name (lower case) -> (kind, language); a name two languages share ("profil") is German's.
_FOREIGN: dict[str, tuple[str, str]] = {}
for _language, _kinds in reversed(_FOREIGN_HEADINGS.items()):
    for _kind, _names in _kinds.items():
        _FOREIGN.update(dict.fromkeys(_names, (_kind, _language)))
HEADINGS = frozenset(_FOREIGN)


def known_heading(line: str) -> tuple[str, str, str] | None:
    """(kind, heading as written out, language) of a section heading this engine knows."""
    candidate = line.strip().rstrip(":").strip()
    if (english := canonical_heading(candidate)) is not None:
        return english, english, "en"
    found = _FOREIGN.get(candidate.lower())
    if found is None:
        return None
    kind, language = found
    return kind, candidate.upper(), language


# --------------------------------------------------------------------------- structure


@dataclass
class _Section:
    heading: str | None  # the heading written out, or None for the header zone
    original_heading: str | None = None
    lines: list[str] = field(default_factory=list)
    kind: str | None = None  # SUMMARY, EXPERIENCE, SKILLS...: what the section holds


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
    language: str = "en"  # a German, Spanish or French heading makes it that language
    tables: int = 0
    wording: list[str] = field(default_factory=list)  # "PostgreSQL (Postgres)"
    verbs: int = 0
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


_TABLE_ROW_RE = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _convert_tables(resume: str, changes: _Changes) -> tuple[str, set[str]]:
    """Markdown-style tables ("| Company | Role | Dates |", a rule, rows) as bullet lines, one
    per row, every cell kept and labelled by its column: "- Company: Acme; Role: ...".

    Returns the text and the bullet lines made, which later rules leave alone."""
    lines = resume.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    made: set[str] = set()
    i = 0
    while i < len(lines):
        if (tab_rows := _tab_table(lines, i)) is not None:
            rows = [_tab_cells(line) for line in lines[i : i + tab_rows]]
            i += tab_rows
            # A first row without a digit over rows with dates is the column names.
            has_header = not re.search(r"\d", lines[i - tab_rows]) and any(
                re.search(r"\d", " ".join(row)) for row in rows[1:]
            )
            header = rows.pop(0) if has_header else []
        elif not _TABLE_ROW_RE.match(lines[i]) or _TABLE_RULE_RE.match(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        else:
            rows, header, i = _pipe_table(lines, i)
        changes.tables += 1
        if header and not rows:
            out.append(", ".join(cell for cell in header if cell))
        for row in rows:
            cells = [
                f"{header[n]}: {cell}" if n < len(header) and header[n] else cell
                for n, cell in enumerate(row)
                if cell
            ]
            line = "- " + ("; " if header else " — ").join(cells)
            out.append(line)
            made.add(line)
    return "\n".join(out), made


def _pipe_table(lines: list[str], i: int) -> tuple[list[list[str]], list[str], int]:
    """The rows and column names of the "| a | b |" table starting at line i, and the line
    after it."""
    rows: list[list[str]] = []
    header: list[str] = []
    while i < len(lines) and (_TABLE_ROW_RE.match(lines[i]) or _TABLE_RULE_RE.match(lines[i])):
        if _TABLE_RULE_RE.match(lines[i]):
            if len(rows) == 1 and not header:
                header = rows.pop()
        else:
            rows.append([cell.strip() for cell in lines[i].strip().strip("|").split("|")])
        i += 1
    return rows, header, i


def _tab_cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"\t+", line.strip()) if cell.strip()]


def _tab_table(lines: list[str], i: int) -> int | None:
    """How many lines from i form a tab table: two or more in a row with the same three or
    more tab-separated cells (one role line with tabs is not a table)."""
    width = len(_tab_cells(lines[i])) if "\t" in lines[i] else 0
    if width < 3:
        return None
    # Only under a heading (the contact block stays as it is), and not a grid of skills, which
    # the SKILLS rules split into items.
    kinds = [found[0] for line in lines[:i] if (found := known_heading(line))]
    if not kinds or kinds[-1] in ("SKILLS", "LANGUAGES"):
        return None
    end = i
    while end < len(lines) and "\t" in lines[end] and len(_tab_cells(lines[end])) == width:
        end += 1
    return end - i if end - i >= 2 else None


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


# The name and contact block ends at the first known heading; a line in capitals that is not
# one (the name, written "JANE DOE") starts a section only past this many header lines.
_HEADER_LINES = 4


def _sectionize(lines: list[str], changes: _Changes) -> list[_Section]:
    sections: list[_Section] = [_Section(heading=None)]
    header_lines = 0
    for line in lines:
        candidate = line.strip().rstrip(":").strip()
        known = known_heading(candidate) if candidate and not line.startswith("- ") else None
        in_header = len(sections) == 1
        unknown_heading = (
            known is None
            and candidate
            and not line.startswith("- ")
            and looks_like_heading(candidate)
            and (not in_header or header_lines >= _HEADER_LINES)
        )
        if known is not None or unknown_heading:
            kind, written = (known[0], known[1]) if known else (None, candidate.upper())
            if written.lower() != candidate.lower():
                changes.headings.append(f"{candidate} → {written}")
            elif written != candidate:
                changes.capitalized += 1
            if known is not None and known[2] != "en":
                changes.language = known[2]
            sections.append(_Section(heading=written, original_heading=candidate, kind=kind))
            continue
        if in_header and candidate and _ends_header(line, first=header_lines == 0):
            # A resume that starts with its experience (no name on top): a bullet or a role
            # line is body text, not part of a contact block.
            sections.append(_Section(heading=None))
        elif in_header and candidate:
            header_lines += 1
        sections[-1].lines.append(line)
    return sections


_ANY_RANGE_RE = re.compile(rf"\b{YEAR}\s*(?:-{{1,2}}|–|—)\s*(?:{YEAR}|[^\W\d_][\w']*)")


def _ends_header(line: str, *, first: bool) -> bool:
    if line.startswith("- "):
        # "✦ Jane Doe ✦" on top is a decorated name, not a bullet.
        return not (first and len(line.split()) <= 5)
    # "2019 - 2021", "2021 - heute", "marzo 2020 - actualidad": a role's dates.
    return not looks_like_contact(line) and bool(_ANY_RANGE_RE.search(line))


def _process_header(section: _Section, changes: _Changes) -> tuple[list[str], str | None]:
    """The name line, then the other lines in their order, contact details on one line where
    the first of them was ("Jane Doe", "Backend Developer", "email | phone | city")."""
    name: str | None = None
    contacts: list[str] = []
    others: list[str] = []
    contact_at: int | None = None  # how many other lines come before the contact line
    for line in section.lines:
        if not line.strip():
            continue
        if line.startswith("- "):
            line = line[2:]
        cells = _split_columns(line) if re.search(r"\t|\s{3,}|\||\s[•·]\s", line) else [line]
        if len(cells) > 1 and re.search(r"\t|\s{3,}|\s[•·]\s", line):
            changes.layout += 1  # "a | b | c" stays as it is: only tabs and gaps are flattened
        if name is None and not looks_like_contact(cells[0]):
            name = cells[0]
            cells = cells[1:]
        # A line that carries any contact detail is kept whole (e.g. "email | City, ST");
        # a short "City, ST" line on its own is part of the contact details too.
        if any(looks_like_contact(cell) or _is_location(cell) for cell in cells):
            contacts.extend(cells)
            contact_at = len(others) if contact_at is None else contact_at
        elif cells:
            others.append(" | ".join(cells))  # one line stays one line
    result: list[str] = [name] if name else []
    result.extend(others)
    if contacts:
        result.insert(len(result) - len(others) + (contact_at or 0), " | ".join(contacts))
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


def _is_sentence(line: str) -> bool:
    """Prose, which date and role rules never touch: "In 2021 I moved into ML engineering."."""
    return line.rstrip().endswith((".", "!", "?")) or len(line.split()) > 14


def _process_body(section: _Section, changes: _Changes, tables: set[str]) -> list[str]:
    out: list[str] = []
    english = changes.language == "en"
    for line in section.lines:
        if not line.strip():
            if out and out[-1] != "":
                out.append("")
            continue
        if line in tables:  # a table row, already a bullet line with every cell
            out.append(line)
            continue
        is_bullet = line.startswith("- ")
        body = line[2:] if is_bullet else line
        has_columns = bool(re.search(r"\t|\s{3,}|\s\|\s", body))
        if is_bullet:
            if has_columns:
                body = ", ".join(_split_columns(body))
                changes.layout += 1
            # A bullet is a sentence: no date or role rule rewrites it.
            out.append("- " + body)
            continue
        if english and not _is_sentence(body):
            # Dates in English month names only: "01/2019 - heute" stays as the German wrote it.
            body, dated = normalize_dates(body)
            changes.dates += dated
        has_date = bool(_ANY_DATE_RE.search(body)) or "Present" in body
        if not english and has_date and has_columns and not _is_sentence(body):
            changes.layout += 1
            out.append(" — ".join(_split_columns(body)))
            continue
        if (
            english
            and has_date
            and not _is_sentence(body)
            and (has_columns or section.kind in _ROLE_SECTIONS)
        ):
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


def _reorder_bullets(
    lines: list[str], keywords: list[_Keyword], changes: _Changes, fixed: set[str]
) -> list[str]:
    """Within each block of bullets, move the most job-relevant ones up (stable). Table rows
    (`fixed`) keep their order: it is the candidate's chronology."""
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
        if line.startswith("- ") and line not in fixed:
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


# Openings that say what a role was, not what the candidate did, and the verb that says the
# same: "Responsible for building X" -> "Built X". Only these exact openings, only in English.
_WEAK_OPENING_RE = re.compile(
    r"^(?:was\s+)?(?:responsible for|in charge of|worked on|tasked with)\s+(\w+ing)\b\s*",
    re.IGNORECASE,
)
_PAST: dict[str, str] = {
    "analyzing": "Analyzed",
    "automating": "Automated",
    "building": "Built",
    "coordinating": "Coordinated",
    "creating": "Created",
    "delivering": "Delivered",
    "designing": "Designed",
    "developing": "Developed",
    "handling": "Handled",
    "implementing": "Implemented",
    "improving": "Improved",
    "leading": "Led",
    "maintaining": "Maintained",
    "managing": "Managed",
    "migrating": "Migrated",
    "monitoring": "Monitored",
    "organizing": "Organized",
    "overseeing": "Oversaw",
    "planning": "Planned",
    "preparing": "Prepared",
    "reviewing": "Reviewed",
    "running": "Ran",
    "supervising": "Supervised",
    "supporting": "Supported",
    "testing": "Tested",
    "training": "Trained",
    "writing": "Wrote",
}

_SUMMARY_WORDS = {  # "{title} skilled in {skills}." per language, and its "and"
    "en": ("{title} skilled in {skills}.", "Skilled in {skills}.", "and"),
    "de": ("{title} mit Kenntnissen in {skills}.", "Kenntnisse in {skills}.", "und"),
    "es": ("{title} con conocimientos de {skills}.", "Conocimientos de {skills}.", "y"),
    "fr": ("{title}, compétences : {skills}.", "Compétences : {skills}.", "et"),
}


def _strong_opening(bullet: str) -> str:
    """ "- Responsible for building X" -> "- Built X"; any other bullet unchanged."""
    match = _WEAK_OPENING_RE.match(bullet[2:])
    verb = _PAST.get(match.group(1).lower()) if match else None
    if match is None or verb is None:
        return bullet
    rest = bullet[2 + match.end() :]
    return f"- {verb} {rest}".rstrip() if rest else bullet


_NAMED = frozenset({"skill", "tool", "certification", "concept"})


def _job_wording(
    lines: list[str], keywords: list[_Keyword], resume: str, first: list[int]
) -> dict[int, str]:
    """Lines where the resume names a skill the job asks for by another name, rewritten with
    the job's name first: "Postgres" -> "PostgreSQL (Postgres)". One place per skill, the
    first in SKILLS if it is there, else the first anywhere; never one the job already spells
    the same way. Returns {line index: new line}."""
    named = [k for k in keywords if k.category != "phrase"]
    written: dict[int, str] = {}
    for keyword in named:
        if re.search(rf"(?<![\w.]){re.escape(keyword.text)}(?!\w)", resume, re.IGNORECASE):
            continue  # the resume already uses the job's word
        order = first + [i for i in range(len(lines)) if i not in first]
        for index in order:
            current = written.get(index, lines[index])
            hit = next((h for h in find_vocab(current) if h.keys == keyword.keys), None)
            if hit is None:
                continue
            shown = current[hit.start : hit.end]
            # Skills, tools and know-how (not soft skills), by another name: not the same
            # word inflected ("closing" for "Closed").
            same_word = [t.key for t in tokens(shown)] == [t.key for t in tokens(keyword.text)]
            if hit.category not in _NAMED or same_word or f"{keyword.text} (" in current:
                break
            written[index] = f"{current[: hit.start]}{keyword.text} ({shown}){current[hit.end :]}"
            break
    return written


def optimize_offline(resume: str, job_description: str) -> str:
    """Tailor ``resume`` for ``job_description`` using only the candidate's own facts.

    Never worse than the original on the match score or readability: if reordering skills or
    bullets, or the summary, costs either (the score reads "React, JS" as one React), the
    answer keeps the candidate's order and summary."""
    answer = _optimize(resume, job_description, reorder=True)
    scores = compare_scores(resume, _resume_part(answer), job_description)
    readability = scores["readability"]
    if scores["after"] < scores["before"] or readability["after"] < readability["before"]:
        # The candidate's order of sections, skills and bullets, and no summary written.
        return _optimize(resume, job_description, reorder=False)
    return answer


def _resume_part(answer: str) -> str:
    return answer.split("OPTIMIZED RESUME\n", 1)[-1].split("\n\nCHANGES MADE\n", 1)[0]


def _optimize(resume: str, job_description: str, *, reorder: bool) -> str:
    changes = _Changes()
    keywords = _job_keywords(job_description)
    job_lines = lines_keys(job_description)

    text, tables = _convert_tables(resume, changes)
    lines = _preprocess(text, changes)
    sections = _sectionize(lines, changes)
    header_lines, headline = _process_header(sections[0], changes)

    body_sections: list[_Section] = []
    matched_skills: list[str] = []
    first_role_title: str | None = None
    for section in sections[1:]:
        processed = _process_body(section, changes, tables)
        if section.kind == "SKILLS":
            ordered, found = _process_skills(processed, keywords, job_lines, changes)
            # A skills section with prose or contact details in it is left as written: its
            # lines would be merged into one list.
            prose = any(_is_sentence(line) or looks_like_contact(line) for line in processed)
            processed = ordered if reorder and not prose else processed
            matched_skills.extend(s for s in found if s not in matched_skills)
        elif section.kind in _ROLE_SECTIONS:
            processed = (
                _reorder_bullets(processed, keywords, changes, tables) if reorder else processed
            )
        if section.kind == "EXPERIENCE" and first_role_title is None:
            for line in processed:
                if not line.startswith("- ") and line.endswith(")"):
                    first_role_title = _role_title(line)
                    if first_role_title:
                        break
        body_sections.append(_Section(section.heading, lines=processed, kind=section.kind))

    # One SUMMARY. The candidate's own, when there is one, ends with the skills they list that
    # the job asks for, if it does not name them yet; else one line from their own headline (or
    # latest title) and those skills.
    # The skills in the job's words ("C#" for "C Sharp"): the grounding check knows both.
    by_keys = {k.keys: k.text for k in keywords}
    in_job_words = [by_keys.get(keys_of(skill), skill) for skill in matched_skills]
    own = next((s for s in body_sections if s.kind == "SUMMARY"), None)
    if not reorder:
        pass
    elif own is not None:
        text_lines = [i for i, line in enumerate(own.lines) if line.strip()]
        named = lines_keys("\n".join(own.lines))
        unnamed = [skill for skill in in_job_words[:4] if not _mentions(named, skill)]
        if text_lines and unnamed and not own.lines[text_lines[-1]].startswith("- "):
            last = text_lines[-1]
            ending = "" if own.lines[last].rstrip().endswith((".", "!", "?")) else "."
            sentence = _summary_line(None, unnamed, changes)
            own.lines[last] = f"{own.lines[last].rstrip()}{ending} {sentence}"
            changes.summary = "extended"
    else:
        summary_line = _summary_line(headline or first_role_title, in_job_words, changes)
        if summary_line:
            heading = "SUMMARY" if changes.language == "en" else "PROFIL"
            if changes.language == "es":
                heading = "PERFIL"
            body_sections.insert(0, _Section(heading, lines=[summary_line], kind="SUMMARY"))
            changes.summary = "added"

    # ATS order: SUMMARY, SKILLS, then the rest as the candidate had it. The name and contact
    # block is not one of these sections: it stays first.
    order = {"SUMMARY": 0, "SKILLS": 1}
    reordered = sorted(body_sections, key=lambda s: order.get(s.kind or "", 2) if reorder else 0)
    changes.sections_moved = [s.kind for s in reordered] != [s.kind for s in body_sections]
    body_sections = reordered

    out_lines: list[str] = list(header_lines)
    skill_lines: list[int] = []  # where the job's wording goes first
    for section in body_sections:
        if not section.lines and section.heading is None:
            continue
        if out_lines:
            out_lines.append("")
        if section.heading:
            out_lines.append(section.heading)
        if section.kind == "SKILLS":
            skill_lines.extend(range(len(out_lines), len(out_lines) + len(section.lines)))
        out_lines.extend(section.lines)

    # The job's wording, then strong openings: each edit is kept only if the grounding check
    # finds nothing in it that the original does not support.
    edits = _job_wording(out_lines, keywords, resume, skill_lines)
    changes.wording = [f"{edits[i].strip()}" for i in sorted(edits)]
    if changes.language == "en":
        for index, line in enumerate(out_lines):
            if line.startswith("- ") and (strong := _strong_opening(edits.get(index, line))):
                if strong != edits.get(index, line):
                    edits[index] = strong
    originals = {index: out_lines[index] for index in edits}
    for index, line in edits.items():
        out_lines[index] = line
    _undo_unsupported(resume, out_lines, originals)
    changes.verbs = sum(
        1
        for index in originals
        if out_lines[index] != originals[index]
        and _strong_opening(originals[index]) != originals[index]
    )
    changes.wording = _wording_kept(out_lines, originals, keywords)

    optimized = "\n".join(out_lines).strip("\n")
    optimized = re.sub(r"\n{3,}", "\n\n", optimized)

    present = _keyword_hits(resume, keywords)
    # Suggest only named skills, tools and certifications: a free phrase of the ad is often the
    # hiring company or a city, and a skill the resume names differently is not missing.
    missing = [k.text for k in keywords if k not in present and k.category != "phrase"]
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


def _summary_line(title: str | None, skills: list[str], changes: _Changes) -> str:
    with_title, without, conjunction = _SUMMARY_WORDS[changes.language]
    listed = skills[:4]
    if not listed:
        return ""  # a title alone says nothing the header does not, and reads as a heading
    joined = (
        listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} {conjunction} {listed[-1]}"
    )
    return with_title.format(title=title, skills=joined) if title else without.format(skills=joined)


def _undo_unsupported(resume: str, lines: list[str], originals: dict[int, str]) -> None:
    """Put back every edited line in which the grounding check flags a claim."""
    for _ in range(3):  # an undo can only remove flags; two rounds settle it, one spare
        flagged = {flag.sentence for flag in check_grounding(resume, "\n".join(lines))}
        undo = [
            i for i in originals if lines[i] != originals[i] and any(f in lines[i] for f in flagged)
        ]
        if not undo:
            return
        for index in undo:
            lines[index] = originals[index]


def _wording_kept(
    lines: list[str], originals: dict[int, str], keywords: list[_Keyword]
) -> list[str]:
    kept = []
    for keyword in keywords:
        marker = f"{keyword.text} ("
        if any(marker in lines[i] and marker not in originals[i] for i in originals):
            kept.append(keyword.text)
    return kept


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
    if changes.tables:
        bullets.append(
            f"- Turned {_plural(changes.tables, 'table')} into one bullet line per row, every cell kept"
        )
    if changes.wording:
        bullets.append(
            "- Used the job's name for skills your resume names differently (yours is kept in "
            "brackets): " + ", ".join(changes.wording)
        )
    if changes.verbs:
        bullets.append(
            f'- Opened {_plural(changes.verbs, "bullet")} with what you did ("Responsible for '
            'building" -> "Built")'
        )
    if changes.summary == "added":
        bullets.append("- Added a SUMMARY line built from your own title and listed skills")
    elif changes.summary == "extended":
        bullets.append("- Ended your summary with the skills you list that this job asks for")
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
