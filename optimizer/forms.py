"""Input validation shared by the page and the API (Django forms validate plain dicts too)."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

try:  # The documents issue adds PDF/DOCX extraction; until it lands, plain text only.
    from optimizer.documents import DocumentError, extract_text
except ImportError:  # pragma: no cover - depends on which branches are merged
    DocumentError = None  # type: ignore[assignment,misc]
    extract_text = None  # type: ignore[assignment]

DOCUMENTS_AVAILABLE = extract_text is not None
UPLOAD_EXTENSIONS = (".pdf", ".docx", ".txt") if DOCUMENTS_AVAILABLE else (".txt",)
# What the file picker offers: the issue asks for all three; the server says what it can read.
UPLOAD_ACCEPT = ".pdf,.docx,.txt"

_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _check_text(value: str) -> str:
    if "\x00" in value:
        raise forms.ValidationError("The text contains NUL bytes; paste plain text.", code="nul")
    if _LONE_SURROGATE.search(value):
        raise forms.ValidationError(
            "The text contains invalid characters (lone surrogates); paste plain text.",
            code="surrogate",
        )
    return value


class _TextField(forms.CharField):
    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(
            strip=True,
            min_length=settings.INPUT_MIN_CHARS,
            max_length=max_length,
            widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
            **kwargs,
        )

    def clean(self, value: Any) -> str:
        return _check_text(super().clean(value))


def _decode_txt(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_resume_file(upload: UploadedFile) -> str:
    """The text of an uploaded resume file, or a ValidationError that says what is wrong."""
    name = upload.name or ""
    extension = PurePath(name).suffix.lower()
    if extension not in UPLOAD_EXTENSIONS:
        allowed = ", ".join(UPLOAD_EXTENSIONS)
        raise forms.ValidationError(
            f"Unsupported file type ({extension or 'no extension'}). Upload {allowed}, "
            "or paste the text.",
            code="unsupported_type",
        )
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise forms.ValidationError(
            f"The file is too large ({upload.size / 1024 / 1024:.1f} MB); "
            f"the limit is {limit / 1024 / 1024:.1f} MB.",
            code="file_too_large",
        )
    data = upload.read(limit + 1)
    if extract_text is not None:
        try:
            return extract_text(name, data, max_bytes=limit)
        except DocumentError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
    if not data:
        raise forms.ValidationError("The file is empty.", code="empty_file")
    return _decode_txt(data)


class OptimizeForm(forms.Form):
    resume_raw_text = forms.CharField(required=False)  # replaced in __init__ (settings at runtime)
    job_description_text = forms.CharField(required=False)
    resume_file = forms.FileField(
        required=False,
        label="Or upload your resume file",
        widget=forms.FileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built here, not at import, so the limits follow the settings (and test overrides).
        self.fields["resume_raw_text"] = _TextField(
            max_length=settings.RESUME_MAX_CHARS,
            required=False,
            label="Your resume",
            help_text="Paste the full text of your resume.",
        )
        self.fields["job_description_text"] = _TextField(
            max_length=settings.JOB_DESCRIPTION_MAX_CHARS,
            label="Job description",
            help_text="Paste the job ad you are applying for.",
        )
        limit_mb = settings.UPLOAD_MAX_BYTES / 1024 / 1024
        if DOCUMENTS_AVAILABLE:
            self.fields["resume_file"].help_text = f"PDF, DOCX or TXT, up to {limit_mb:.0f} MB."
        else:
            self.fields["resume_file"].help_text = (
                f"Plain text (.txt) only for now, up to {limit_mb:.0f} MB: "
                "PDF and DOCX reading is not installed yet."
            )
        self.order_fields(["resume_raw_text", "resume_file", "job_description_text"])
        for name, field in self.fields.items():
            attrs = field.widget.attrs
            described = [f"id_{name}-help", f"id_{name}-errors"]
            if isinstance(field, _TextField):
                # Our counter shows the limit; the browser must not cut a pasted resume short.
                attrs.pop("maxlength", None)
                attrs.pop("minlength", None)
                attrs["data-max-chars"] = str(field.max_length)
                described.insert(1, f"id_{name}-counter")
            attrs["aria-describedby"] = " ".join(described)

    def clean_resume_file(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("resume_file")
        if upload:
            self.cleaned_data["resume_file_text"] = read_resume_file(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        file_text = cleaned.pop("resume_file_text", None)
        if "resume_raw_text" in self.errors or "resume_file" in self.errors:
            return cleaned
        if file_text is not None and not cleaned.get("resume_raw_text"):
            # The file's text goes through the same checks as pasted text.
            field = self.fields["resume_raw_text"]
            try:
                cleaned["resume_raw_text"] = field.clean(file_text)
            except forms.ValidationError as error:
                self.add_error("resume_file", error)
        elif not cleaned.get("resume_raw_text"):
            self.add_error(
                "resume_raw_text",
                forms.ValidationError("Paste your resume or upload a file.", code="required"),
            )
        return cleaned

    @property
    def resume_filename(self) -> str:
        upload = self.cleaned_data.get("resume_file")
        return (upload.name or "")[:255] if upload and not self.data.get("resume_raw_text") else ""
