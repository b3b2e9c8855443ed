"""The application tracker (issue 16, item 5): a version goes on the board from its result page,
moves between columns with buttons (plain posts, or htmx answering the board), carries dates, a
note and the letter sent, and the whole board exports as CSV. Bad input gets a clear error."""

from __future__ import annotations

import csv
import datetime
import io
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from samples import JOB
from test_letters_page import _written
from test_pages import _run

from optimizer.models import Application, Optimization
from optimizer.tracker import safe_cell

pytestmark = pytest.mark.django_db

COLUMNS = ["Saved", "Applied", "Interviewing", "Offer", "Rejected"]


GLOBEX_JOB = "Senior Python Developer at Globex\n" + JOB


def _tracked(client: Client, status: str = "") -> tuple[Optimization, Application]:
    version, _ = _run(client, job_description_text=GLOBEX_JOB)
    data = {"status": status} if status else {}
    response = client.post(f"/optimize/{version.pk}/track", data)
    application = Application.objects.get(optimization=version)
    assert response.status_code == 302 and response.url == f"/tracker/{application.pk}/"
    return version, application


def _column_of(html: str, application: Application) -> str:
    """The heading of the board column that holds the card."""
    card = html.index(f'id="application-{application.pk}"')
    headings = [(html.rfind(f'id="column-{s.lower()}"', 0, card), s) for s in COLUMNS]
    return max(headings)[1]


def _edit(client: Client, application: Application, **data: str) -> Any:
    form = {"status": application.status, "applied_on": "", "interview_on": "", "outcome_on": ""}
    return client.post(f"/tracker/{application.pk}/", {**form, "note": "", **data})


def test_a_version_goes_on_the_board_from_its_result_page(
    client: Client, use_anthropic: Any
) -> None:
    version, _ = _run(client)
    page = client.get(f"/optimize/{version.pk}/").content.decode()
    assert "Track this application" in page
    response = client.post(f"/optimize/{version.pk}/track")
    application = Application.objects.get()
    assert response.url == f"/tracker/{application.pk}/"
    assert application.status == "saved" and application.applied_on is None
    board = client.get("/tracker/").content.decode()
    for label in COLUMNS:
        assert f">{label} <span" in board
    assert _column_of(board, application) == "Saved"
    assert "Senior Python Developer" in board and f'href="/optimize/{version.pk}/"' in board
    page = client.get(f"/optimize/{version.pk}/").content.decode()
    assert "applications board" in page and "Track this application" not in page
    # Tracking it again moves the same card instead of adding a second.
    _tracked_again = client.post(f"/optimize/{version.pk}/track", {"status": "applied"})
    assert _tracked_again.status_code == 302 and Application.objects.count() == 1
    application.refresh_from_db()
    assert application.status == "applied" and application.applied_on == timezone.localdate()


