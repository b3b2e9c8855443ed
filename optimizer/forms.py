"""Input validation shared by the web page and the JSON API.

Django forms validate plain dicts too: the API passes the decoded JSON object as `data`, the page
passes request.POST. Fields not declared here are ignored (the API documents that).
Error codes (ValidationError.code), used by the API's error shape: required, invalid_type,
min_length, max_length, null_characters_not_allowed, invalid_characters.

The page uses PageOptimizeForm: the same fields, plus an optional resume file (PDF, DOCX or TXT
through optimizer.documents) that stands in for the pasted resume.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxLengthValidator, MinLengthValidator

from optimizer.llm.prompts import LETTER_KINDS, OUTPUT_LANGUAGES, TONES

try:  # The documents issue adds PDF/DOCX extraction; without it, plain text files only.
    from optimizer.documents import DocumentError, extract_text

    DOCUMENTS_AVAILABLE = True
except ImportError:  # pragma: no cover - depends on which branches are merged
    DOCUMENTS_AVAILABLE = False

UPLOAD_EXTENSIONS = (".pdf", ".docx", ".txt") if DOCUMENTS_AVAILABLE else (".txt",)
# What the file picker offers; the server says what it can read.
UPLOAD_ACCEPT = ".pdf,.docx,.txt"

# Lone UTF-16 surrogates: JSON's "\ud800" escapes decode to them, and they cannot be encoded
# as UTF-8, so they would break the database, the cache and the LLM request later on.
_SURROGATES = re.compile("[\ud800-\udfff]")


def _setting(name: str) -> Callable[[], int]:
    # Validators accept a callable limit: limits follow settings changes (tests, env) at once.
    return lambda: int(getattr(settings, name))


class InputTextField(forms.CharField):
    """Stripped text between INPUT_MIN_CHARS and a max-chars setting; a real string only.

    CharField alone would turn a JSON number or list into its repr: the API must say "wrong
    type" instead. CharField already rejects NUL bytes (code null_characters_not_allowed).
    """

    def __init__(self, *, max_chars_setting: str, **kwargs: Any) -> None:
        super().__init__(strip=True, **kwargs)
        self.max_chars_setting = max_chars_setting
        self.validators.append(MinLengthValidator(_setting("INPUT_MIN_CHARS")))
        self.validators.append(MaxLengthValidator(_setting(max_chars_setting)))

    @property
    def max_chars(self) -> int:
        """The limit, for the page's character counter (`field.field.max_chars`)."""
        return _setting(self.max_chars_setting)()

    def to_python(self, value: Any) -> str:
        if value not in self.empty_values and not isinstance(value, str):
            raise ValidationError("This field must be a string.", code="invalid_type")
        return str(super().to_python(value))

    def validate(self, value: str) -> None:
        super().validate(value)
        if _SURROGATES.search(value):
            raise ValidationError(
                "This field contains invalid characters (unpaired UTF-16 surrogates).",
                code="invalid_characters",
            )


class LanguageField(forms.ChoiceField):
    """A language code from a JSON body: a number or a list is a wrong type, not a bad choice."""

    def to_python(self, value: Any) -> str:
        if value not in self.empty_values and not isinstance(value, str):
            raise ValidationError("This field must be a string.", code="invalid_type")
        return str(super().to_python(value))


class OptimizeForm(forms.Form):
    """A resume and the job description to optimize it for (the seed's field names)."""

    resume_raw_text = InputTextField(
        label="Resume", max_chars_setting="RESUME_MAX_CHARS", widget=forms.Textarea
    )
    job_description_text = InputTextField(
        label="Job description",
        max_chars_setting="JOB_DESCRIPTION_MAX_CHARS",
        widget=forms.Textarea,
    )
    output_language = LanguageField(
        required=False,
        label="Language of the rewrite",
        choices=[("", "The language of my resume"), *OUTPUT_LANGUAGES.items()],
        error_messages={
            "invalid_choice": "Unknown language %(value)s: use one of "
            + ", ".join(OUTPUT_LANGUAGES)
            + ", or leave it out for the resume's own language."
        },
    )


class SharedFieldsMixin:
    """For a form that only validates (the API's): its instances use the class's field objects
    instead of Django's deep copy of them per instance, which was about a fifth of a cache
    hit's CPU (three fields with their widgets and validators copied on every request). Such a
    form must not change its fields; the page's, which set help texts per instance, keep
    Django's copies."""

    base_fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.base_fields = {}  # what BaseForm.__init__ deep-copies: nothing
        super().__init__(*args, **kwargs)
        del self.base_fields
        self.fields = dict(type(self).base_fields)


