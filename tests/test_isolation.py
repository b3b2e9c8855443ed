"""Cross-account isolation (issue 16, items 4 and 5): two accounts and an anonymous session each
make a base resume, a version and a letter; none of them can see, change or download another's,
by any page, download or list, and every refusal is the 404 of a missing row (never a 403 that
confirms it exists) at no upstream cost. Staff may open anyone's record, as before."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from samples import JOB, RESUME
from test_letters_page import _written
from test_pages import _events, _read_stream

from optimizer.models import Application, Batch, Optimization, Resume

# Transactional: a batch starts its items at once, and their runner works on its own database
# connection, which must see the rows (on PostgreSQL it waited for the test's open transaction).
pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Party:
    name: str
    client: Client
    base: Resume
    version: Optimization
    letter: Optimization
    application: Application
    batch: Batch


def _party(name: str, *, account: bool) -> Party:
    client = Client()
    if account:
        email = f"{name}@example.com"
        client.force_login(User.objects.create_user(email, email, "pw-long-enough-1"))
    response = client.post("/resumes/", {"name": f"{name} base", "text": RESUME})
    assert response.status_code == 302
    base = Resume.objects.get(name=f"{name} base")
    response = client.post(
        "/optimize/",
        {
            "resume_raw_text": RESUME,
            "job_description_text": JOB.replace("Acme", name),
            "base_resume": str(base.pk),
        },
        HTTP_HX_REQUEST="true",
    )
    pk = re.search(r'sse-connect="/optimize/([0-9a-f-]+)/stream"', response.content.decode())
    assert pk, response.content
    _events(_read_stream(client.get(f"/optimize/{pk.group(1)}/stream")))
    version = Optimization.objects.get(pk=pk.group(1))
    letter, _ = _written(client, version)
    assert client.post(f"/optimize/{version.pk}/track", {"status": "applied"}).status_code == 302
    application = Application.objects.get(optimization=version)
    response = client.post(
        "/batches/",
        {"resume_raw_text": RESUME, "job_description": [JOB, JOB.replace("Acme", f"{name} Two")]},
    )
    assert response.status_code == 303, response.content
    batch = Batch.objects.get(pk=response["Location"].split("/")[2])
    return Party(name, client, base, version, letter, application, batch)


@pytest.fixture
def parties(use_anthropic: Any) -> list[Party]:
    return [
        _party("alice", account=True),
        _party("bob", account=True),
        _party("anon", account=False),
    ]


def _requests(owner: Party) -> list[tuple[str, str, dict[str, str]]]:
    """Every page, action and download that names one of `owner`'s rows."""
    job, letter, base = owner.version.pk, owner.letter.pk, owner.base.pk
    application = owner.application.pk
    gets = [
        f"/optimize/{job}/",
        f"/optimize/{job}/stream",
        f"/optimize/{job}/duplicate",
        f"/optimize/{job}/start",
        *(f"/optimize/{job}/download.{fmt}" for fmt in ("txt", "md", "docx", "pdf")),
        f"/optimize/{letter}/",
        f"/optimize/{letter}/stream",
        *(f"/optimize/{letter}/download.{fmt}" for fmt in ("txt", "md", "docx", "pdf")),
        f"/resumes/{base}/",
        f"/resumes/{base}/optimize",
        f"/tracker/{application}/",
        f"/batches/{owner.batch.pk}/",
        f"/batches/{owner.batch.pk}/stream",
        f"/optimize/{job}/batch",
    ]
    posts: list[tuple[str, dict[str, str]]] = [
        (f"/optimize/{job}/retry", {}),
        (f"/optimize/{job}/edit", {"text": "stolen"}),
        (f"/optimize/{job}/claim", {"action": "confirm", "message": "x"}),
        (f"/optimize/{job}/passage", {"action": "revert", "line": "0", "text": "x"}),
        (f"/optimize/{job}/revert", {}),
        (f"/optimize/{job}/letter", {"kind": "cover_letter"}),
        (f"/optimize/{job}/rename", {"title": "stolen"}),
        (f"/optimize/{letter}/edit", {"text": "stolen"}),
        (f"/optimize/{letter}/retry", {}),
        (f"/resumes/{base}/edit", {"name": "stolen", "text": RESUME}),
        (f"/optimize/{job}/track", {"status": "rejected"}),
        (f"/optimize/{letter}/track", {}),
        (f"/tracker/{application}/", {"status": "offer", "note": "stolen"}),
        (f"/tracker/{application}/move", {"status": "rejected"}),
        ("/resumes/", {"from_job": str(job)}),
        (
            "/optimize/",
            {"resume_raw_text": RESUME, "job_description_text": JOB, "base_resume": str(base)},
        ),
        # Deletions last: were one let through, the rest would 404 for the wrong reason.
        (f"/tracker/{application}/remove", {}),
        (f"/optimize/{letter}/delete", {}),
        (f"/optimize/{job}/delete", {}),
        (f"/resumes/{base}/delete", {}),
    ]
    return [("get", url, {}) for url in gets] + [("post", url, data) for url, data in posts]


