"""The offline engine's cover letter and outreach note: the candidate's own words, put in order.

Used when no LLM is configured, so that letters work on a fresh machine. It invents nothing: the
greeting names the company the ad names (or the hiring team), the body is the resume's own
summary lines and its bullets that match the job best, quoted as they are written; the closing
is a fixed phrase and the resume's name. Same input, same output. A short resume gives a short
letter (the pipeline's length warning then says so): padding it would mean inventing.
"""

from __future__ import annotations

from optimizer.documents.lines import Line, parse_resume_lines
from optimizer.job_posting import parse_job_posting
from optimizer.offline.engine import extract_job_keywords

# (greeting, closing) per tone (prompts.TONES).
_WORDING = {
    "formal": ("Dear", "Kind regards"),
    "warm": ("Hello", "Warm regards"),
    "concise": ("Dear", "Best regards"),
}
FACTS = {"cover_letter": 5, "outreach": 1}


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _summary(lines: list[Line]) -> str:
    """The resume's first block of plain text lines (its headline or SUMMARY), as sentences."""
    block: list[str] = []
    for line in lines:
        if line.kind == "text":
            block.append(line.text)
        elif block:
            break
    # A summary wrapped over several lines reads as one paragraph; a line that starts with a
    # capital after one without a full stop is a sentence of its own (a headline).
    out = ""
    for text in block:
        if out and text[:1].isupper():
            out = _sentence(out)
        out = f"{out} {text}".strip()
    return out


def _facts(lines: list[Line], job_description: str, count: int) -> list[str]:
    """The resume's bullets that mention most of the job's keywords, in the resume's order."""
    keywords = [word.lower() for word in extract_job_keywords(job_description)]
    bullets = [line.text for line in lines if line.kind == "bullet"]
    ranked = sorted(
        range(len(bullets)),
        key=lambda i: -sum(1 for word in keywords if word in bullets[i].lower()),
    )
    return [bullets[i] for i in sorted(ranked[:count])]


def write_letter(
    resume: str, job_description: str, kind: str, company: str = "", tone: str = ""
) -> str:
    lines = parse_resume_lines(resume)
    name = next((line.text for line in lines if line.kind == "name"), "")
    title = parse_job_posting(job_description).title
    role = f"the {title} role" if title else "this role"
    at = f" at {company}" if company else ""
    greeting, closing = _WORDING.get(tone or "formal", _WORDING["formal"])
    summary = _summary(lines)
    count = 2 if tone == "concise" and kind == "cover_letter" else FACTS[kind]
    facts = [_sentence(fact) for fact in _facts(lines, job_description, count)]
    if kind == "outreach":
        first = summary.split(". ")[0] if summary else ""
        team = f"{company} team" if company else "hiring team"
        parts = [f"{greeting} {team},", "", f"I am interested in {role}{at}."]
        if first:
            parts.append(_sentence(first))
        if facts:
            parts.append(f"From my resume: {facts[0]}")
        parts += ["Would you be open to a short conversation about it?", "", f"{closing},", name]
        return _joined(parts)
    parts = [f"{greeting} {company + ' ' if company else ''}hiring team,", ""]
    parts += [f"I am writing to apply for {role}{at}.", ""]
    if summary:
        parts += [_sentence(summary), ""]
    if facts:
        parts += ["Some of my work that matches what you are looking for:", ""]
        parts += [" ".join(facts), ""]
    parts += [
        "Thank you for considering my application. I would welcome the chance to talk about "
        "the role.",
        "",
        f"{closing},",
        name,
    ]
    return _joined(parts)


def _joined(parts: list[str]) -> str:
    # Single sentences of one paragraph are joined; blank entries separate paragraphs.
    paragraphs: list[list[str]] = [[]]
    for part in parts:
        if part == "":
            paragraphs.append([])
        else:
            paragraphs[-1].append(part)
    out = []
    for paragraph in paragraphs:
        if not paragraph:
            continue
        if paragraph[-1] and paragraph[0].endswith(","):  # greeting or closing: own lines
            out.append("\n".join(paragraph))
        else:
            out.append(" ".join(paragraph))
    return "\n\n".join(out).strip() + "\n"