class ApiOptimizeForm(SharedFieldsMixin, OptimizeForm):
    """OptimizeForm for the JSON API: validated, never rendered."""


# -- letters: a cover letter or an outreach note (issue 16, item 1) ----------------------------


class StringField(forms.CharField):
    """An optional string from a JSON body: a number or a list is a wrong type."""

    def to_python(self, value: Any) -> str:
        if value not in self.empty_values and not isinstance(value, str):
            raise ValidationError("This field must be a string.", code="invalid_type")
        return str(super().to_python(value))


def _choices_message(name: str, choices: Any) -> str:
    return f"Unknown {name} %(value)s: use one of " + ", ".join(choices) + "."


class LetterOptionsForm(forms.Form):
    """What a letter adds to the seed's request: its kind, tone and optionally the resume
    optimization it is written from (then its resume and job are used). The resume and job
    texts themselves are checked by OptimizeForm."""

    kind = LanguageField(
        required=False,
        choices=[(kind, name.capitalize()) for kind, name in LETTER_KINDS.items()],
        error_messages={"invalid_choice": _choices_message("kind", LETTER_KINDS)},
    )
    tone = LanguageField(
        required=False,
        choices=[(tone, tone.capitalize()) for tone in TONES],
        error_messages={"invalid_choice": _choices_message("tone", TONES)},
    )
    # Checked as a UUID by the view: a malformed id is "no such optimization" (404), as is
    # another caller's.
    optimization_id = StringField(required=False, max_length=64)


class JobKindForm(forms.Form):
    """POST /api/v1/jobs: what the job writes (the resume by default)."""

    kind = LanguageField(
        required=False,
        choices=[("resume", "Resume"), *((kind, kind) for kind in LETTER_KINDS)],
        error_messages={"invalid_choice": _choices_message("kind", ["resume", *LETTER_KINDS])},
    )


# -- batches: one resume, several jobs (issue 16, item 3) ------------------------------------


def job_description_field() -> InputTextField:
    """One job description of a batch, checked as job_description_text is."""
    return InputTextField(max_chars_setting="JOB_DESCRIPTION_MAX_CHARS")


class JsonBooleanField(forms.Field):
    """true or false from a JSON body (absent: false); "yes" or 1 is a wrong type."""

    def to_python(self, value: Any) -> bool:
        if value in (None, ""):
            return False
        if not isinstance(value, bool):
            raise ValidationError("This field must be true or false.", code="invalid_type")
        return value


class BatchOptionsForm(forms.Form):
    """POST /api/v1/batches, besides the resume and the list of job descriptions (checked by
    the view): the rewrite's language, a resume optimization to take the resume from, and
    deferred (not needed now: the Message Batches API when ANTHROPIC_BATCH is on)."""

    output_language = OptimizeForm.base_fields["output_language"]
    optimization_id = StringField(required=False, max_length=64)
    deferred = JsonBooleanField(required=False)


# -- the page: an optional resume file instead of the pasted text -------------------------------


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
        raise ValidationError(
            f"Unsupported file type ({extension or 'no extension'}). Upload {allowed}, "
            "or paste the text.",
            code="unsupported_type",
        )
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            f"The file is too large ({upload.size / 1024 / 1024:.1f} MB); "
            f"the limit is {limit / 1024 / 1024:.1f} MB.",
            code="file_too_large",
        )
    data = upload.read(limit + 1)
    if DOCUMENTS_AVAILABLE:
        try:
            return str(extract_text(name, data, max_bytes=limit))
        except DocumentError as error:
            raise ValidationError(error.message, code=error.code) from None
    if not data:
        raise ValidationError("The file is empty.", code="empty_file")
    return _decode_txt(data)


