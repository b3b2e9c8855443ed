"""Export the optimized plain-text resume as TXT, Markdown, DOCX or PDF.

All exporters use ``parse_resume_lines`` so they agree on what is a name, contact line,
section heading, role line, bullet or plain text.  The layouts are single-column and
ATS-friendly: no tables, text boxes, headers/footers or images.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Literal

from .lines import Line, parse_resume_lines

PageSize = Literal["letter", "a4"]
# "letter": a cover letter or outreach note, paragraphs as written (no name, headings or roles).
Layout = Literal["resume", "letter"]
PAGE_SIZES: tuple[PageSize, ...] = ("letter", "a4")

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
FONT_CJK = FONT_DIR / "DroidSansFallback-CJK.ttf"

# Characters XML 1.0 (DOCX) cannot hold, and stray controls that break PDF text.
_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _ILLEGAL_RE.sub("", text)


def _lines(text: str, layout: Layout = "resume") -> list[Line]:
    if layout == "letter":
        # Every line as plain text, a blank line as an empty paragraph (the letter's spacing).
        return [Line("text", line.strip()) for line in _clean(text).strip("\n").split("\n")]
    return parse_resume_lines(_clean(text))


def letter_markdown(text: str) -> str:
    """A letter as Markdown: its paragraphs, escaped, with their line breaks kept."""
    paragraphs = re.split(r"\n\s*\n", _clean(text).strip())
    return (
        "\n\n".join(
            "  \n".join(_md_escape(line.strip()) for line in p.split("\n")) for p in paragraphs
        )
        + "\n"
    )


# --------------------------------------------------------------------------- page size

# North America prints on Letter, the rest of the world on A4. What the resume says about where
# its candidate lives decides: a +1 / (312) 555-0100 phone number, a US state or Canadian province
# after a comma, a ZIP or Canadian postal code, or the country's name.
_US_STATES = (
    "AK AZ CA CT DC FL HI IA IL KS KY LA MD MI MN MO MS NC ND NH NJ NM NV NY OH OK OR RI SD TN "
    "TX UT VA VT WA WI WV WY"
).split()
# Codes that are also countries or common abbreviations count only with a ZIP after them.
_AMBIGUOUS_STATES = "AL AR CO DE GA ID IN MA ME MT NE PA SC".split()
_PROVINCES = "AB BC MB NB NL NS NT NU ON PE QC SK YT".split()
_STATE_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Hawaii|"
    "Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|"
    "Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|"
    "New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|"
    "Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|"
    "West Virginia|Wisconsin|Wyoming|Ontario|Quebec|British Columbia|Alberta|Manitoba|"
    "Nova Scotia|Saskatchewan"
)
_NORTH_AMERICA_RE = re.compile(
    rf",\s*(?:{'|'.join(_US_STATES + _PROVINCES)})\b"
    rf"|,\s*(?:{'|'.join(_AMBIGUOUS_STATES)})\s+\d{{5}}\b"
    rf"|\b(?:{_STATE_NAMES})\b"
    r"|\b(?:USA|U\.S\.A?\.|United States|Canada)\b"
    r"|\b[A-Z]\d[A-Z] ?\d[A-Z]\d\b"  # Canadian postal code
    r"|(?:\+1[\s.-]?)\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b"
    r"|(?<![+\d])\(\d{3}\)\s?\d{3}-\d{4}\b"
    r"|(?<![+\d])(?<!\d[ .-])\b\d{3}[.-]\d{3}[.-]\d{4}\b",
)
_OTHER_COUNTRY_CODE_RE = re.compile(r"\+(?!1\b|1[\s.(-])\d")
HEADER_LINES = 6


def page_size_for(text: str) -> PageSize:
    """Letter for a resume whose header places its candidate in the US or Canada, else A4."""
    header: list[str] = []
    for line in _lines(text)[:HEADER_LINES]:
        if line.kind == "heading":
            break
        header.append(line.text)
    joined = "\n".join(header)
    if _OTHER_COUNTRY_CODE_RE.search(joined):
        return "a4"  # +44, +49 ...: the phone number says where the candidate is
    return "letter" if _NORTH_AMERICA_RE.search(joined) else "a4"


def candidate_name(text: str) -> str:
    """The resume's name line, as every exporter reads it."""
    return next((line.text for line in _lines(text) if line.kind == "name"), "")


# --------------------------------------------------------------------------- TXT


def to_txt(text: str) -> bytes:
    """The resume as UTF-8 text with LF line endings and a trailing newline."""
    cleaned = "\n".join(line.rstrip() for line in _clean(text).strip("\n").split("\n"))
    return (cleaned + "\n").encode("utf-8")


# --------------------------------------------------------------------------- Markdown

_MD_INLINE_RE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START_RE = re.compile(r"^(\s*)([#>+=-]|\d+[.)])(?=\s|$)")


