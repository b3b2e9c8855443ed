"""Cover letters and outreach notes on the page (issue 16, item 1): started from a result, streamed
into it like the resume, editable in place (claims checked again), exported with the user's text;
bad input and other sessions cost no upstream call."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import docx
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from test_letters_api import PLANTED
from test_pages import _events, _read_stream, _run

from optimizer.models import Optimization
from optimizer.testing.fake_anthropic import DEFAULT_LETTER_TEXT, FakeReply

pytestmark = pytest.mark.django_db


def _letter(client: Client, parent: Optimization, **data: str) -> Optimization:
    """Start a letter the way the page's htmx form does; returns its (pending) job."""
    response = client.post(
        f"/optimize/{parent.pk}/letter", {"kind": "cover_letter", **data}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200, response.content
    found = re.search(r'sse-connect="/optimize/([0-9a-f-]+)/stream"', response.content.decode())
    assert found, response.content
    name = "outreach note" if data.get("kind") == "outreach" else "cover letter"
    assert f"Writing your {name} for" in response.content.decode()
    return Optimization.objects.get(pk=found.group(1))


def _written(client: Client, parent: Optimization, **data: str) -> tuple[Optimization, Any]:
    job = _letter(client, parent, **data)
    events = _events(_read_stream(client.get(f"/optimize/{job.pk}/stream")))
    job.refresh_from_db()
    return job, events


def test_the_result_page_offers_letters_with_a_tone(client: Client, use_anthropic: Any) -> None:
    parent, _ = _run(client)
    html = client.get(f"/optimize/{parent.pk}/").content.decode()
    assert f'action="/optimize/{parent.pk}/letter"' in html
    assert 'name="kind" value="cover_letter"' in html and "Write a cover letter" in html
    assert 'name="kind" value="outreach"' in html and "Write an outreach note" in html
    assert '<option value="warm">Warm</option>' in html
    assert use_anthropic.calls == 1


def test_a_letter_streams_into_the_page_then_is_editable(
    client: Client, use_anthropic: Any
) -> None:
    parent, _ = _run(client)
    job, events = _written(client, parent, tone="warm")
    assert (job.kind, job.tone, job.parent_id, job.status) == (
        "cover_letter",
        "warm",
        parent.pk,
        "done",
    )
    assert job.session_key == parent.session_key
    names = [name for name, _ in events]
    assert names.count("chunk") > 10 and names[-1] == "done"
    streamed = "".join(data for name, data in events if name == "chunk")
    assert escape("For six years I have been building Django") in streamed
    stages = " ".join(data for name, data in events if name == "stage")
    assert "Writing your cover letter" in stages
    done = events[-1][1]
    assert "Your cover letter for" in done and 'name="text"' in done
    assert f'hx-post="/optimize/{job.pk}/edit"' in done
    assert "Kind regards,\nJane Doe" in done  # the text, in the textarea
    assert f'href="/optimize/{job.pk}/download.pdf"' in done
    assert "Tone: warm and personal" in str(use_anthropic.last_request.body["messages"])
    # The resume's page lists it.
    page = client.get(f"/optimize/{parent.pk}/").content.decode()
    assert f'href="/optimize/{job.pk}/"' in page and "Cover letter" in page
    assert use_anthropic.calls == 2


def test_an_outreach_note_and_a_repeat_is_a_cache_hit(client: Client, use_anthropic: Any) -> None:
    parent, _ = _run(client)
    note, events = _written(client, parent, kind="outreach")
    assert note.kind == "outreach" and "Your outreach note for" in events[-1][1]
    again, _ = _written(client, parent, kind="outreach")
    assert again.cached is True and use_anthropic.calls == 2


def test_a_planted_invention_is_flagged_and_editing_it_away_clears_it(
    client: Client, use_anthropic: Any
) -> None:
    parent, _ = _run(client)
    use_anthropic.enqueue(FakeReply(text=PLANTED))
    job, events = _written(client, parent)
    warned = " ".join(data for name, data in events if name == "warning")
    assert "Google" in warned  # while it streamed
    page = client.get(f"/optimize/{job.pk}/").content.decode()
    assert "Check these claims" in page and "<strong>Google</strong>" in page
    assert f'action="/optimize/{job.pk}/claim"' in page
    # Edit in place (htmx): the claims box is checked again against the original resume.
    mine = DEFAULT_LETTER_TEXT.replace("Kind regards", "Best wishes")
    swapped = client.post(f"/optimize/{job.pk}/edit", {"text": mine}, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200
    assert "No unsupported claims left" in swapped.content.decode()
    job.refresh_from_db()
    assert job.edited_at is not None
    txt = client.get(f"/optimize/{job.pk}/download.txt")
    assert "Best wishes" in txt.content.decode() and "Google" not in txt.content.decode()
    # Removing a flagged sentence works on a letter too.
    use_anthropic.enqueue(FakeReply(text=PLANTED))
    other, _ = _written(client, parent, tone="concise")
    flag = next(f for f in other.result["grounding"] if f["phrase"] == "Google")
    removed = client.post(
        f"/optimize/{other.pk}/claim", {"action": "remove", "message": flag["message"]}
    )
    assert removed.status_code == 302
    assert "Google" not in client.get(f"/optimize/{other.pk}/download.txt").content.decode()


def test_the_exports_carry_the_letter_in_a_letter_layout(
    client: Client, use_anthropic: Any
) -> None:
    parent, _ = _run(client)
    job, _ = _written(client, parent)
    client.post(f"/optimize/{job.pk}/edit", {"text": DEFAULT_LETTER_TEXT + "\nP.S. Mine.\n"})
    txt = client.get(f"/optimize/{job.pk}/download.txt")
    disposition = txt["Content-Disposition"]
    assert 'filename="Jane-Doe-Cover-letter-Senior-Python-Developer.txt"' in disposition
    assert (
        txt.content.decode().startswith("Dear hiring team,\n\n")
        and "P.S. Mine." in txt.content.decode()
    )
    md = client.get(f"/optimize/{job.pk}/download.md").content.decode()
    assert md.startswith("Dear hiring team,\n\nI am writing") and "# " not in md
    assert "Changes made" not in md and "P.S. Mine." in md
    document = docx.Document(io.BytesIO(client.get(f"/optimize/{job.pk}/download.docx").content))
    styles = {p.style.name for p in document.paragraphs if p.text}
    assert styles == {"Normal"}  # no Title or headings: a letter
    assert document.core_properties.title == "Cover letter"
    assert document.core_properties.author == "Jane Doe"
    assert any("P.S. Mine." in p.text for p in document.paragraphs)
    pdf = client.get(f"/optimize/{job.pk}/download.pdf")
    assert pdf.content[:5] == b"%PDF-" and b"/MediaBox [0 0 595.28 841.89]" in pdf.content


def test_without_javascript_a_plain_post_writes_it_and_redirects(
    client: Client, use_anthropic: Any
) -> None:
    parent, _ = _run(client)
    response = client.post(f"/optimize/{parent.pk}/letter", {"kind": "outreach", "tone": "concise"})
    job = Optimization.objects.get(kind="outreach")
    assert response.status_code == 302 and response.url == f"/optimize/{job.pk}/"
    html = client.get(response.url).content.decode()
    assert "Your outreach note for" in html and "Jane Doe" in html
    saved = client.post(f"/optimize/{job.pk}/edit", {"text": "Hello,\n\nMy own note.\n"})
    assert saved.status_code == 302
    assert "My own note." in client.get(response.url).content.decode()


# -- bad input and other people's optimizations: clear errors, no upstream call ---------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": ""}, b"Unknown kind"),
        ({"kind": "resume"}, b"Unknown kind"),
        ({"kind": "cover_letter" * 1000}, b"Unknown kind"),
        ({"kind": "<script>alert(1)</script>"}, b"Unknown kind"),
        ({"kind": "cover_letter", "tone": "angry"}, b"Unknown tone"),
        ({"kind": "cover_letter", "tone": "x" * 10_000}, b"Unknown tone"),
        ({"kind": ["cover_letter", "outreach"], "tone": ["warm", "\x00"]}, b"Unknown tone"),
    ],
)
def test_a_bad_kind_or_tone_is_a_400_costing_nothing(
    client: Client, use_anthropic: Any, data: dict[str, Any], message: bytes
) -> None:
    parent, _ = _run(client)
    response = client.post(f"/optimize/{parent.pk}/letter", data)
    assert response.status_code == 400 and message in response.content
    assert b"<script>" not in response.content
    assert not Optimization.objects.exclude(kind="resume").exists()
    assert use_anthropic.calls == 1


