"""The application tracker (issue 16, item 5): each tailored version can be marked saved,
applied, interviewing, offer or rejected, with dates and a note; a board with a column per
status (buttons that work without JavaScript, drag and drop with it) and a CSV export.

An application is owned through its version (accounts.owned(..., via="optimization__")), so
signing in moves it with the version and another person's id is a 404 like every other row.
"""

from __future__ import annotations

import csv
import datetime
import io
import uuid
from typing import Any

from django import forms
from django.db import IntegrityError
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from optimizer import accounts
from optimizer.http import HtmxHttpRequest
from optimizer.models import APPLICATION_NOTE_MAX_CHARS, Application, Optimization

STATUSES = Application.Status
VIA = "optimization__"
BOARD_LIMIT = 500
# Dates outside this span are typing mistakes (a year of 0202 or 2206), not job applications.
EARLIEST_DATE = datetime.date(1990, 1, 1)
LATEST_YEARS_AHEAD = 5
# The date a status fills in when it is reached and the date is still empty.
STATUS_DATES = {
    STATUSES.APPLIED: "applied_on",
    STATUSES.OFFER: "outcome_on",
    STATUSES.REJECTED: "outcome_on",
}
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): such a
# cell gets a leading apostrophe, which spreadsheets show as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
CSV_COLUMNS = (
    "job",
    "company",
    "version",
    "status",
    "added",
    "status_changed",
    "applied_on",
    "interview_on",
    "outcome_on",
    "score_before",
    "score_after",
    "note",
    "resume_url",
    "resume_pdf_url",
    "letter_url",
)


def _applications() -> Any:
    return Application.objects.select_related("optimization", "optimization__base_resume", "letter")


async def _owned_application(request: HtmxHttpRequest, pk: uuid.UUID) -> Application:
    return await accounts.owned(request, _applications(), pk, via=VIA)


def _set_status(application: Application, status: str) -> None:
    if status != application.status:
        application.status = status
        application.status_changed_at = timezone.now()
    field = STATUS_DATES.get(STATUSES(status))
    if field and getattr(application, field) is None:
        setattr(application, field, timezone.localdate())


def _bad_status() -> HttpResponse:
    # The value is not echoed: this answer is shown as a page, and the value is the caller's.
    names = ", ".join(STATUSES.values)
    return HttpResponseBadRequest(f"Unknown status: use one of {names}.")


# -- the board ---------------------------------------------------------------------------------


async def _board_context(request: HtmxHttpRequest) -> dict[str, Any]:
    who = await accounts.owner(request)
    rows = who.rows(_applications(), via=VIA).order_by("-status_changed_at")
    items = [row async for row in rows[:BOARD_LIMIT]]
    columns = [
        {"status": value, "label": label, "cards": [a for a in items if a.status == value]}
        for value, label in STATUSES.choices
    ]
    return {"columns": columns, "count": len(items), "statuses": STATUSES.choices}


@require_GET
async def board(request: HtmxHttpRequest) -> HttpResponse:
    context = await _board_context(request)
    template = "optimizer/tracker.html#board" if request.htmx else "optimizer/tracker.html"
    return render(request, template, context)


@require_POST
async def move(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A card to another column (its buttons, or a drop on the column with JavaScript)."""
    application = await _owned_application(request, pk)
    status = str(request.POST.get("status", ""))
    if status not in STATUSES.values:
        return _bad_status()
    _set_status(application, status)
    await application.asave()
    if request.htmx:
        context = {**await _board_context(request), "moved": application.pk}
        return render(request, "optimizer/tracker.html#board", context)
    return HttpResponseRedirect(reverse("tracker") + f"#application-{application.pk}")


# -- adding a version, editing an application ------------------------------------------------


@require_POST
async def track(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Put a finished resume version on the board (status `saved` unless another is given);
    a version already there keeps its card and only changes status."""
    version = await accounts.owned(request, Optimization.objects.all(), pk)
    if version.is_letter or version.status != Optimization.Status.DONE or not version.result:
        raise Http404("Only a finished resume version can be tracked")
    status = str(request.POST.get("status") or STATUSES.SAVED)
    if status not in STATUSES.values:
        return _bad_status()
    application = await _applications().filter(optimization=version).afirst()
    if application is None:
        letter = (
            await accounts.same_owner_as(version, version.letters.all())
            .order_by("-created_at")
            .afirst()
        )
        application = Application(optimization=version, letter=letter)
        try:
            _set_status(application, status)
            await application.asave(force_insert=True)
        except IntegrityError:  # the same version added twice at once: the first one wins
            application = await _applications().aget(optimization=version)
    else:
        _set_status(application, status)
        await application.asave()
    return HttpResponseRedirect(reverse("application", args=[application.pk]))


def _date_field(label: str | None = None) -> forms.DateField:
    """An optional YYYY-MM-DD date (the browser's date picker), with the format in its error."""
    return forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the date as YYYY-MM-DD, e.g. 2026-03-31."},
    )