def _md_escape(text: str) -> str:
    escaped = _MD_INLINE_RE.sub(r"\\\1", text)
    return _MD_LINE_START_RE.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def to_markdown(text: str) -> str:
    """Name as ``# Name``, section headings as ``## Heading``, roles in bold, ``- `` bullets."""
    out: list[str] = []
    previous: str | None = None
    for line in _lines(text):
        body = _md_escape(line.text)
        if line.kind == "name":
            block = f"# {body}"
        elif line.kind == "heading":
            block = f"## {body}"
        elif line.kind == "role":
            block = f"**{body}**"
        elif line.kind == "bullet":
            block = f"- {body}"
        else:
            block = body
        if out and not (line.kind == "bullet" and previous == "bullet"):
            out.append("")
        out.append(block)
        previous = line.kind
    return "\n".join(out) + "\n" if out else ""


# --------------------------------------------------------------------------- DOCX


def to_docx(
    text: str,
    *,
    title: str = "Resume",
    page_size: PageSize | None = None,
    layout: Layout = "resume",
    author: str = "",
) -> bytes:
    """A single-column Word document using built-in Title/Heading 1/List Bullet styles."""
    import docx
    from docx.enum.text import WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Inches, Mm, Pt

    lines = _lines(text, layout)
    document = docx.Document()
    letter = (page_size or page_size_for(text)) == "letter"
    for section in document.sections:
        section.page_width, section.page_height = (
            (Inches(8.5), Inches(11)) if letter else (Mm(210), Mm(297))
        )
        section.left_margin = section.right_margin = Inches(0.8)
        section.top_margin = section.bottom_margin = Inches(0.7)

    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    r_pr = normal.element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is not None:
        # Let Word pick a CJK-capable font for East Asian text.
        r_fonts.set(qn("w:eastAsia"), "Microsoft YaHei")

    name = author or next((line.text for line in lines if line.kind == "name"), "")
    props = document.core_properties
    props.title = _clean(title)[:255]
    props.author = name[:255]
    props.last_modified_by = ""
    props.comments = ""
    props.subject = ""
    props.keywords = ""

    for line in lines:
        if line.kind == "name":
            document.add_paragraph(line.text, style="Title")
        elif line.kind == "heading":
            document.add_heading(line.text, level=1)
        elif line.kind == "bullet":
            document.add_paragraph(line.text, style="List Bullet")
        elif line.kind == "role":
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.space_before = Pt(6)
            paragraph.paragraph_format.keep_with_next = True
            paragraph.add_run(line.text).bold = True
        else:
            document.add_paragraph(line.text)
    if not lines:
        document.add_paragraph("")
    _ = WD_BREAK  # imported for type checkers; no manual breaks are inserted

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- PDF


def to_pdf(
    text: str,
    *,
    title: str = "Resume",
    page_size: PageSize | None = None,
    layout: Layout = "resume",
    author: str = "",
) -> bytes:
    """A single-column PDF with a real text layer and embedded (subset) Unicode fonts.

    DejaVu Sans covers Latin, Greek and Cyrillic; Droid Sans Fallback is used glyph by
    glyph for CJK characters only, so it adds to the file only when a resume needs it.
    """
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    lines = _lines(text, layout)
    size = page_size or page_size_for(text)
    pdf = FPDF(orientation="portrait", unit="mm", format="Letter" if size == "letter" else "A4")
    pdf.set_margins(left=18, top=16, right=18)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_font("DejaVu", "", str(FONT_REGULAR))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.add_font("CJK", "", str(FONT_CJK))
    pdf.set_fallback_fonts(["CJK"], exact_match=False)
    name = author or next((line.text for line in lines if line.kind == "name"), "")
    pdf.set_title(_clean(title))
    if name:
        pdf.set_author(name)
    pdf.set_creator("ATS Resume Optimizer")
    pdf.set_producer("fpdf2")
    pdf.add_page()

    width = pdf.epw
    bullet_indent = 5.0

    def write_line(height: float, text: str, cell_width: float = width) -> None:
        """A wrapped paragraph, then back to the left margin on the next line.

        Left-aligned, not fpdf's default justified: justification stretches a short contact
        line into wide gaps, and text read back from the PDF must keep single spaces.
        """
        pdf.multi_cell(cell_width, height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    for line in lines:
        if line.kind == "name":
            pdf.set_font("DejaVu", "B", 18)
            write_line(9, line.text)
            pdf.ln(1)
        elif line.kind == "contact":
            pdf.set_font("DejaVu", "", 9.5)
            write_line(5, line.text)
        elif line.kind == "heading":
            pdf.ln(3)
            pdf.set_font("DejaVu", "B", 12)
            write_line(6.5, line.text)
            y = pdf.get_y()
            pdf.set_line_width(0.3)
            pdf.line(pdf.l_margin, y, pdf.l_margin + width, y)
            pdf.ln(1.5)
        elif line.kind == "role":
            pdf.ln(1)
            pdf.set_font("DejaVu", "B", 10.5)
            write_line(5.5, line.text)
        elif line.kind == "bullet":
            pdf.set_font("DejaVu", "", 10.5)
            pdf.set_x(pdf.l_margin)
            pdf.cell(bullet_indent, 5.2, "•")
            write_line(5.2, line.text, width - bullet_indent)
        else:
            pdf.set_font("DejaVu", "", 10.5)
            write_line(5.2, line.text)
    return bytes(pdf.output())