def test_the_buttons_move_a_card_without_javascript_and_with_htmx(
    client: Client, use_anthropic: Any
) -> None:
    _, application = _tracked(client)
    response = client.post(f"/tracker/{application.pk}/move", {"status": "interviewing"})
    assert response.status_code == 302
    assert response.url == f"/tracker/#application-{application.pk}"
    assert _column_of(client.get("/tracker/").content.decode(), application) == "Interviewing"
    partial = client.post(
        f"/tracker/{application.pk}/move", {"status": "offer"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.strip().startswith('<div id="board"') and "<html" not in partial
    assert _column_of(partial, application) == "Offer"
    application.refresh_from_db()
    assert application.status == "offer" and application.outcome_on == timezone.localdate()
    # The card offers every other column, and not its own.
    card = partial[partial.index(f'id="application-{application.pk}"') :]
    card = card[: card.index("</li>")]
    assert 'value="offer"' not in card and all(
        f'value="{s}"' in card for s in ("saved", "applied", "interviewing", "rejected")
    )


def test_dates_a_note_and_the_letter_are_saved_and_the_note_is_escaped(
    client: Client, use_anthropic: Any
) -> None:
    version, application = _tracked(client)
    letter, _ = _written(client, version)
    page = client.get(f"/tracker/{application.pk}/").content.decode()
    assert str(letter.pk) in page and 'type="date"' in page
    note = '<script>window.__pwned=1</script>\nCall Ana on Monday & ask about "remote"'
    response = _edit(
        client,
        application,
        status="interviewing",
        applied_on="2026-03-02",
        interview_on="2026-03-20",
        note=note,
        letter=str(letter.pk),
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "interviewing" and application.note == note
    assert application.applied_on == datetime.date(2026, 3, 2)
    assert application.interview_on == datetime.date(2026, 3, 20)
    assert application.letter == letter
    for url in ("/tracker/", f"/tracker/{application.pk}/"):
        html = client.get(url).content.decode()
        assert "<script>window.__pwned" not in html, url
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html, url
    board = client.get("/tracker/").content.decode()
    assert "Applied 2026-03-02" in board and "Interview 2026-03-20" in board
    assert f'href="/optimize/{letter.pk}/"' in board
    # No letter is a choice too.
    assert _edit(client, application, letter="").status_code == 302
    application.refresh_from_db()
    assert application.letter is None


def test_a_letter_written_before_tracking_is_the_default_letter(
    client: Client, use_anthropic: Any
) -> None:
    version, _ = _run(client)
    letter, _ = _written(client, version)
    client.post(f"/optimize/{version.pk}/track")
    assert Application.objects.get().letter == letter


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "hired"}, "Select a valid choice."),
        ({"status": ""}, "This field is required."),
        ({"applied_on": "02/03/2026"}, "Enter the date as YYYY-MM-DD"),
        ({"applied_on": "2026-02-30"}, "Enter the date as YYYY-MM-DD"),
        ({"interview_on": "tomorrow"}, "Enter the date as YYYY-MM-DD"),
        ({"outcome_on": "0202-01-01"}, "Enter a date between 1990-01-01 and"),
        ({"applied_on": "9999-12-31"}, "Enter a date between 1990-01-01 and"),
        ({"note": "x" * 100_000}, "at most 5000 characters"),
        ({"letter": str(uuid.uuid4())}, "Choose one of this version"),
        ({"letter": "not-a-letter"}, "Choose one of this version"),
    ],
)
def test_bad_tracker_input_gets_a_clear_error_and_changes_nothing(
    client: Client, use_anthropic: Any, data: dict[str, str], message: str
) -> None:
    _, application = _tracked(client)
    before = Application.objects.values().get()
    response = _edit(client, application, **data)
    assert response.status_code == 422 and message in response.content.decode()
    assert Application.objects.values().get() == before


@pytest.mark.parametrize("status", ["hired", "", "SAVED", "<b>x</b>", "x" * 10_000])
def test_an_unknown_status_is_a_400_that_moves_nothing(
    client: Client, use_anthropic: Any, status: str
) -> None:
    version, application = _tracked(client)
    for url in (f"/tracker/{application.pk}/move", f"/optimize/{version.pk}/track"):
        response = client.post(url, {"status": status})
        if url.endswith("track") and not status:
            continue  # no status: tracking means "saved"
        assert response.status_code == 400, url
        assert b"Unknown status" in response.content and b"<b>" not in response.content
        assert len(response.content) < 500
    application.refresh_from_db()
    assert application.status == "saved"


def test_unknown_ids_letters_and_unfinished_jobs_are_404s(
    client: Client, use_anthropic: Any
) -> None:
    version, application = _tracked(client)
    letter, _ = _written(client, version)
    calls = use_anthropic.calls
    for url in (f"/tracker/{uuid.uuid4()}/", "/tracker/not-a-uuid/"):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/tracker/{uuid.uuid4()}/move",
        f"/tracker/{uuid.uuid4()}/remove",
        f"/optimize/{uuid.uuid4()}/track",
        f"/optimize/{letter.pk}/track",  # a letter is not a version
    ):
        assert client.post(url, {"status": "applied"}).status_code == 404, url
    unfinished = Optimization.objects.create(
        resume_text="r", job_description="j", session_key=version.session_key
    )
    assert client.post(f"/optimize/{unfinished.pk}/track").status_code == 404
    assert client.get(f"/tracker/{application.pk}/move").status_code == 405
    assert client.get(f"/optimize/{version.pk}/track").status_code == 405
    assert Application.objects.count() == 1 and use_anthropic.calls == calls


