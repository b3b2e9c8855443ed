"""Turn an uploaded resume (PDF, DOCX or TXT) into plain text, or refuse it clearly.

Every refusal is a ``DocumentError`` with a human message and a stable ``code`` the web
layer can map to a form error.  Checks that guard against hostile files (size, page count,
zip bombs) run on metadata before any expensive parsing, so a refusal is fast.
"""

from __future__ import annotations

import codecs
import functools
import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .lines import BULLET_GLYPHS
from .repair import page_text, repair_text

if TYPE_CHECKING:
    # Annotations only: the document libraries are imported lazily, where a file is read.
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml.etree import _Element
    from pypdf import PdfReader

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".pdf", ".docx", ".txt")
ACCEPT_ATTR = ".pdf,.docx,.txt"

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_PAGES = 50

# DOCX (zip) limits, checked on the central directory before decompressing anything.
ZIP_MAX_MEMBERS = 1000
ZIP_MAX_TOTAL_UNCOMPRESSED = 20 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_RATIO_MIN_SIZE = 1024 * 1024  # small members may legitimately compress very well

_BINARY_MAGIC: tuple[bytes, ...] = (
    b"%PDF-",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\xd0\xcf\x11\xe0",  # OLE2: legacy .doc/.xls
    b"{\\rtf",
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x7fELF",
    b"MZ",
)

log = logging.getLogger(__name__)


class DocumentError(Exception):
    """A file we will not or cannot read; ``message`` is safe to show to the user."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __repr__(self) -> str:
        return f"DocumentError(code={self.code!r}, message={self.message!r})"


def _extension(filename: str) -> str:
    name = (filename or "").strip().lower()
    dot = name.rfind(".")
    return name[dot:] if dot != -1 else ""


def extract_text(
    filename: str,
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> str:
    """Extract the text of a resume file, keeping reading order, headings and bullets.

    Raises ``DocumentError`` with one of the codes: unsupported_type, empty_file,
    file_too_large, content_mismatch, corrupt_file, encrypted_pdf, no_text,
    too_many_pages, zip_bomb.
    """
    ext = _extension(filename)
    if ext not in SUPPORTED_EXTENSIONS:
        shown = ext or "a file without an extension"
        raise DocumentError(
            f"Unsupported file type ({shown}). Upload a PDF, DOCX or TXT file, or paste the text.",
            "unsupported_type",
        )
    if not data:
        raise DocumentError("The file is empty.", "empty_file")
    if len(data) > max_bytes:
        raise DocumentError(
            f"The file is too large ({len(data) / 1024 / 1024:.1f} MB); "
            f"the limit is {max_bytes / 1024 / 1024:.0f} MB.",
            "file_too_large",
        )
    if ext == ".pdf":
        text = _extract_pdf(data, max_pages=max_pages)
    elif ext == ".docx":
        text = _extract_docx(data)
    else:
        text = _decode_txt(data)
    text = normalize_text(text)
    if ext == ".pdf":
        # Justified gaps, hyphenation and wrapped lines are how a PDF looks, not what it says.
        text = repair_text(text)
    if not text.strip():
        raise DocumentError(
            "No text could be found in this file; paste the text instead.", "no_text"
        )
    return text


# --------------------------------------------------------------------------- normalising

_BULLET_LINE_RE = re.compile(rf"^[ \t]*[{re.escape(BULLET_GLYPHS)}][ \t]*")
_LONE_BULLET_RE = re.compile(rf"^[ \t]*[{re.escape(BULLET_GLYPHS)}\-–*][ \t]*$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufeff\u200b]")


def normalize_text(text: str) -> str:
    """Normalise line endings, bullets and blank lines; strip trailing spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\x0c", "\n")
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    text = _CONTROL_RE.sub("", text)
    lines: list[str] = []
    pending_bullet = False
    for raw in text.split("\n"):
        line = raw.rstrip()
        if _LONE_BULLET_RE.match(line):
            # PDF text often puts the bullet glyph on its own line; join it to the next line.
            pending_bullet = True
            continue
        line = _BULLET_LINE_RE.sub("- ", line)
        if pending_bullet and line.strip():
            stripped = line.strip()
            line = stripped if stripped.startswith("- ") else "- " + stripped
            pending_bullet = False
        lines.append(line)
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n").strip() + ("\n" if text.strip() else "")


# --------------------------------------------------------------------------- TXT


