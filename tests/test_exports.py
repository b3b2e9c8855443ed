"""Exports a recruiter would open, each read back; and PDF uploads repaired before use.

Every export is checked by extracting its text again (pypdf for the PDF, python-docx for the
DOCX, through the same extract_text the upload form uses): the words must be the final text's
words in order, whatever the layout did to lines and bullet markers.
"""

from __future__ import annotations

import io
import re

import docx
import pytest
from fpdf import FPDF
from pypdf import PdfReader

from optimizer import downloads
from optimizer.documents import extract_text, to_docx, to_markdown, to_pdf, to_txt
from optimizer.documents.export import FONT_REGULAR, page_size_for
from optimizer.documents.repair import repair_text
from optimizer.job_posting import parse_job_posting
from optimizer.models import Optimization

# A Chicago candidate with a long contact line (it wraps) and bullets long enough to wrap.
CHICAGO = """Jane Doe
jane.doe@example.com | (312) 555-0100 | Chicago, IL 60601 | linkedin.com/in/janedoe | github.com/janedoe

SUMMARY
Backend engineer with six years of Python and Django, building payment and logistics systems that stay up during peak season.

EXPERIENCE
Senior Software Engineer — Northwind Freight (2021 – Present)
- Led the move of twelve services from a monolith to Kubernetes, cutting hosting costs by a third and deploy times from hours to minutes
- Mentored four junior developers through code review and pairing

SKILLS
Python, Django, PostgreSQL, Redis, Celery, Kubernetes
"""
LETTER_POINTS = (612.0, 792.0)
A4_POINTS = (595.28, 841.89)


def words(text: str) -> list[str]:
    """The text's words without layout: bullet markers, Markdown marks and escapes dropped."""
    text = re.sub(r"^\s*(?:- |#+ )", "", text, flags=re.MULTILINE)
    text = text.replace("**", "").replace("\\", "")
    return text.split()


def page_points(data: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    return round(float(box.width), 2), round(float(box.height), 2)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Jane Doe\nChicago, IL 60601", "letter"),
        ("Jane Doe\njane@example.com | (312) 555-0100", "letter"),
        ("Jane Doe\n+1 416 555 0100 | Toronto", "letter"),
        ("Jane Doe\nToronto, ON M5V 2T6", "letter"),
        ("Jane Doe\nAustin, Texas", "letter"),
        ("Jane Doe\nBerlin, Germany | +49 30 1234567", "a4"),
        ("Jane Doe\nLondon, UK | +44 20 7946 0958", "a4"),
        ("José Núñez\njose@example.com | +34 600 123 456 | Sevilla, España", "a4"),
        ("Jane Doe\nBerlin, DE", "a4"),  # DE is Delaware only with a ZIP
        ("Jane Doe\nNewark, DE 19711", "letter"),
        # Only the header counts: a US employer further down does not move a Berliner.
        ("Jane Doe\nBerlin\n\nEXPERIENCE\nEngineer — Acme, Chicago, IL (2020)", "a4"),
    ],
)
def test_page_size_follows_where_the_candidate_lives(header: str, expected: str) -> None:
    assert page_size_for(header) == expected


def test_pdf_and_docx_use_the_page_size_and_the_user_can_switch() -> None:
    assert page_points(to_pdf(CHICAGO)) == LETTER_POINTS
    assert page_points(to_pdf(CHICAGO, page_size="a4")) == A4_POINTS
    assert page_points(to_pdf("Jane Doe\nBerlin, Germany\nSKILLS\n- Go")) == A4_POINTS
    section = docx.Document(io.BytesIO(to_docx(CHICAGO))).sections[0]
    assert (round(section.page_width.inches, 2), round(section.page_height.inches, 2)) == (8.5, 11)
    section = docx.Document(io.BytesIO(to_docx(CHICAGO, page_size="a4"))).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_no_line_of_the_pdf_is_justified() -> None:
    # fpdf2 justifies with TJ arrays that widen each gap; left-aligned text is one Tj string.
    page = PdfReader(io.BytesIO(to_pdf(CHICAGO))).pages[0]
    content = page.get_contents()
    assert content is not None
    stream = content.get_data()
    assert b" Tj" in stream
    assert b"] TJ" not in stream


def test_every_export_reads_back_as_the_final_text() -> None:
    expected = words(CHICAGO)
    assert words(to_txt(CHICAGO).decode()) == expected
    assert words(to_markdown(CHICAGO)) == expected
    assert words(extract_text("cv.docx", to_docx(CHICAGO))) == expected
    pdf_text = extract_text("cv.pdf", to_pdf(CHICAGO))
    assert words(pdf_text) == expected
    # Wrapped bullets and the summary come back whole, one line each, as written.
    assert "- Led the move of twelve services" in pdf_text
    assert any(line.endswith("deploy times from hours to minutes") for line in pdf_text.split("\n"))


def _job(resume: str, description: str) -> Optimization:
    return Optimization(
        resume_text="original", job_description=description, result={"optimized_resume": resume}
    )