def test_taking_a_card_off_the_board_keeps_the_version(client: Client, use_anthropic: Any) -> None:
    version, application = _tracked(client)
    response = client.post(f"/tracker/{application.pk}/remove")
    assert response.status_code == 302 and response.url == "/tracker/"
    assert not Application.objects.exists() and Optimization.objects.filter(pk=version.pk).exists()
    assert "No application yet" in client.get("/tracker/").content.decode()


def _csv_rows(client: Client) -> list[dict[str, str]]:
    response = client.get("/tracker/applications.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="applications-')
    assert "no-store" in response["Cache-Control"]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_has_job_company_status_dates_score_and_links(
    client: Client, use_anthropic: Any
) -> None:
    version, application = _tracked(client)
    letter, _ = _written(client, version)
    _edit(
        client,
        application,
        status="applied",
        applied_on="2026-03-02",
        note="Referred by Ana",
        letter=str(letter.pk),
    )
    [row] = _csv_rows(client)
    version.refresh_from_db()
    assert row["job"] == "Senior Python Developer" and row["company"] == "Globex"
    assert row["status"] == "Applied" and row["applied_on"] == "2026-03-02"
    assert row["interview_on"] == "" and row["note"] == "Referred by Ana"
    assert row["score_before"] == str(version.score["before"])
    assert row["score_after"] == str(version.score["after"])
    assert row["resume_url"] == f"http://testserver/optimize/{version.pk}/"
    assert row["resume_pdf_url"] == f"http://testserver/optimize/{version.pk}/download.pdf"
    assert row["letter_url"] == f"http://testserver/optimize/{letter.pk}/"
    assert client.get(row["resume_pdf_url"]).status_code == 200


def test_the_csv_neutralises_formulas(client: Client, use_anthropic: Any) -> None:
    _, application = _tracked(client)
    for note in (
        '=HYPERLINK("http://evil.example","x")',
        "+1+cmd|' /C calc'!A0",
        "@SUM(A1)",
        "-2+3",
        "\t=1",
    ):
        _edit(client, application, note=note)
        [row] = _csv_rows(client)
        assert row["note"] == "'" + note.strip(), note  # the form strips the note
    assert safe_cell("\t=1") == "'\t=1" and safe_cell("\r=1") == "'\r=1"
    assert safe_cell("plain") == "plain" and safe_cell(None) == "" and safe_cell(42) == "42"


def test_the_csv_neutralises_a_formula_in_the_job_ad_too(
    client: Client, use_anthropic: Any
) -> None:
    version, _ = _tracked(client)
    Optimization.objects.filter(pk=version.pk).update(
        job_description="=cmd|' /C calc'!A0\n" + JOB, title="+SUM(1)"
    )
    [row] = _csv_rows(client)
    assert row["job"] == "'=cmd|' /C calc'!A0" and row["version"] == "'+SUM(1)"


def test_the_csv_of_an_empty_board_has_its_header_only(client: Client) -> None:
    assert _csv_rows(client) == []


def test_the_board_moves_into_the_account_on_sign_up(client: Client, use_anthropic: Any) -> None:
    _, application = _tracked(client, status="interviewing")
    password = "cobalt-harbour-1987"
    client.post(
        "/account/signup/",
        {"email": "jane@example.com", "password1": password, "password2": password},
    )
    other_device = Client()
    other_device.post("/account/login/", {"username": "jane@example.com", "password": password})
    board = other_device.get("/tracker/").content.decode()
    assert _column_of(board, application) == "Interviewing"
    assert len(_csv_rows(other_device)) == 1


def test_the_board_and_the_csv_cost_the_same_queries_for_one_card_or_many(
    client: Client, use_anthropic: Any
) -> None:
    version, _ = _tracked(client)
    letter, _ = _written(client, version)

    def queries() -> dict[str, int]:
        counts = {}
        for url in ("/tracker/", "/tracker/applications.csv"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts[url] = len(captured)
        return counts

    one = queries()
    for _ in range(4):
        copy = Optimization.objects.create(
            resume_text=version.resume_text,
            job_description=version.job_description,
            session_key=version.session_key,
            status="done",
            result=version.result,
        )
        Application.objects.create(optimization=copy, letter=letter, status="applied")
    assert queries() == one