def test_another_session_or_an_unknown_id_is_a_404_costing_nothing(
    client: Client, use_anthropic: Any
) -> None:
    parent, _ = _run(client)
    stranger = Client()
    stranger.get("/", HTTP_ACCEPT="text/html")
    assert (
        stranger.post(f"/optimize/{parent.pk}/letter", {"kind": "cover_letter"}).status_code == 404
    )
    assert (
        client.post(f"/optimize/{uuid.uuid4()}/letter", {"kind": "cover_letter"}).status_code == 404
    )
    assert client.post("/optimize/not-a-uuid/letter", {"kind": "cover_letter"}).status_code == 404
    assert client.get(f"/optimize/{parent.pk}/letter").status_code == 405
    plain = Client()
    plain.force_login(User.objects.create_user("someone"))
    assert plain.post(f"/optimize/{parent.pk}/letter", {"kind": "outreach"}).status_code == 404
    assert not Optimization.objects.exclude(kind="resume").exists()
    assert use_anthropic.calls == 1


def test_a_letter_of_an_unfinished_job_or_of_a_letter_is_a_404(
    client: Client, use_anthropic: Any
) -> None:
    parent, _ = _run(client)
    letter, _ = _written(client, parent)
    assert client.post(f"/optimize/{letter.pk}/letter", {"kind": "outreach"}).status_code == 404
    pending = client.post(
        "/optimize/",
        {"resume_raw_text": parent.resume_text, "job_description_text": "Another job " * 5},
        HTTP_HX_REQUEST="true",
    )
    job_id = re.search(r"/optimize/([0-9a-f-]+)/stream", pending.content.decode()).group(1)
    assert client.post(f"/optimize/{job_id}/letter", {"kind": "outreach"}).status_code == 404
    assert use_anthropic.calls == 2