def _decode_txt(data: bytes) -> str:
    for magic in _BINARY_MAGIC:
        if data.startswith(magic):
            raise DocumentError(
                "This file is not plain text (it looks like a PDF, Word, image or archive "
                "file renamed to .txt). Upload it with its real extension or paste the text.",
                "content_mismatch",
            )
    boms: tuple[tuple[bytes, str], ...] = (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    for bom, encoding in boms:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DocumentError(
                    "This text file is damaged (its encoding is inconsistent); paste the text instead.",
                    "corrupt_file",
                ) from exc
    if b"\x00" in data:
        raise DocumentError(
            "This file is not plain text (it contains binary data). "
            "Upload a PDF, DOCX or TXT file, or paste the text.",
            "content_mismatch",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\x0c")
    if controls > max(8, len(text) // 100):
        raise DocumentError(
            "This file is not plain text (it contains binary data). "
            "Upload a PDF, DOCX or TXT file, or paste the text.",
            "content_mismatch",
        )
    return text


# --------------------------------------------------------------------------- PDF


def _extract_pdf(data: bytes, *, max_pages: int) -> str:
    if b"%PDF-" not in data[:1024]:
        raise DocumentError(
            "This file is not a PDF (its content does not match the .pdf extension). "
            "Upload the original file or paste the text.",
            "content_mismatch",
        )
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    corrupt = DocumentError(
        "This PDF is damaged and cannot be read; export it again or paste the text instead.",
        "corrupt_file",
    )
    encrypted = DocumentError(
        "This PDF is password-protected; remove the password or paste the text instead.",
        "encrypted_pdf",
    )
    pypdf_logger = logging.getLogger("pypdf")
    previous_level = pypdf_logger.level
    pypdf_logger.setLevel(logging.ERROR)
    try:
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
        except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise corrupt from exc
        except Exception as exc:  # pypdf raises assorted errors on hostile input
            raise corrupt from exc

        if reader.is_encrypted:
            try:
                # An owner-password-only PDF opens with the empty user password.
                if not reader.decrypt(""):
                    raise encrypted
            except (DependencyError, FileNotDecryptedError, NotImplementedError) as exc:
                raise encrypted from exc
            except DocumentError:
                raise
            except Exception as exc:
                raise encrypted from exc

        declared = _declared_page_count(reader)
        if declared is not None and declared > max_pages:
            raise _too_many_pages(declared, max_pages)
        try:
            page_count = len(reader.pages)
        except FileNotDecryptedError as exc:
            raise encrypted from exc
        except Exception as exc:
            raise corrupt from exc
        if page_count > max_pages:
            raise _too_many_pages(page_count, max_pages)
        if page_count == 0:
            raise corrupt

        texts: list[str] = []
        for index in range(page_count):
            try:
                one_page = page_text(reader.pages[index])
            except FileNotDecryptedError as exc:
                raise encrypted from exc
            except Exception as exc:
                raise corrupt from exc
            texts.append(one_page.strip("\n"))
    finally:
        pypdf_logger.setLevel(previous_level)

    if not any(t.strip() for t in texts):
        raise DocumentError(
            "This PDF has no selectable text (it may be a scan); paste the text instead.",
            "no_text",
        )
    return "\n\n".join(t for t in texts if t.strip())


def _declared_page_count(reader: PdfReader) -> int | None:
    """Read /Count from the page tree root without walking the tree."""
    try:
        # Untyped on purpose: a damaged file may hold anything here, and any error means None.
        root: Any = reader.trailer["/Root"]
        count = root["/Pages"]["/Count"]
        return int(count)
    except Exception:
        return None


def _too_many_pages(count: int, max_pages: int) -> DocumentError:
    return DocumentError(
        f"This PDF has {count} pages; resumes are limited to {max_pages} pages.",
        "too_many_pages",
    )


# --------------------------------------------------------------------------- DOCX

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _zip_bomb() -> DocumentError:
    return DocumentError(
        "This Word file expands to an unreasonable size and was refused; "
        "save it again or paste the text instead.",
        "zip_bomb",
    )


def _check_zip(data: bytes) -> None:
    """Validate the zip container from its central directory, then read it with a cap."""
    if not data.startswith(b"PK\x03\x04"):
        raise DocumentError(
            "This file is not a Word .docx document (its content does not match the "
            "extension). Upload the original file or paste the text.",
            "content_mismatch",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise DocumentError(
            "This Word document is damaged and cannot be read; save it again or paste the text.",
            "corrupt_file",
        ) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > ZIP_MAX_MEMBERS:
            raise _zip_bomb()
        total = 0
        for info in infos:
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > ZIP_RATIO_MIN_SIZE and ratio > ZIP_MAX_RATIO:
                raise _zip_bomb()
        if total > ZIP_MAX_TOTAL_UNCOMPRESSED:
            raise _zip_bomb()
        names = {info.filename for info in infos}
        if "word/document.xml" not in names:
            raise DocumentError(
                "This file is a zip archive but not a Word .docx document; "
                "upload a PDF, DOCX or TXT file, or paste the text.",
                "content_mismatch",
            )
        # Declared sizes can lie; read every member with a hard cap on actual output.
        budget = ZIP_MAX_TOTAL_UNCOMPRESSED
        try:
            for info in infos:
                if info.is_dir():
                    continue
                with archive.open(info) as member:
                    while True:
                        chunk = member.read(64 * 1024)
                        if not chunk:
                            break
                        budget -= len(chunk)
                        if budget < 0:
                            raise _zip_bomb()
        except DocumentError:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise DocumentError(
                "This Word document is damaged and cannot be read; save it again or paste the text.",
                "corrupt_file",
            ) from exc
        except Exception as exc:  # zlib.error and friends
            raise DocumentError(
                "This Word document is damaged and cannot be read; save it again or paste the text.",
                "corrupt_file",
            ) from exc


def _extract_docx(data: bytes) -> str:
    _check_zip(data)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise DocumentError(
            "This Word document is damaged and cannot be read; save it again or paste the text.",
            "corrupt_file",
        ) from exc

    lines: list[str] = []
    try:
        # Names and contact details are often put in the page header; keep them first.
        if document.sections:
            header = document.sections[0].header
            if not header.is_linked_to_previous:
                lines.extend(_block_lines(header.iter_inner_content()))
        lines.extend(_block_lines(document.iter_inner_content()))
    except Exception as exc:
        raise DocumentError(
            "This Word document is damaged and cannot be read; save it again or paste the text.",
            "corrupt_file",
        ) from exc
    return "\n".join(lines)


def _block_lines(blocks: Iterable[object]) -> Iterator[str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in blocks:
        if isinstance(block, Paragraph):
            yield from _paragraph_lines(block)
        elif isinstance(block, Table):
            yield from _table_lines(block)


def _is_list_paragraph(paragraph: Paragraph) -> bool:
    p_pr = paragraph._p.pPr
    if p_pr is not None and p_pr.numPr is not None:
        return True
    try:
        style = paragraph.style
        style_name = (style.name or "").lower() if style is not None else ""
    except Exception:
        style_name = ""
    return "bullet" in style_name or style_name.startswith("list number")


@functools.cache
def _text_box_finder() -> Callable[[_Element], Any]:
    from lxml import etree

    return etree.XPath(
        ".//w:txbxContent[not(ancestor::mc:Fallback)]",
        namespaces={"w": _W_NS, "mc": _MC_NS},
    )


def _text_boxes(element: _Element) -> list[_Element]:
    # A node-set expression: the XPath result is always a list of elements.
    return list(_text_box_finder()(element))


def _paragraph_lines(paragraph: Paragraph) -> Iterator[str]:
    text = paragraph.text
    parts = [part.strip() for part in text.split("\n")]
    parts = [part for part in parts if part]
    if not parts:
        yield ""
    elif _is_list_paragraph(paragraph):
        first = parts[0]
        if not (first.startswith("- ") or first[:1] in BULLET_GLYPHS):
            first = "- " + first
        yield first
        yield from parts[1:]
    else:
        yield from parts
    # Text boxes (w:txbxContent) are not part of paragraph.text; keep their lines too,
    # skipping the duplicate copy that Word stores in mc:Fallback.
    for box in _text_boxes(paragraph._p):
        for p in box.iterfind(f"{{{_W_NS}}}p"):
            box_text = "".join(t.text or "" for t in p.iter(f"{{{_W_NS}}}t")).strip()
            if box_text:
                yield box_text


def _table_lines(table: Table) -> Iterator[str]:
    # Keep the elements referenced so their ids stay unique while we iterate.
    seen: dict[int, object] = {}
    for row in table.rows:
        for cell in row.cells:
            key = id(cell._tc)
            if key in seen:
                continue  # merged cells repeat the same element
            seen[key] = cell._tc
            for line in _block_lines(cell.iter_inner_content()):
                if line.strip():
                    yield line
    yield ""