def test_file_names_and_metadata_name_the_candidate_not_the_job() -> None:
    job = _job(CHICAGO, "Senior Python Developer at Northwind Freight\nWe build things.")
    assert downloads.filename(job, "pdf") == "Jane-Doe-Resume-Senior-Python-Developer.pdf"
    accented = _job("José Núñez\nSevilla\nSKILLS\n- Go", "Job title: Backend Engineer (m/w/d)")
    assert downloads.filename(accented, "docx") == "Jose-Nunez-Resume-Backend-Engineer-m-w-d.docx"
    nameless = _job("", "We are looking for someone who loves building things for our customers.")
    assert downloads.filename(nameless, "txt") == "Resume.txt"

    pdf = PdfReader(io.BytesIO(downloads._render(job, "pdf", "letter")))
    assert pdf.metadata is not None
    assert (pdf.metadata.title, pdf.metadata.author) == ("Resume", "Jane Doe")
    word = docx.Document(io.BytesIO(downloads._render(job, "docx", "letter")))
    assert (word.core_properties.title, word.core_properties.author) == ("Resume", "Jane Doe")
    for value in (pdf.metadata.title, pdf.metadata.subject or "", word.core_properties.subject):
        assert "Python Developer" not in value


@pytest.mark.parametrize(
    ("description", "title", "company"),
    [
        ("Senior Python Developer\nWe build logistics software.", "Senior Python Developer", ""),
        ("Data Engineer at Acme Corp\n...", "Data Engineer", "Acme Corp"),
        ("Staff Engineer — Globex\n", "Staff Engineer", "Globex"),
        (
            "Position: Nurse Practitioner\nCompany: St. Mary's Hospital",
            "Nurse Practitioner",
            "St. Mary's Hospital",
        ),
        ("Front-End Developer\n", "Front-End Developer", ""),
        (
            "We are a fast-growing team looking for a backend developer to join us in Berlin soon!",
            "",
            "",
        ),
    ],
)
def test_job_title_and_company_from_the_description(
    description: str, title: str, company: str
) -> None:
    posting = parse_job_posting(description)
    assert (posting.title, posting.company) == (title, company)


# --------------------------------------------------------------------------- PDF upload repair

LEFT = [
    "Jane Doe",
    "EXPERIENCE",
    "Built a reporting pipeline that cut the",
    "monthly close from five days to two and re-",
    "duced manual errors across the finance team.",
    "- Migrated billing to Django and mentored",
    "two junior developers.",
]
RIGHT = [
    "SKILLS",
    "Python, SQL and data model-",
    "ling for finance teams across",
    "three regions.",
    "EDUCATION",
    "B.Sc. Mathematics, 2016",
]


def justified_two_column_pdf() -> bytes:
    """Two justified columns written row by row, as many resume builders emit them: each word
    placed on its own, lines stretched to the column width, words hyphenated at line ends."""
    pdf = FPDF(format="letter")
    pdf.add_font("DejaVu", "", str(FONT_REGULAR))
    pdf.set_font("DejaVu", size=10)
    pdf.add_page()

    def line(x: float, y: float, width: float, text: str, justify: bool) -> None:
        parts = text.split()
        if not justify or len(parts) == 1:
            pdf.text(x, y, text)
            return
        widths = [pdf.get_string_width(part) for part in parts]
        gap = (width - sum(widths)) / (len(parts) - 1)
        for part, part_width in zip(parts, widths, strict=True):
            pdf.text(x, y, part)
            x += part_width + gap

    def ends_paragraph(lines: list[str], i: int) -> bool:
        return i + 1 == len(lines) or lines[i + 1][:1].isupper() or lines[i + 1][:2] == "- "

    for i in range(max(len(LEFT), len(RIGHT))):
        y = 20 + i * 6
        if i < len(LEFT):
            line(12, y, 90, LEFT[i], i >= 2 and not ends_paragraph(LEFT, i))
        if i < len(RIGHT):
            line(115, y, 85, RIGHT[i], i >= 1 and not ends_paragraph(RIGHT, i))
    return bytes(pdf.output())


def test_justified_two_column_pdf_comes_back_readable() -> None:
    data = justified_two_column_pdf()
    naive = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "cut the ling for" in naive  # what pypdf alone reads: the columns interleaved

    text = extract_text("cv.pdf", data)
    assert text.rstrip("\n").split("\n") == [
        "Jane Doe",
        "EXPERIENCE",
        "Built a reporting pipeline that cut the monthly close from five days to two and "
        "reduced manual errors across the finance team.",
        "- Migrated billing to Django and mentored two junior developers.",
        "",
        "SKILLS",
        "Python, SQL and data modelling for finance teams across three regions.",
        "EDUCATION",
        "B.Sc. Mathematics, 2016",
    ]


def test_repair_collapses_gaps_joins_hyphens_and_keeps_blocks_apart() -> None:
    raw = "\n".join(
        [
            "Jane Doe",
            "jane@example.com  |  Chicago, IL",
            "SUMMARY",
            "Engineer    who    ships    reliable",
            "systems and mentors develop-",
            "ers.",
            "- First bullet that wraps onto",
            "a second line",
            "- second bullet starts lower case",
            "EXPERIENCE",
            "engineer at a startup (2020)",
        ]
    )
    assert repair_text(raw).split("\n") == [
        "Jane Doe",
        "jane@example.com | Chicago, IL",
        "SUMMARY",
        "Engineer who ships reliable systems and mentors developers.",
        "- First bullet that wraps onto a second line",
        "- second bullet starts lower case",
        "EXPERIENCE",
        "engineer at a startup (2020)",
    ]
