"""The API with resume files (multipart/form-data) and the job's downloads."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

import docx
import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import AsyncClient
from samples import JOB

from optimizer.documents import extract_text
from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER = """OPTIMIZED RESUME
José Núñez
SUMMARY
Python developer with Django and PostgreSQL.
EXPERIENCE
Engineer — Acme Corp (2019 – 2023)
- Built Django APIs for billing

CHANGES MADE
- Moved Python first

EXPECTED IMPROVEMENT
Better keyword coverage for Python and Django.
"""


def docx_bytes(*lines: str) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def post(path: str, data: dict[str, Any], key: str) -> Any:
    return await AsyncClient().post(path, data, headers={"X-API-Key": key})  # multipart


async def test_generate_reads_a_docx_resume(use_anthropic: Any, api_key: str) -> None:
    upload = SimpleUploadedFile(
        "resume.docx", docx_bytes("José Núñez", "Engineer at Acme Corp", "Built Django APIs")
    )
    response = await post(
        "/api/v1/generate", {"resume_file": upload, "job_description_text": JOB}, api_key
    )
    assert response.status_code == 200, response.content
    prompt = use_anthropic.last_request.body["messages"][0]["content"]
    assert "José Núñez" in prompt and "Built Django APIs" in prompt


async def test_the_stream_endpoint_takes_a_file_too(use_anthropic: Any, api_key: str) -> None:
    upload = SimpleUploadedFile("resume.txt", b"Jane Doe\nPython developer at Acme\n")
    response = await post(
        "/api/v1/generate/stream", {"resume_file": upload, "job_description_text": JOB}, api_key
    )
    assert response.status_code == 200
    body = b"".join([part async for part in response.streaming_content]).decode()
    assert '"type":"done"' in body
    assert "Jane Doe" in use_anthropic.last_request.body["messages"][0]["content"]


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("resume.exe", b"MZ\x90\x00", 400, "unsupported_type"),
        ("resume.pdf", b"not a pdf at all", 400, "content_mismatch"),
        ("resume.docx", b"%PDF-1.4 pretending", 400, "content_mismatch"),
        ("resume.txt", b"", 400, "empty_file"),
        ("resume.pdf", b"%PDF-1.4\n" + b"0" * 100, 400, "corrupt_file"),
    ],
)
async def test_bad_files_get_a_clear_error_and_no_upstream_call(
    use_anthropic: Any, api_key: str, name: str, content: bytes, status: int, code: str
) -> None:
    upload = SimpleUploadedFile(name, content)
    response = await post(
        "/api/v1/generate", {"resume_file": upload, "job_description_text": JOB}, api_key
    )
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, "resume_file")
    assert use_anthropic.calls == 0


async def test_an_oversized_file_is_413(use_anthropic: Any, api_key: str, settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 2048
    upload = SimpleUploadedFile("resume.txt", b"word " * 1000)
    response = await post(
        "/api/v1/generate", {"resume_file": upload, "job_description_text": JOB}, api_key
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert use_anthropic.calls == 0


async def test_a_job_offers_its_result_as_files(use_anthropic: Any, api_key: str) -> None:
    use_anthropic.enqueue(FakeReply(text=ANSWER))
    created = await AsyncClient().post(
        "/api/v1/jobs",
        {
            "resume_raw_text": "José Núñez\nEngineer at Acme Corp 2019-2023",
            "job_description_text": JOB,
        },
        content_type="application/json",
        headers={"X-API-Key": api_key},
    )
    urls = created.json()["download_urls"]
    assert set(urls) == {"txt", "md", "docx", "pdf"}
    early = await AsyncClient().get(local(urls["pdf"]))
    assert early.status_code == 409
    stream = await AsyncClient().get(local(created.json()["stream_url"]))
    assert b'"type":"done"' in b"".join([p async for p in stream.streaming_content])

    lines = [line for line in ANSWER.split("CHANGES MADE")[0].splitlines()[1:] if line.strip()]
    pdf = await AsyncClient().get(local(urls["pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    pdf_text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages
    )
    word = await AsyncClient().get(local(urls["docx"]))
    word_text = extract_text("r.docx", word.content)
    for text in (pdf_text, word_text):
        position = 0
        for line in lines:
            found = text.find(line.lstrip("- ").strip(), position)
            assert found >= 0, (line, text)
            position = found
    txt = await AsyncClient().get(local(urls["txt"]))
    assert txt.content.decode().startswith("José Núñez")
    forged = await AsyncClient().get(local(urls["pdf"]).replace("token=", "token=x"))
    assert forged.status_code == 401
    unknown = await AsyncClient().get(local(urls["pdf"]).replace("download.pdf", "download.exe"))
    assert unknown.status_code == 404