def _snapshot() -> list[tuple[Any, ...]]:
    rows = Optimization.objects.order_by("pk").values_list(
        "pk", "title", "edited_resume", "status", "user_id", "session_key", "base_resume_id"
    )
    bases = Resume.objects.order_by("pk").values_list("pk", "name", "text", "user_id")
    applications = Application.objects.order_by("pk").values_list(
        "pk", "status", "note", "letter_id", "status_changed_at"
    )
    return [*rows, *bases, *applications]


def test_no_party_reaches_anothers_rows_by_any_url(
    parties: list[Party], use_anthropic: Any
) -> None:
    calls, before = use_anthropic.calls, _snapshot()
    for owner in parties:
        for other in (p for p in parties if p is not owner):
            for method, url, data in _requests(owner):
                response = getattr(other.client, method)(url, data)
                assert response.status_code == 404, (other.name, method, url)
                assert owner.name.encode() not in response.content, (other.name, url)
    assert _snapshot() == before
    assert use_anthropic.calls == calls


def test_a_visitor_with_no_session_reaches_nothing(parties: list[Party]) -> None:
    stranger = Client()
    for owner in parties:
        for method, url, data in _requests(owner):
            assert getattr(stranger, method)(url, data).status_code == 404, url


def test_every_list_shows_its_owners_rows_only(parties: list[Party]) -> None:
    for viewer in parties:
        pages = {
            "/history/": ("version", "letter", "base"),
            "/resumes/": ("base",),
            f"/resumes/{viewer.base.pk}/": ("version", "letter"),
            f"/optimize/{viewer.version.pk}/": ("letter", "base", "application"),
            "/tracker/": ("version", "letter", "application"),
            "/tracker/applications.csv": ("version", "letter"),
            f"/batches/{viewer.batch.pk}/": ("batch",),
        }
        for url, listed in pages.items():
            html = viewer.client.get(url).content.decode()
            for other in parties:
                for what in listed:
                    pk = str(getattr(other, what).pk)
                    assert (pk in html) is (other is viewer), (viewer.name, url, other.name, what)


def test_an_account_keeps_its_rows_after_logout_and_a_new_anonymous_session_sees_none(
    parties: list[Party],
) -> None:
    alice = parties[0]
    alice.client.post("/account/logout/")
    for method, url, data in _requests(alice)[:4]:
        assert getattr(alice.client, method)(url, data).status_code == 404, url
    assert str(alice.version.pk) not in alice.client.get("/history/").content.decode()
    # the version, its letter and the batch's two items
    assert Optimization.objects.filter(user__email="alice@example.com").count() == 4
    assert Batch.objects.filter(user__email="alice@example.com").count() == 1


def test_staff_open_anyones_record_but_list_only_their_own(parties: list[Party]) -> None:
    staff = Client()
    staff.force_login(User.objects.create_user("ops@example.com", is_staff=True))
    for party in parties:
        assert staff.get(f"/tracker/{party.application.pk}/").status_code == 200
        assert staff.get(f"/optimize/{party.version.pk}/").status_code == 200
        assert staff.get(f"/optimize/{party.version.pk}/download.txt").status_code == 200
        assert staff.get(f"/resumes/{party.base.pk}/").status_code == 200
    for url in ("/history/", "/tracker/", "/tracker/applications.csv", "/resumes/"):
        html = staff.get(url).content.decode()
        assert all(str(p.version.pk) not in html for p in parties), url
        assert all(str(p.base.pk) not in html for p in parties), url
