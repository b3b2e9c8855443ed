"""Extraction and export of resume documents, including hostile uploads."""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
import zlib

import docx
import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from optimizer.documents import (
    ACCEPT_ATTR,
    SUPPORTED_EXTENSIONS,
    DocumentError,
    extract_text,
    parse_resume_lines,
    to_docx,
    to_markdown,
    to_pdf,
    to_txt,
)
from optimizer.documents.export import FONT_REGULAR

# Not tests/samples.py's text, on purpose: non-ASCII names, dashes and CJK for the exports.
RESUME = """José Núñez
jose.nunez@example.com | +34 600 123 456 | Sevilla, España

SUMMARY
Backend engineer who mentored Łukasz and 王小明; café résumé naïve.

EXPERIENCE
Senior Engineer — Acme Corp (Jan 2019 – Mar 2022)
- Led migration of 12 services to Kubernetes, cutting hosting costs 30%
- Mentored Łukasz Kowalski and 王小明 on Python and Go
Engineer — Beta GmbH (Feb 2016 – Dec 2018)
- Built REST APIs with Django & PostgreSQL

EDUCATION
B.Sc. Computer Science — Universidad de Sevilla (2015)

SKILLS
Python, Go, SQL, C++, C#, Kubernetes
"""


# --------------------------------------------------------------------------- builders


def make_pdf(pages: list[list[str]]) -> bytes:
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONT_REGULAR))
    pdf.set_font("DejaVu", size=11)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def make_image_only_pdf() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (200, 100), "white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(buffer, x=10, y=10, w=100)
    return bytes(pdf.output())


def make_docx(build: object) -> bytes:
    document = docx.Document()
    build(document)  # type: ignore[operator]
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def assert_lines_in_order(expected_text: str, extracted: str) -> None:
    """Every non-empty expected line occurs in the extracted text, in order."""
    haystack = re.sub(r"\s+", " ", extracted)
    position = 0
    for line in expected_text.splitlines():
        line = line.strip()
        if not line:
            continue
        needle = re.sub(r"\s+", " ", line)
        found = haystack.find(needle, position)
        assert found != -1, f"{needle!r} not found after offset {position} in {haystack!r}"
        position = found + len(needle)


def error_code(filename: str, data: bytes, **kwargs: int) -> str:
    with pytest.raises(DocumentError) as info:
        extract_text(filename, data, **kwargs)
    assert info.value.message
    return info.value.code


# --------------------------------------------------------------------------- constants


def test_public_constants() -> None:
    assert SUPPORTED_EXTENSIONS == (".pdf", ".docx", ".txt")
    assert ACCEPT_ATTR == ".pdf,.docx,.txt"


# --------------------------------------------------------------------------- PDF


def test_pdf_text_headings_bullets_in_order() -> None:
    data = make_pdf(
        [
            ["Jane Doe", "jane@example.com", "EXPERIENCE", "Engineer — Acme (2019 – 2022)"],
            ["• Built things", "▪ Shipped more", "◦ Sub point", "● Last point", "SKILLS", "Python"],
        ]
    )
    text = extract_text("cv.pdf", data)
    assert text.splitlines() == [
        "Jane Doe",
        "jane@example.com",
        "EXPERIENCE",
        "Engineer — Acme (2019 – 2022)",
        "",
        "- Built things",
        "- Shipped more",
        "- Sub point",
        "- Last point",
        "SKILLS",
        "Python",
    ]


def test_pdf_without_text_layer_is_refused() -> None:
    assert error_code("scan.pdf", make_image_only_pdf()) == "no_text"
    assert error_code("blank.pdf", make_pdf([[]])) == "no_text"
    with pytest.raises(DocumentError, match="no selectable text"):
        extract_text("scan.pdf", make_image_only_pdf())


