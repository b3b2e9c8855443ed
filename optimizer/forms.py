"""Input validation shared by the web page and the JSON API.

Django forms validate plain dicts too: the API passes the decoded JSON object as `data`, the page
passes request.POST. Fields not declared here are ignored (the API documents that).
Error codes (ValidationError.code), used by the API's error shape: required, invalid_type,
min_length, max_length, null_characters_not_allowed, invalid_characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinLengthValidator

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
        self.validators.append(MinLengthValidator(_setting("INPUT_MIN_CHARS")))
        self.validators.append(MaxLengthValidator(_setting(max_chars_setting)))

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
