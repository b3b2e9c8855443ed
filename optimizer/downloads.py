"""The optimized resume as a file: .txt, .md, .docx or .pdf. Shared by the page and the API.

What a recruiter sees: a file named after the candidate and the role
("Jane-Doe-Resume-Senior-Python-Developer.pdf"), "Resume" as the document title with the
candidate as its author (the job it was tailored to stays out of the metadata), and the page
size of the candidate's country (Letter in the US and Canada, else A4; `?page=a4|letter`
overrides it).
"""

from __future__ import annotations

import re
import unicodedata

from asgiref.sync import sync_to_async
from django.db.models import F
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from optimizer import review
from optimizer.documents import export
from optimizer.documents.export import PAGE_SIZES, PageSize
from optimizer.job_posting import parse_job_posting
from optimizer.models import Optimization

FORMATS = {
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
DOCUMENT_TITLE = "Resume"
# A letter's document title and file name part, per kind.
LETTER_TITLES = {"cover_letter": "Cover letter", "outreach": "Outreach note"}
# Each part of a file name is cut to this many characters; whole words are kept.
NAME_PART_MAX_CHARS = 50


def resume_text(job: Optimization) -> str:
    """The text the user settled on (their review), else the model's rewrite."""
    return review.final_text(job)


def page_size(job: Optimization, requested: str | None = None) -> PageSize:
    """The page size asked for (`letter` or `a4`), else the one the resume's locale implies."""
    for size in PAGE_SIZES:
        if requested == size:
            return size
    # A letter's first lines say nothing of where the candidate lives: its resume's do.
    return export.page_size_for(job.resume_text if job.is_letter else resume_text(job))


def _name_part(text: str) -> str:
    """ "José Núñez" -> "Jose-Nunez": ASCII words joined by hyphens, at most a few words."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", ascii_text)
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > NAME_PART_MAX_CHARS:
            break
        out = candidate
    return out


def _candidate(job: Optimization) -> str:
    return export.candidate_name(job.resume_text if job.is_letter else resume_text(job))


def filename(job: Optimization, fmt: str) -> str:
    name = _name_part(_candidate(job))
    role = _name_part(parse_job_posting(job.job_description).title)
    what = _name_part(LETTER_TITLES[job.kind]) if job.is_letter else "Resume"
    parts = [part for part in (name, what, role) if part]
    return "-".join(parts) + f".{fmt}"


def _markdown(job: Optimization, text: str) -> str:
    result = job.result or {}
    parts = [export.to_markdown(text).rstrip(), "", "---", "", "## Changes made", ""]
    parts += [f"- {change}" for change in result.get("changes_made") or []]
    if improvement := result.get("expected_improvement"):
        parts += ["", "## Expected improvement", "", str(improvement)]
    return "\n".join(parts) + "\n"


def _render(job: Optimization, fmt: str, size: PageSize) -> bytes:
    text = resume_text(job)
    if fmt == "txt":
        return export.to_txt(text)
    if job.is_letter:
        return _render_letter(job, text, fmt, size)
    if fmt == "md":
        return _markdown(job, text).encode()
    if fmt == "docx":
        return export.to_docx(text, title=DOCUMENT_TITLE, page_size=size)
    return export.to_pdf(text, title=DOCUMENT_TITLE, page_size=size)


def _render_letter(job: Optimization, text: str, fmt: str, size: PageSize) -> bytes:
    """A letter's paragraphs as written: no resume headings, the candidate as the author."""
    if fmt == "md":
        return export.letter_markdown(text).encode()
    title, author = LETTER_TITLES[job.kind], _candidate(job)
    if fmt == "docx":
        return export.to_docx(text, title=title, page_size=size, layout="letter", author=author)
    return export.to_pdf(text, title=title, page_size=size, layout="letter", author=author)


async def download_response(
    job: Optimization, fmt: str, *, page: str | None = None
) -> HttpResponse:
    """A finished job's resume as an attachment. Building a DOCX or PDF runs off the loop."""
    body = await sync_to_async(_render, thread_sensitive=False)(job, fmt, page_size(job, page))
    # Counted for the prompt experiments' comparison (optimizer/experiments.py): in the database,
    # so two downloads at once both count.
    await Optimization.objects.filter(pk=job.pk).aupdate(download_count=F("download_count") + 1)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    # `or`: the helper returns None only for an inline response without a filename.
    response["Content-Disposition"] = (
        content_disposition_header(True, filename(job, fmt)) or "attachment"
    )
    return response