def test_encrypted_pdf_is_refused() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf([["Secret resume"]])))
    writer.encrypt(user_password="hunter2", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(DocumentError, match="password-protected") as info:
        extract_text("locked.pdf", buffer.getvalue())
    assert info.value.code == "encrypted_pdf"


def test_owner_password_only_pdf_is_read() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf([["Open resume"]])))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert extract_text("restricted.pdf", buffer.getvalue()).strip() == "Open resume"


def test_corrupt_pdf_is_refused() -> None:
    data = make_pdf([["Jane Doe", "Engineer"]])
    assert error_code("broken.pdf", data[:200]) == "corrupt_file"
    assert error_code("garbage.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50) == "corrupt_file"


def test_pdf_with_thousands_of_pages_is_refused_quickly() -> None:
    writer = PdfWriter()
    for _ in range(5000):
        writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    started = time.perf_counter()
    assert error_code("huge.pdf", buffer.getvalue()) == "too_many_pages"
    # Generous bound: the page count is read before any page is parsed.
    assert time.perf_counter() - started < 5


def test_max_pages_argument() -> None:
    data = make_pdf([["one"], ["two"], ["three"]])
    assert error_code("cv.pdf", data, max_pages=2) == "too_many_pages"
    assert "three" in extract_text("cv.pdf", data, max_pages=3)


# --------------------------------------------------------------------------- type checks


def test_unsupported_extension() -> None:
    assert error_code("cv.doc", b"whatever") == "unsupported_type"
    assert error_code("cv", b"whatever") == "unsupported_type"
    assert error_code("cv.png", png_bytes()) == "unsupported_type"


def test_empty_and_oversize() -> None:
    assert error_code("cv.txt", b"") == "empty_file"
    assert error_code("cv.txt", b"a" * 101, max_bytes=100) == "file_too_large"
    assert error_code("cv.pdf", b"%PDF-" + b"a" * (5 * 1024 * 1024)) == "file_too_large"


def test_content_mismatch() -> None:
    pdf = make_pdf([["Jane"]])
    assert error_code("cv.docx", pdf) == "content_mismatch"  # PDF named .docx
    assert error_code("cv.pdf", png_bytes()) == "content_mismatch"  # PNG named .pdf
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    zipped = buffer.getvalue()
    assert error_code("cv.txt", zipped) == "content_mismatch"  # zip named .txt
    assert error_code("cv.docx", zipped) == "content_mismatch"  # zip that is not a docx
    assert error_code("cv.txt", pdf) == "content_mismatch"
    assert error_code("cv.txt", b"abc\x00\x01\x02def") == "content_mismatch"


# --------------------------------------------------------------------------- DOCX


def test_docx_paragraphs_lists_and_tables_in_order() -> None:
    def build(document: docx.document.Document) -> None:
        document.add_paragraph("Jane Doe")
        document.add_heading("Experience", level=1)
        document.add_paragraph("Engineer — Acme (2019 – 2022)")
        document.add_paragraph("Built the billing system", style="List Bullet")
        document.add_paragraph("Cut latency 40%", style="List Number")
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text = "Python"
        table.cell(0, 1).text = "SQL"
        table.cell(1, 0).text = "Go"
        table.cell(1, 1).text = "Kubernetes"
        document.add_heading("Education", level=1)
        document.add_paragraph("B.Sc. — Uni (2015)")

    text = extract_text("cv.docx", make_docx(build))
    assert [line for line in text.splitlines() if line] == [
        "Jane Doe",
        "Experience",
        "Engineer — Acme (2019 – 2022)",
        "- Built the billing system",
        "- Cut latency 40%",
        "Python",
        "SQL",
        "Go",
        "Kubernetes",
        "Education",
        "B.Sc. — Uni (2015)",
    ]


def test_docx_header_text_is_kept() -> None:
    def build(document: docx.document.Document) -> None:
        header = document.sections[0].header
        header.is_linked_to_previous = False
        header.paragraphs[0].text = "Jane Doe — jane@example.com"
        document.add_paragraph("SUMMARY")

    text = extract_text("cv.docx", make_docx(build))
    assert text.splitlines()[0] == "Jane Doe — jane@example.com"


def test_corrupt_docx() -> None:
    data = make_docx(lambda d: d.add_paragraph("Jane"))
    assert error_code("cv.docx", data[: len(data) // 2]) == "corrupt_file"


def _bomb(size: int) -> bytes:
    """A docx-shaped zip whose document.xml inflates to ``size`` bytes of zeros.

    Built without inflating anything: a deflate block of 1 MiB of zeros ended with a full
    flush is byte-aligned and self-contained, so repeating it makes a valid stream cheaply.
    The CRC is left at 0 (the file is hostile anyway; it must be refused before reading).
    """
    chunk = 1024 * 1024
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b"\x00" * chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = block * (size // chunk) + compressor.flush(zlib.Z_FINISH)
    name = b"word/document.xml"
    local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, 0, len(stream), size, len(name), 0
    )
    central = struct.pack(
        "<4s6H3L5H2L",
        b"PK\x01\x02",
        20,
        20,
        0,
        8,
        0,
        0,
        0,
        len(stream),
        size,
        len(name),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    body = local + name + stream
    directory = central + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end


def test_docx_zip_bomb_is_refused_quickly() -> None:
    data = _bomb(3 * 1024 * 1024 * 1024)  # inflates to 3 GiB; ~3 MB on disk
    assert len(data) < 5 * 1024 * 1024
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    assert info.file_size == 3 * 1024 * 1024 * 1024
    started = time.perf_counter()
    assert error_code("bomb.docx", data) == "zip_bomb"
    assert time.perf_counter() - started < 2


def test_docx_with_too_many_members_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        for index in range(1500):
            archive.writestr(f"junk/{index}.xml", "")
    assert error_code("many.docx", buffer.getvalue()) == "zip_bomb"


def test_docx_that_lies_about_its_size_is_refused() -> None:
    """A member whose header under-declares its size fails the CRC/size check."""
    buffer = io.BytesIO()
    payload = b"<x/>" * 1000
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", payload)
    data = bytearray(buffer.getvalue())
    # Patch the central directory's uncompressed size to something tiny.
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    assert error_code("liar.docx", bytes(data)) in {"corrupt_file", "zip_bomb"}


# --------------------------------------------------------------------------- TXT


@pytest.mark.parametrize(
    ("encoded", "label"),
    [
        ("café résumé\nSKILLS\n• Python".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "café résumé\nSKILLS\n• Python".encode(), "utf-8-bom"),
        ("café résumé\nSKILLS\n• Python".encode("utf-16"), "utf-16"),
        ("café résumé\nSKILLS\n• Python".encode("utf-16-be"), "utf-16-be-no-bom"),
        ("café résumé\r\nSKILLS\r\n• Python".encode("cp1252"), "cp1252"),
    ],
)
def test_txt_encodings(encoded: bytes, label: str) -> None:
    if label == "utf-16-be-no-bom":
        # Without a BOM, UTF-16 is indistinguishable from binary: refused, not garbled.
        assert error_code("cv.txt", encoded) == "content_mismatch"
        return
    assert extract_text("cv.txt", encoded) == "café résumé\nSKILLS\n- Python\n"


def test_txt_normalisation() -> None:
    raw = "Jane   \r\n\r\n\r\n\r\nSKILLS\t \n▪ Go\n\n\n\n• Rust\n"
    assert extract_text("cv.txt", raw.encode()) == "Jane\n\nSKILLS\n- Go\n\n- Rust\n"


def test_whitespace_only_is_no_text() -> None:
    assert error_code("cv.txt", b"   \n\n\t  \n") == "no_text"


# --------------------------------------------------------------------------- parsing/export


def test_parse_resume_lines() -> None:
    kinds = [(line.kind, line.text) for line in parse_resume_lines(RESUME)]
    assert kinds[0] == ("name", "José Núñez")
    assert kinds[1][0] == "contact"
    assert ("heading", "EXPERIENCE") in kinds
    assert ("role", "Senior Engineer — Acme Corp (Jan 2019 – Mar 2022)") in kinds
    assert ("bullet", "Built REST APIs with Django & PostgreSQL") in kinds
    assert ("text", "Python, Go, SQL, C++, C#, Kubernetes") in kinds


def test_to_txt() -> None:
    data = to_txt("Jane\r\nSKILLS  \n")
    assert data == b"Jane\nSKILLS\n"
    assert to_txt(RESUME).decode("utf-8").startswith("José Núñez\n")


def test_to_markdown() -> None:
    md = to_markdown(RESUME)
    assert md.startswith("# José Núñez\n")
    assert "\n## EXPERIENCE\n" in md
    assert "\n- Led migration of 12 services" in md
    assert "**Senior Engineer — Acme Corp (Jan 2019 – Mar 2022)**" in md
    assert "jose.nunez@example.com \\| +34" in md
    escaped = to_markdown("Jane\nSKILLS\n- *nix, snake_case, [links]\n# not a heading")
    assert "- \\*nix, snake\\_case, \\[links\\]" in escaped
    assert "\n\\# not a heading" in escaped


def test_docx_round_trip() -> None:
    data = to_docx(RESUME, title="José Núñez — Resume")
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.title == "José Núñez — Resume"
    assert document.tables == []
    assert document.inline_shapes._inline_lst == []  # no images
    for section in document.sections:
        assert section.header.is_linked_to_previous
        assert section.footer.is_linked_to_previous
    styles = [p.style.name for p in document.paragraphs]
    assert styles.count("List Bullet") == 3
    assert "Heading 1" in styles
    assert styles[0] == "Title"
    assert b"txbxContent" not in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not [n for n in names if n.startswith(("word/media", "word/header", "word/footer"))]
    assert_lines_in_order(RESUME, extract_text("cv.docx", data))
    without_markers = "\n".join(line.removeprefix("- ") for line in RESUME.splitlines())
    assert_lines_in_order(without_markers, "\n".join(p.text for p in document.paragraphs))


def test_pdf_round_trip_with_embedded_fonts() -> None:
    data = to_pdf(RESUME)
    reader = PdfReader(io.BytesIO(data))
    raw = "\n".join(page.extract_text() for page in reader.pages)
    for needle in ("José Núñez", "Łukasz", "王小明", "café résumé"):
        assert needle in raw
    assert_lines_in_order(RESUME, extract_text("cv.pdf", data))
    fonts: list[object] = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.append(font.get_object())
    assert fonts
    for font in fonts:
        descendant = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"], "font must be embedded"
    base_fonts = " ".join(str(font["/BaseFont"]) for font in fonts)
    assert "DejaVu" in base_fonts and "Droid" in base_fonts


def test_pdf_without_cjk_embeds_no_cjk_font() -> None:
    data = to_pdf("Jane Doe\njane@example.com\nSKILLS\n- Python")
    reader = PdfReader(io.BytesIO(data))
    base_fonts = " ".join(
        str(font.get_object()["/BaseFont"])
        for font in reader.pages[0]["/Resources"]["/Font"].values()
    )
    assert "Droid" not in base_fonts
    assert len(data) < 60_000


def test_long_resume_pdf_wraps_and_paginates() -> None:
    body = "\n".join(
        f"- Achievement number {i} " + "with a long description " * 6 for i in range(80)
    )
    text = "Jane Doe\nEXPERIENCE\nEngineer — Acme (2019 – 2022)\n" + body
    data = to_pdf(text)
    assert len(PdfReader(io.BytesIO(data)).pages) > 1
    assert_lines_in_order(text, extract_text("cv.pdf", data))


def test_exporters_accept_control_characters() -> None:
    text = "Jane\x00 Doe\x0b\nSKILLS\n- Go\x07"
    assert extract_text("cv.docx", to_docx(text)).startswith("Jane Doe")
    assert extract_text("cv.pdf", to_pdf(text)).startswith("Jane Doe")
