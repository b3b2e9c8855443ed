"""Resume document extraction (PDF, DOCX, TXT) and export (TXT, Markdown, DOCX, PDF)."""

from __future__ import annotations

from .export import to_docx, to_markdown, to_pdf, to_txt
from .extract import ACCEPT_ATTR, SUPPORTED_EXTENSIONS, DocumentError, extract_text
from .lines import Line, parse_resume_lines

__all__ = [
    "ACCEPT_ATTR",
    "SUPPORTED_EXTENSIONS",
    "DocumentError",
    "Line",
    "extract_text",
    "parse_resume_lines",
    "to_docx",
    "to_markdown",
    "to_pdf",
    "to_txt",
]