def test_a_letters_edit_is_checked_and_private(client: Client, use_anthropic: Any) -> None:
    parent, _ = _run(client)
    job, _ = _written(client, parent)
    empty = client.post(f"/optimize/{job.pk}/edit", {"text": "  "})
    assert empty.status_code == 400 and b"The cover letter cannot be empty" in empty.content
    too_long = client.post(f"/optimize/{job.pk}/edit", {"text": "x" * 40_000})
    assert too_long.status_code == 400 and b"The cover letter is at most" in too_long.content
    hostile = "<script>window.__pwned=1</script>\nDear team,\n"
    client.post(f"/optimize/{job.pk}/edit", {"text": hostile})
    page = client.get(f"/optimize/{job.pk}/").content.decode()
    assert "<script>window.__pwned" not in page and escape("<script>") in page
    stranger = Client()
    assert stranger.post(f"/optimize/{job.pk}/edit", {"text": "mine"}).status_code == 404
    assert stranger.get(f"/optimize/{job.pk}/download.txt").status_code == 404
    assert use_anthropic.calls == 2


def test_offline_the_page_writes_an_honest_letter(client: Client, settings: Any) -> None:
    settings.LLM_PROVIDER = "offline"
    parent, _ = _run(client)
    job, events = _written(client, parent)
    assert job.result["usage_stats"]["provider"] == "offline"
    assert job.result["grounding"] == [] and "Offline engine" in events[-1][1]


def test_a_failed_letter_is_retried_as_a_letter_and_history_names_it(
    client: Client, use_anthropic: Any
) -> None:
    parent, _ = _run(client)
    use_anthropic.fail(400)
    failed, events = _written(client, parent, tone="concise")
    assert failed.status == "failed" and events[-1][0] == "failed"
    retried = client.post(f"/optimize/{failed.pk}/retry")
    job = Optimization.objects.exclude(pk__in=[parent.pk, failed.pk]).get()
    assert retried.status_code == 302 and retried.url == f"/optimize/{job.pk}/"
    assert (job.kind, job.tone, job.parent_id, job.status) == (
        "cover_letter",
        "concise",
        parent.pk,
        "done",
    )
    history = client.get("/history/").content.decode()
    assert f"Cover letter for “{parent.job_title}”" in history


def test_the_admin_shows_a_letters_kind_and_text(client: Client, use_anthropic: Any) -> None:
    parent, _ = _run(client)
    job, _ = _written(client, parent)
    admin = Client()
    admin.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw"))
    page = admin.get(f"/admin/optimizer/optimization/{job.pk}/change/").content.decode()
    assert "Cover letter" in page and "Kind regards" in page
    # Its cache entry's page shows the letter's text too.
    digest = job.cache_key[-64:]
    entry = admin.get(reverse("admin:cache_entry", args=[digest])).content.decode()
    assert '<pre class="cache-pre">Dear hiring team,' in entry
    link = f"/admin/optimizer/optimization/{job.pk}/change/"
    letters = admin.get("/admin/optimizer/optimization/?kind__exact=cover_letter")
    notes = admin.get("/admin/optimizer/optimization/?kind__exact=outreach")
    assert link in letters.content.decode() and link not in notes.content.decode()