class ApplicationForm(forms.Form):
    status = forms.ChoiceField(choices=STATUSES.choices)
    applied_on = _date_field()
    interview_on = _date_field("Interview on")
    outcome_on = _date_field("Offer or rejection on")
    note = forms.CharField(
        required=False,
        max_length=APPLICATION_NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"Contacts, next steps, salary talk: yours only. "
        f"At most {APPLICATION_NOTE_MAX_CHARS} characters.",
    )
    letter = forms.ChoiceField(required=False, label="Letter sent with it")

    def __init__(self, *args: Any, letters: list[Optimization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.letters = {str(letter.pk): letter for letter in letters}
        field = self.fields["letter"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "No letter")] + [
            (pk, f"{letter.get_kind_display()}, {letter.created_at:%Y-%m-%d %H:%M} UTC")
            for pk, letter in self.letters.items()
        ]
        field.error_messages["invalid_choice"] = "Choose one of this version's letters."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        latest = datetime.date(timezone.localdate().year + LATEST_YEARS_AHEAD, 12, 31)
        for name in ("applied_on", "interview_on", "outcome_on"):
            day = data.get(name)
            if day is not None and not EARLIEST_DATE <= day <= latest:
                self.add_error(name, f"Enter a date between {EARLIEST_DATE} and {latest}.")
        return data


async def _letters_of(application: Application) -> list[Optimization]:
    version = application.optimization
    rows = accounts.same_owner_as(version, version.letters.all()).order_by("-created_at")
    return [row async for row in rows]


@require_http_methods(["GET", "POST"])
async def application_detail(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """An application's status, dates, note and letter; a POST saves them."""
    application = await _owned_application(request, pk)
    letters = await _letters_of(application)
    if request.method == "GET":
        initial = {
            "status": application.status,
            "applied_on": application.applied_on,
            "interview_on": application.interview_on,
            "outcome_on": application.outcome_on,
            "note": application.note,
            "letter": str(application.letter_id or ""),
        }
        form = ApplicationForm(initial=initial, letters=letters)
        return render(request, "optimizer/application.html", _detail(application, form))
    form = ApplicationForm(request.POST, letters=letters)
    if not form.is_valid():
        context = _detail(application, form)
        return render(request, "optimizer/application.html", context, status=422)
    data = form.cleaned_data
    for name in ("applied_on", "interview_on", "outcome_on", "note"):
        setattr(application, name, data[name])
    application.letter = form.letters.get(data["letter"] or "")
    _set_status(application, data["status"])
    await application.asave()
    return HttpResponseRedirect(reverse("tracker") + f"#application-{application.pk}")


def _detail(application: Application, form: ApplicationForm) -> dict[str, Any]:
    return {"application": application, "job": application.optimization, "form": form}


@require_POST
async def untrack(request: HtmxHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Take a card off the board; the version and its letters stay."""
    application = await _owned_application(request, pk)
    await application.adelete()
    return HttpResponseRedirect(reverse("tracker"))


# -- CSV ---------------------------------------------------------------------------------------


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs (OWASP "CSV Injection")."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _row(request: HtmxHttpRequest, application: Application) -> list[str]:
    version = application.optimization
    score = version.score or {}
    letter = application.letter

    def link(name: str, *args: Any) -> str:
        return request.build_absolute_uri(reverse(name, args=args))

    values = [
        version.job_title,
        version.company,
        version.display_title,
        application.get_status_display(),
        application.created_at.date().isoformat(),
        application.status_changed_at.date().isoformat(),
        application.applied_on,
        application.interview_on,
        application.outcome_on,
        score.get("before", ""),
        score.get("after", ""),
        application.note,
        link("result", version.pk),
        link("download", version.pk, "pdf"),
        link("result", letter.pk) if letter else "",
    ]
    return [safe_cell(value) for value in values]


@require_GET
async def export_csv(request: HtmxHttpRequest) -> HttpResponse:
    """The asker's applications as CSV (UTF-8 with a BOM, so spreadsheets read accents right)."""
    who = await accounts.owner(request)
    rows = who.rows(_applications(), via=VIA).order_by("-status_changed_at")
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    async for application in rows:
        writer.writerow(_row(request, application))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"applications-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'  # ASCII by construction
    response["Cache-Control"] = "private, no-store"  # personal data
    return response