class PageOptimizeForm(OptimizeForm):
    """The web form: the API's fields, plus a resume file that may replace the pasted text."""

    resume_file = forms.FileField(
        required=False,
        label="Or upload your resume file",
        widget=forms.FileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resume_read_from_file = False
        resume = self.fields["resume_raw_text"]
        resume.required = False  # a file may stand in for it (checked in clean())
        resume.label = "Your resume"
        resume.help_text = "Paste the full text of your resume."
        self.fields["job_description_text"].help_text = "Paste the job ad you are applying for."
        self.fields[
            "output_language"
        ].help_text = (
            "Keep your resume's language unless you apply in another one; the facts stay the same."
        )
        limit_mb = settings.UPLOAD_MAX_BYTES / 1024 / 1024
        if DOCUMENTS_AVAILABLE:
            self.fields["resume_file"].help_text = f"PDF, DOCX or TXT, up to {limit_mb:.0f} MB."
        else:
            self.fields["resume_file"].help_text = (
                f"Plain text (.txt) only for now, up to {limit_mb:.0f} MB: "
                "PDF and DOCX reading is not installed yet."
            )
        self.order_fields(
            ["resume_raw_text", "resume_file", "job_description_text", "output_language"]
        )
        limits = {
            "resume_raw_text": settings.RESUME_MAX_CHARS,
            "job_description_text": settings.JOB_DESCRIPTION_MAX_CHARS,
        }
        for name, field in self.fields.items():
            described = [f"id_{name}-help", f"id_{name}-errors"]
            if name in limits:
                # Our counter shows the limit; the browser must not cut a pasted resume short.
                field.widget.attrs.update(rows="14", spellcheck="false")
                field.widget.attrs["data-max-chars"] = str(limits[name])
                described.insert(1, f"id_{name}-counter")
            field.widget.attrs["aria-describedby"] = " ".join(described)

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
            try:
                cleaned["resume_raw_text"] = self.fields["resume_raw_text"].clean(file_text)
            except ValidationError as error:
                self.add_error("resume_file", error)
            else:
                # Shown in the resume box if another field has an error: the browser forgets
                # the chosen file, the form must not forget what was in it.
                # .get(): a QueryDict's raw values are lists (dict unpacking would show them).
                data = {key: self.data.get(key) for key in self.data}
                self.data = {**data, "resume_raw_text": cleaned["resume_raw_text"]}
                self.resume_read_from_file = True
        elif not cleaned.get("resume_raw_text"):
            message = "Paste your resume or upload a file."
            self.add_error("resume_raw_text", ValidationError(message, code="required"))
        return cleaned

    @property
    def resume_filename(self) -> str:
        upload = self.cleaned_data.get("resume_file")
        if not upload or not self.resume_read_from_file:
            return ""
        return (upload.name or "")[:255]


class BatchPageForm(PageOptimizeForm):
    """The batch page's form: the resume (pasted or uploaded) and its language as on the home
    page, up to BATCH_MAX_JOBS job descriptions (boxes named job_description; blank boxes are
    not used), and "not needed now" (the Message Batches API, when it is on)."""

    deferred = forms.BooleanField(
        required=False,
        label="I do not need these now: send them at half price, results within 24 hours",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["job_description_text"]
        # Read now: PageOptimizeForm.clean() replaces self.data with a plain dict (one value a
        # name) once it has read a resume file.
        self.job_values: list[str] = (
            list(self.data.getlist("job_description")) if hasattr(self.data, "getlist") else []
        )
        self.job_descriptions: list[str] = []
        self.job_errors: dict[int, str] = {}

    def job_boxes(self) -> list[dict[str, Any]]:
        """What each job description box shows: its text and its error."""
        values = self.job_values
        count = max(settings.BATCH_MAX_JOBS, len(values))
        return [
            {
                "index": index,
                "number": index + 1,
                "value": values[index] if index < len(values) else "",
                "error": self.job_errors.get(index, ""),
            }
            for index in range(min(count, settings.BATCH_MAX_JOBS))
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        values = self.job_values
        limit = settings.BATCH_MAX_JOBS
        if len(values) > limit:
            self.add_error(
                None,
                ValidationError(
                    f"{len(values)} job descriptions: a batch takes at most {limit}.",
                    code="too_many_jobs",
                ),
            )
            return cleaned
        field = job_description_field()
        for index, value in enumerate(values):
            if not str(value).strip():
                continue  # a box left empty: not a job
            try:
                self.job_descriptions.append(field.clean(value))
            except ValidationError as problems:
                self.job_errors[index] = " ".join(problems.messages)
        for index, message in self.job_errors.items():
            self.add_error(None, ValidationError(f"Job {index + 1}: {message}", code="invalid"))
        if not self.job_descriptions and not self.job_errors:
            self.add_error(
                None,
                ValidationError("Paste at least one job description.", code="required"),
            )
        return cleaned
