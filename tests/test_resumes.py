"""Base resumes and their versions (issue 16, item 4): keep a base, see every version tailored
from it with its job and letters, start a new optimization from the base or from any version;
bad input gets a clear error and costs no upstream call."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from samples import JOB, RESUME
from test_letters_page import _written
from test_pages import _events, _read_stream

from optimizer.models import Optimization, Resume

pytestmark = pytest.mark.django_db

OTHER_JOB = JOB.replace("Senior Python Developer", "Staff Data Engineer")


def _base(client: Client, name: str = "Backend base", text: str = RESUME) -> Resume:
    response = client.post("/resumes/", {"name": name, "text": text})
    assert response.status_code == 302, response.content
    resume = Resume.objects.get(name=" ".join(name.split()))
    assert response.url == f"/resumes/{resume.pk}/"
    return resume


def _version(client: Client, base: Resume, job: str = JOB, text: str | None = None) -> Any:
    data = {"resume_raw_text": text or base.text, "job_description_text": job}
    response = client.post(
        "/optimize/", {**data, "base_resume": str(base.pk)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200, response.content
    # The form stays filled in for a tweak and resubmit, still as a version of the base.
    assert f'name="base_resume" value="{base.pk}"' in response.content.decode()
    pk = re.search(r'sse-connect="/optimize/([0-9a-f-]+)/stream"', response.content.decode())
    assert pk
    _events(_read_stream(client.get(f"/optimize/{pk.group(1)}/stream")))
    return Optimization.objects.get(pk=pk.group(1))


def test_a_base_resume_lists_its_versions_with_their_jobs_and_letters(
    client: Client, use_anthropic: Any
) -> None:
    base = _base(client)
    page = client.get(f"/resumes/{base.pk}/optimize").content.decode()
    assert RESUME.splitlines()[0] in page and f'value="{base.pk}"' in page
    assert "is filled in below" in page
    first = _version(client, base)
    second = _version(client, base, job=OTHER_JOB)
    letter, _ = _written(client, first)
    assert first.base_resume == base and second.base_resume == base
    html = client.get(f"/resumes/{base.pk}/").content.decode()
    assert html.index("Staff Data Engineer") < html.index("Senior Python Developer")  # newest first
    assert f'href="/optimize/{first.pk}/"' in html and f'href="/optimize/{letter.pk}/"' in html
    assert "Cover letter" in html and "Job match" in html
    listing = client.get("/resumes/").content.decode()
    assert "Backend base" in listing and "2 versions" in listing
    result = client.get(f"/optimize/{first.pk}/").content.decode()
    assert f'href="/resumes/{base.pk}/"' in result and "A version of your base resume" in result


def test_a_version_is_tailored_again_from_its_final_text_and_keeps_the_base(
    client: Client, use_anthropic: Any
) -> None:
    base = _base(client)
    first = _version(client, base)
    edited = first.result["optimized_resume"] + "\nAWARDS\nEmployee of the year 2024"
    assert client.post(f"/optimize/{first.pk}/edit", {"text": edited}).status_code == 302
    page = client.get(f"/optimize/{first.pk}/start").content.decode()
    assert "Employee of the year 2024" in page and f'value="{base.pk}"' in page
    assert "Your version for" in page
    second = _version(client, base, job=OTHER_JOB, text=edited)
    assert second.base_resume == base and "Employee of the year 2024" in second.resume_text
    # "Use for a new job" (the original input) also stays a version of the same base.
    assert f'value="{base.pk}"' in client.get(f"/optimize/{first.pk}/duplicate").content.decode()
    # A failed retry stays in the family too.
    assert client.post(f"/optimize/{first.pk}/retry").status_code == 302
    assert Optimization.objects.filter(base_resume=base).count() == 3


def test_keeping_a_pasted_resume_as_base_makes_the_job_its_first_version(
    client: Client, use_anthropic: Any
) -> None:
    client.post("/optimize/", {"resume_raw_text": RESUME, "job_description_text": JOB})
    job = Optimization.objects.get()
    assert "Keep the resume you pasted" in client.get(f"/optimize/{job.pk}/").content.decode()
    response = client.post("/resumes/", {"from_job": str(job.pk)})
    base = Resume.objects.get()
    assert response.url == f"/resumes/{base.pk}/"
    assert base.text == job.resume_text and base.name == job.display_title
    job.refresh_from_db()
    assert job.base_resume == base


def test_editing_and_deleting_a_base_keeps_its_versions(client: Client, use_anthropic: Any) -> None:
    base = _base(client)
    version = _version(client, base)
    response = client.post(f"/resumes/{base.pk}/edit", {"name": "Renamed", "text": RESUME + "x"})
    assert response.status_code == 302
    base.refresh_from_db()
    assert base.name == "Renamed" and base.text.endswith("x")
    assert client.post(f"/resumes/{base.pk}/delete").status_code == 302
    assert not Resume.objects.exists()
    version.refresh_from_db()
    assert version.base_resume is None and version.resume_text == RESUME.strip()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "text": RESUME}, "This field is required."),
        ({"name": "   ", "text": RESUME}, "This field is required."),
        ({"name": "n" * 121, "text": RESUME}, "at most 120 characters"),
        ({"name": "Mine", "text": ""}, "This field is required."),
        ({"name": "Mine", "text": "short"}, "at least"),
        ({"name": "Mine", "text": "x" * 30001}, "at most 30000 characters"),
        ({"name": "Mine", "text": RESUME + "\x00"}, "Null characters are not allowed."),
    ],
)
def test_a_bad_base_resume_is_refused_with_a_clear_error(
    client: Client, data: dict[str, str], message: str
) -> None:
    response = client.post("/resumes/", data)
    assert response.status_code == 422 and message in response.content.decode()
    assert not Resume.objects.exists()
    base = _base(client)
    response = client.post(f"/resumes/{base.pk}/edit", data)
    assert response.status_code == 422 and message in response.content.decode()
    base.refresh_from_db()
    assert base.name == "Backend base"


def test_a_name_with_html_is_shown_escaped(client: Client) -> None:
    base = _base(client, name='<script>alert(1)</script> <img src=x onerror="x()">')
    for url in ("/resumes/", f"/resumes/{base.pk}/", f"/resumes/{base.pk}/optimize"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_an_unknown_or_malformed_base_or_version_is_a_404_costing_nothing(
    client: Client, use_anthropic: Any
) -> None:
    form = {"resume_raw_text": RESUME, "job_description_text": JOB}
    for bad in (str(uuid.uuid4()), "not-a-uuid", "1 OR 1=1"):
        assert client.post("/optimize/", {**form, "base_resume": bad}).status_code == 404
    for url in (
        f"/resumes/{uuid.uuid4()}/",
        f"/resumes/{uuid.uuid4()}/optimize",
        f"/optimize/{uuid.uuid4()}/start",
        "/resumes/not-a-uuid/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (f"/resumes/{uuid.uuid4()}/edit", f"/resumes/{uuid.uuid4()}/delete"):
        assert client.post(url, {"name": "x", "text": RESUME}).status_code == 404, url
    assert client.post("/resumes/", {"from_job": str(uuid.uuid4())}).status_code == 404
    assert client.post("/resumes/", {"from_job": "nope"}).status_code == 404
    assert client.get(f"/resumes/{uuid.uuid4()}/delete").status_code == 405
    assert not Optimization.objects.exists() and not Resume.objects.exists()
    assert use_anthropic.calls == 0


def test_an_unfinished_version_or_a_letter_cannot_be_tailored_again(
    client: Client, use_anthropic: Any
) -> None:
    base = _base(client)
    version = _version(client, base)
    letter, _ = _written(client, version)
    assert client.get(f"/optimize/{letter.pk}/start").status_code == 404
    version.status = Optimization.Status.FAILED
    version.save()
    assert client.get(f"/optimize/{version.pk}/start").status_code == 404


def test_the_history_names_each_versions_base_also_after_a_rename(
    client: Client, use_anthropic: Any
) -> None:
    base = _base(client)
    version = _version(client, base)
    assert "A version of" in client.get("/history/").content.decode()
    item = client.post(f"/optimize/{version.pk}/rename", {"title": "Mine"}, HTTP_HX_REQUEST="true")
    assert item.status_code == 200
    assert (
        f'href="/resumes/{base.pk}/"' in item.content.decode() and "Mine" in item.content.decode()
    )


def test_a_resumes_page_costs_the_same_queries_for_one_version_or_many(
    client: Client, use_anthropic: Any
) -> None:
    base = _base(client)
    first = _version(client, base)
    _written(client, first)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            html = client.get(f"/resumes/{base.pk}/").content.decode()
        assert "Cover letter" in html
        return len(captured)

    one = queries()
    for _ in range(4):
        copy = Optimization.objects.create(
            resume_text=first.resume_text,
            job_description=first.job_description,
            session_key=first.session_key,
            base_resume=base,
            status="done",
            result=first.result,
        )
        Optimization.objects.create(
            resume_text=first.resume_text,
            job_description=first.job_description,
            session_key=first.session_key,
            kind="cover_letter",
            parent=copy,
        )
    assert queries() == one
