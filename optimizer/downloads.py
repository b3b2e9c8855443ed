"""The optimized resume as a file: .txt, .md, .docx or .pdf. Shared by the page and the API."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from optimizer.documents import export
from optimizer.models import Optimization

FORMATS = {
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _markdown(job: Optimization, text: str) -> str:
    result = job.result or {}
    parts = [export.to_markdown(text).rstrip(), "", "---", "", "## Changes made", ""]
    parts += [f"- {change}" for change in result.get("changes_made") or []]
    if improvement := result.get("expected_improvement"):
        parts += ["", "## Expected improvement", "", str(improvement)]
    return "\n".join(parts) + "\n"


def _render(job: Optimization, fmt: str) -> bytes:
    text = str((job.result or {}).get("optimized_resume") or "")
    title = f"Resume - {job.job_title}"
    if fmt == "txt":
        return export.to_txt(text)
    if fmt == "md":
        return _markdown(job, text).encode()
    if fmt == "docx":
        return export.to_docx(text, title=title)
    return export.to_pdf(text, title=title)


async def download_response(job: Optimization, fmt: str) -> HttpResponse:
    """A finished job's resume as an attachment. Building a DOCX or PDF runs off the loop."""
    body = await sync_to_async(_render, thread_sensitive=False)(job, fmt)
    filename = f"resume-{slugify(job.job_title)[:60] or 'optimized'}.{fmt}"
    response = HttpResponse(body, content_type=FORMATS[fmt])
    # `or`: the helper returns None only for an inline response without a filename.
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response
