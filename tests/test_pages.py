"""The web pages through the test client: form, live stream, result, downloads, history.

The upstream is the fake Anthropic server through the real SDK (`use_anthropic`), except where
a test names the offline engine. Streams are read to their end with `_read_stream`.
"""

from __future__ import annotations

import re
import uuid
from html import unescape
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape
from samples import JOB, RESUME

from optimizer.events import Event
from optimizer.models import Optimization
from optimizer.testing.fake_anthropic import DEFAULT_REPLY_TEXT, FakeReply

pytestmark = pytest.mark.django_db

HOSTILE_REPLY = DEFAULT_REPLY_TEXT.replace(
    "SUMMARY\n",
    'SUMMARY\n<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">\n',
)


def _form(**overrides: Any) -> dict[str, Any]:
    return {"resume_raw_text": RESUME, "job_description_text": JOB, **overrides}


def _read_stream(response: Any) -> str:
    async def collect() -> bytes:
        return b"".join([part async for part in response.streaming_content])

    return async_to_sync(collect)().decode()


def _events(body: str) -> list[tuple[str, str]]:
    """(event name, data) pairs of an SSE body, parsed as EventSource does (CR, LF or CRLF)."""
    events: list[tuple[str, str]] = []
    name, data = "message", []
    for line in re.split(r"\r\n|\r|\n", body):
        if not line:
            if data:
                events.append((name, "\n".join(data)))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].removeprefix(" ")
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    return events


def _current_steps(html: str) -> list[str]:
    """The labels of the live panel's current steps (aria-current="step")."""
    return re.findall(r'aria-current="step">([^<]+)<', html)


def _start(client: Client, **overrides: Any) -> Optimization:
    response = client.post("/optimize/", _form(**overrides), HTTP_HX_REQUEST="true")
    assert response.status_code == 200, response.content
    pk = re.search(r'sse-connect="/optimize/([0-9a-f-]+)/stream"', response.content.decode())
    assert pk, response.content
    return Optimization.objects.get(pk=pk.group(1))


def _run(client: Client, **overrides: Any) -> tuple[Optimization, list[tuple[str, str]]]:
    job = _start(client, **overrides)
    response = client.get(f"/optimize/{job.pk}/stream")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    events = _events(_read_stream(response))
    job.refresh_from_db()
    return job, events


# -- home --------------------------------------------------------------------------------------


def test_it_serves_the_form_to_browsers_and_health_json_to_other_clients(client: Client) -> None:
    page = client.get("/", HTTP_ACCEPT="text/html,application/xhtml+xml")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<label for="id_resume_raw_text">' in html
    assert '<label for="id_job_description_text">' in html
    assert 'accept=".pdf,.docx,.txt"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # The counters show the configured limits (the limits are checked at validation time).
    assert "/ 30000 characters" in html and "/ 20000 characters" in html
    assert "None" not in html
    assert "htmx-2.min.js" in html and "hx-sse-2.min.js" in html
    assert '"includeIndicatorStyles": false' in html
    assert " style=" not in html and "<script>" not in html  # CSP: no inline styles or scripts
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"

    for accept in ("application/json", "*/*"):
        health = client.get("/", HTTP_ACCEPT=accept)
        assert health.status_code == 200
        assert health.json()["status"] == "operational"


def test_it_says_when_the_offline_engine_answers(client: Client, settings: Any) -> None:
    settings.LLM_PROVIDER = "offline"
    html = client.get("/", HTTP_ACCEPT="text/html").content.decode()
    assert "offline engine (no Claude)" in html
    job, events = _run(client)
    assert job.status == Optimization.Status.DONE
    assert "Offline engine (no Claude)" in dict(events)["done"]


def test_the_static_files_are_served(client: Client) -> None:
    for path in (
        "/static/css/site.css",
        "/static/js/site.js",
        "/static/django_htmx/htmx-2.min.js",
        "/static/django_htmx/ext/hx-sse-2.min.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"".join(response.streaming_content)


# -- submit, stream, result --------------------------------------------------------------------


def test_an_htmx_submit_creates_a_job_owned_by_the_session(
    client: Client, use_anthropic: Any
) -> None:
    response = client.post("/optimize/", _form(), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a partial: the form again plus the live panel out of band
    assert 'id="optimize-form"' in html and 'hx-swap-oob="true"' in html
    assert 'aria-live="polite"' in html and 'sse-close="done"' in html
    job = Optimization.objects.get()
    assert job.session_key and job.session_key == client.session.session_key
    assert job.source == Optimization.Source.PAGE
    assert job.status == Optimization.Status.PENDING
    assert job.resume_text == RESUME.strip()
    assert use_anthropic.calls == 0  # the stream runs it, not the submit


def test_the_stream_sends_escaped_chunks_then_the_result_panel(
    client: Client, use_anthropic: Any
) -> None:
    use_anthropic.enqueue(
        # prompt_cache=False: the seed's price, input and output only
        FakeReply(text=HOSTILE_REPLY, input_tokens=2500, output_tokens=1200, prompt_cache=False)
    )
    job, events = _run(client)
    names = [name for name, _ in events]
    assert names[0] == "stage" and names[-1] == "done"
    assert "chunk" in names and "progress" in names and "warning" in names
    stages = [_current_steps(data) for name, data in events if name == "stage"]
    assert stages == [
        ["Reading your resume and the job ad"],
        [
            "Writing your tailored resume",
            "Checking every fact against your resume, as it is written",
        ],
    ]
    progress = [data for name, data in events if name == "progress"]
    assert all(re.fullmatch(r"\d+ words? written so far", p) for p in progress)
    # Words, not chunks: the count at the end is the reply's word count, chunk splits or not.
    assert progress[-1] == f"{len(HOSTILE_REPLY.split())} words written so far"

    streamed = "".join(data for name, data in events if name == "chunk")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in streamed
    assert "<script" not in streamed and "<img" not in streamed
    assert (
        streamed.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
        == HOSTILE_REPLY
    )

    warning = dict(events)["warning"]
    assert warning.startswith("<li>") and "Harmful pattern detected: &lt;script" in warning

    done = dict(events)["done"]
    assert f'id="job-{job.pk}"' in done and "job-done" in done
    assert "Senior Software Engineer, Example Logistics GmbH" in done
    assert "Moved Python and Django to the top of the skills list" in done
    assert "Better keyword coverage" in done
    assert "2500 in · 1200 out" in done
    assert "$0.0255" in done  # 2500 * $3/M + 1200 * $15/M
    assert "<script" not in done and "onerror" not in done.replace("&quot;", "")
    assert "Served from cache" not in done
    score = job.result["ats_score"]
    assert f"{score['before']} → {score['after']}" in done  # the job match before and after
    assert job.status == Optimization.Status.DONE
    assert use_anthropic.calls == 1


def test_a_second_viewer_and_a_resume_replay_without_calling_the_llm_again(
    client: Client, use_anthropic: Any
) -> None:
    job, first = _run(client)
    again = _events(_read_stream(client.get(f"/optimize/{job.pk}/stream")))
    assert [e for e in again if e[0] == "chunk"] == [e for e in first if e[0] == "chunk"]
    assert again[-1][0] == "done"
    resumed = client.get(f"/optimize/{job.pk}/stream", HTTP_LAST_EVENT_ID="3")
    body = _read_stream(resumed)
    ids = [int(i) for i in re.findall(r"^id: (\d+)$", body, re.M)]
    assert ids and min(ids) == 4
    by_query = _read_stream(client.get(f"/optimize/{job.pk}/stream?lastEventId=3"))
    assert min(int(i) for i in re.findall(r"^id: (\d+)$", by_query, re.M)) == 4
    assert use_anthropic.calls == 1


@pytest.mark.parametrize("bad", ["nope", "-1", "1.5"])
def test_a_bad_last_event_id_is_a_400_as_on_the_api(
    client: Client, use_anthropic: Any, bad: str
) -> None:
    job = _start(client)
    response = client.get(f"/optimize/{job.pk}/stream", HTTP_LAST_EVENT_ID=bad)
    assert response.status_code == 400
    assert b"non-negative integer" in response.content
    assert use_anthropic.calls == 0


def test_carriage_returns_in_model_output_survive_the_stream(
    client: Client, use_anthropic: Any
) -> None:
    # EventSource ends a line at a lone CR too: unescaped, the rest of the chunk would be lost.
    text = DEFAULT_REPLY_TEXT.replace("SUMMARY\n", "SUMMARY\r\nLine one\rLine two\n")
    use_anthropic.enqueue(FakeReply(chunks=[text[:100], text[100:]]))
    _, events = _run(client)
    streamed = "".join(data for name, data in events if name == "chunk")
    assert unescape(streamed) == text.replace("\r\n", "\n").replace("\r", "\n")


def test_the_same_inputs_again_are_served_from_cache(client: Client, use_anthropic: Any) -> None:
    _run(client)
    job, events = _run(client)
    assert "Served from cache" in dict(events)["done"]
    assert job.cached is True
    assert use_anthropic.calls == 1


def test_an_upstream_failure_shows_the_message_and_a_retry_button(
    client: Client, use_anthropic: Any
) -> None:
    use_anthropic.fail(400)
    job, events = _run(client)
    assert events[-1][0] == "failed"
    failed = events[-1][1]
    assert "did not finish" in failed and f'action="/optimize/{job.pk}/retry"' in failed
    assert 'name="csrfmiddlewaretoken"' in failed
    assert job.status == Optimization.Status.FAILED

    retried = client.post(f"/optimize/{job.pk}/retry", HTTP_HX_REQUEST="true")
    assert retried.status_code == 200
    new = Optimization.objects.exclude(pk=job.pk).get()
    assert f'sse-connect="/optimize/{new.pk}/stream"' in retried.content.decode()
    assert (new.resume_text, new.session_key) == (job.resume_text, job.session_key)
    assert _events(_read_stream(client.get(f"/optimize/{new.pk}/stream")))[-1][0] == "done"
    assert use_anthropic.calls == 2


def test_the_result_page_shows_the_final_rendering(client: Client, use_anthropic: Any) -> None:
    job, _ = _run(client)
    page = client.get(f"/optimize/{job.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<html" in html and "job-done" in html
    assert "data-copy-target" in html
    for fmt in ("txt", "md", "docx", "pdf"):
        assert f'href="/optimize/{job.pk}/download.{fmt}"' in html
    # The reply's candidate lives in Berlin: A4, with a switch to Letter.
    assert "PDF and DOCX on A4" in html
    assert f'href="/optimize/{job.pk}/download.pdf?page=letter"' in html
    partial = client.get(f"/optimize/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and f'id="job-{job.pk}"' in partial


def test_the_result_page_of_a_running_job_connects_to_its_stream(
    client: Client, use_anthropic: Any
) -> None:
    job = _start(client)
    html = client.get(f"/optimize/{job.pk}/").content.decode()
    assert f'sse-connect="/optimize/{job.pk}/stream"' in html


def test_downloads_carry_the_optimized_resume(client: Client, use_anthropic: Any) -> None:
    job, _ = _run(client)
    txt = client.get(f"/optimize/{job.pk}/download.txt")
    assert txt["Content-Type"] == "text/plain; charset=utf-8"
    assert txt["Content-Disposition"].startswith("attachment;")
    assert 'filename="Jane-Doe-Resume-Senior-Python-Developer.txt"' in txt["Content-Disposition"]
    assert "Senior Software Engineer, Example Logistics GmbH" in txt.content.decode()
    md = client.get(f"/optimize/{job.pk}/download.md").content.decode()
    assert "## Changes made" in md and "Moved Python and Django" in md
    docx = client.get(f"/optimize/{job.pk}/download.docx")
    assert docx.content[:2] == b"PK"
    pdf = client.get(f"/optimize/{job.pk}/download.pdf")
    assert pdf.content[:5] == b"%PDF-"
    assert client.get(f"/optimize/{job.pk}/download.exe").status_code == 404
    # Berlin: A4 unless the user switches; an unknown size is refused, not guessed.
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf.content
    letter = client.get(f"/optimize/{job.pk}/download.pdf?page=letter")
    assert b"/MediaBox [0 0 612.00 792.00]" in letter.content
    bad = client.get(f"/optimize/{job.pk}/download.pdf?page=b5")
    assert bad.status_code == 400 and b"letter, a4" in bad.content


# -- ownership ---------------------------------------------------------------------------------


def test_another_session_gets_404_everywhere(client: Client, use_anthropic: Any) -> None:
    job, _ = _run(client)
    stranger = Client()
    stranger.get("/", HTTP_ACCEPT="text/html")  # has a session of its own
    for path in ("/", "/stream", "/download.txt", "/download.md"):
        assert stranger.get(f"/optimize/{job.pk}{path}").status_code == 404, path
    assert stranger.post(f"/optimize/{job.pk}/retry").status_code == 404
    assert stranger.post(f"/optimize/{job.pk}/delete").status_code == 404
    assert job.job_title not in stranger.get("/history/").content.decode()
    assert Client().get(f"/optimize/{uuid.uuid4()}/").status_code == 404
    # A forged session cookie owns nothing either.
    forged = Client()
    forged.cookies["sessionid"] = job.session_key + "x"
    assert forged.get(f"/optimize/{job.pk}/").status_code == 404
    assert Optimization.objects.filter(pk=job.pk).exists()


def test_staff_may_open_any_result(client: Client, use_anthropic: Any) -> None:
    job, _ = _run(client)
    staff = Client()
    staff.force_login(User.objects.create_user("op", is_staff=True))
    assert staff.get(f"/optimize/{job.pk}/").status_code == 200
    plain = Client()
    plain.force_login(User.objects.create_user("someone"))
    assert plain.get(f"/optimize/{job.pk}/").status_code == 404


# -- history -----------------------------------------------------------------------------------


def test_history_lists_the_sessions_jobs_newest_first_and_deletes(
    client: Client, use_anthropic: Any
) -> None:
    first, _ = _run(client, job_description_text="Backend Engineer\nPython and Django role.")
    second, _ = _run(client, job_description_text="Data Engineer\nPython and SQL pipelines.")
    html = client.get("/history/").content.decode()
    assert html.index("Data Engineer") < html.index("Backend Engineer")
    assert f'href="/optimize/{first.pk}/"' in html
    score = first.result["ats_score"]
    assert f"Job match {score['before']} → {score['after']}" in html
    partial = client.get("/history/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Data Engineer" in partial

    gone = client.post(f"/optimize/{second.pk}/delete", HTTP_HX_REQUEST="true")
    assert gone.status_code == 200 and gone.content == b""
    assert client.post(f"/optimize/{first.pk}/delete").url == "/history/"
    assert not Optimization.objects.exists()
    assert "No optimizations yet" in client.get("/history/").content.decode()


def test_history_names_the_company_and_can_rename_an_optimization(
    client: Client, use_anthropic: Any
) -> None:
    job, _ = _run(client, job_description_text="Data Engineer at Globex\nPython and SQL pipelines.")
    html = client.get("/history/").content.decode()
    assert '<span class="company">Globex</span>' in html and ">Data Engineer<" in html

    row = client.post(
        f"/optimize/{job.pk}/rename", {"title": "  Globex,   2nd try "}, HTTP_HX_REQUEST="true"
    )
    assert row.status_code == 200
    row_html = row.content.decode()
    assert row_html.lstrip().startswith(f'<li class="history-item" id="history-{job.pk}"')
    assert ">Globex, 2nd try<" in row_html and "For “Data Engineer”" in row_html
    job.refresh_from_db()
    assert job.title == "Globex, 2nd try"
    assert "<title>Globex, 2nd try" in client.get(f"/optimize/{job.pk}/").content.decode()

    # Without JavaScript: a plain form post, then back to the history. Empty: the job's title.
    back = client.post(f"/optimize/{job.pk}/rename", {"title": ""})
    assert back.status_code == 302 and back.url == f"/history/#history-{job.pk}"
    job.refresh_from_db()
    assert job.title == "" and job.display_title == "Data Engineer"

    too_long = client.post(f"/optimize/{job.pk}/rename", {"title": "x" * 121})
    assert too_long.status_code == 400 and b"at most 120 characters" in too_long.content
    assert client.get(f"/optimize/{job.pk}/rename").status_code == 405
    assert Client().post(f"/optimize/{job.pk}/rename", {"title": "mine"}).status_code == 404


def test_an_optimization_can_be_duplicated_against_a_new_job(
    client: Client, use_anthropic: Any
) -> None:
    job, _ = _run(client)
    html = client.get("/history/").content.decode()
    assert f'href="/optimize/{job.pk}/duplicate"' in html
    page = client.get(f"/optimize/{job.pk}/duplicate").content.decode()
    assert "is filled in below. Paste the new job ad" in page
    resume = re.search(r'<textarea name="resume_raw_text"[^>]*>(.*?)</textarea>', page, re.S)
    job_ad = re.search(r'<textarea name="job_description_text"[^>]*>(.*?)</textarea>', page, re.S)
    assert resume and unescape(resume.group(1)).strip() == RESUME.strip()
    assert job_ad and job_ad.group(1).strip() == ""
    assert Optimization.objects.count() == 1 and use_anthropic.calls == 1  # nothing ran yet
    new, _ = _run(client, job_description_text="Data Engineer\nPython and SQL pipelines.")
    assert new.pk != job.pk and new.resume_text == job.resume_text
    assert Client().get(f"/optimize/{job.pk}/duplicate").status_code == 404


def test_a_new_visitor_has_an_empty_history(client: Client) -> None:
    assert "No optimizations yet" in client.get("/history/").content.decode()


# -- CSRF and the no-JS path -------------------------------------------------------------------


def test_posts_need_the_csrf_token(use_anthropic: Any) -> None:
    browser = Client(enforce_csrf_checks=True)
    assert browser.post("/optimize/", _form(), HTTP_HX_REQUEST="true").status_code == 403
    page = browser.get("/", HTTP_ACCEPT="text/html").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    ok = browser.post("/optimize/", _form(), HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 200
    job = Optimization.objects.get()
    assert browser.post(f"/optimize/{job.pk}/delete").status_code == 403
    assert Optimization.objects.exists()
    assert use_anthropic.calls == 0


def test_without_javascript_a_plain_post_runs_the_job_and_redirects(
    client: Client, use_anthropic: Any
) -> None:
    response = client.post("/optimize/", _form())
    job = Optimization.objects.get()
    assert response.status_code == 302 and response.url == f"/optimize/{job.pk}/"
    assert job.status == Optimization.Status.DONE and job.source == Optimization.Source.PAGE
    html = client.get(response.url).content.decode()
    assert "Senior Software Engineer, Example Logistics GmbH" in html
    assert f'href="/optimize/{job.pk}/"' in client.get("/history/").content.decode()
    assert use_anthropic.calls == 1
    assert client.get("/optimize/").url == "/"


# -- form errors -------------------------------------------------------------------------------


def _rejected(client: Client, data: dict[str, Any], htmx: bool = False) -> str:
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post("/optimize/", data, **extra)
    assert response.status_code == 422
    assert not Optimization.objects.exists()
    return response.content.decode()


def _field_errors(html: str, field: str) -> str:
    match = re.search(rf'<div class="field-errors" id="id_{field}-errors">(.*?)</div>', html, re.S)
    assert match, html
    return match.group(1)


def test_empty_fields_are_rejected_next_to_each_field(client: Client, use_anthropic: Any) -> None:
    html = _rejected(client, {"resume_raw_text": "  ", "job_description_text": ""})
    assert "Paste your resume or upload a file." in _field_errors(html, "resume_raw_text")
    assert "This field is required." in _field_errors(html, "job_description_text")
    assert 'aria-invalid="true"' in html and 'role="alert"' in html
    assert use_anthropic.calls == 0


def test_too_short_and_too_long_text_is_rejected_and_kept(
    client: Client, use_anthropic: Any, settings: Any
) -> None:
    settings.RESUME_MAX_CHARS = 200
    long_resume = "Python developer. " * 20
    html = _rejected(client, _form(resume_raw_text=long_resume, job_description_text="short"))
    assert "at most 200 characters" in _field_errors(html, "resume_raw_text")
    assert "at least 20 characters" in _field_errors(html, "job_description_text")
    assert long_resume.strip() in html  # the typed text is kept
    assert use_anthropic.calls == 0


def test_nul_bytes_are_rejected(client: Client, use_anthropic: Any) -> None:
    html = _rejected(client, _form(resume_raw_text=RESUME + "\x00"), htmx=True)
    assert "<html" not in html and 'id="optimize-form"' in html
    assert "Null characters are not allowed" in _field_errors(html, "resume_raw_text")
    assert use_anthropic.calls == 0


def test_lone_surrogates_are_rejected_by_the_form() -> None:
    from optimizer.forms import PageOptimizeForm

    form = PageOptimizeForm({"resume_raw_text": RESUME + "\ud800", "job_description_text": JOB})
    assert not form.is_valid()
    assert "invalid characters" in str(form.errors["resume_raw_text"])


def test_a_wrong_file_type_is_rejected(client: Client, use_anthropic: Any) -> None:
    upload = SimpleUploadedFile("resume.exe", b"MZ\x90\x00binary", "application/octet-stream")
    html = _rejected(client, {"resume_file": upload, "job_description_text": JOB})
    assert "Unsupported file type (.exe)" in _field_errors(html, "resume_file")
    assert JOB.strip() in html
    assert use_anthropic.calls == 0


def test_a_file_too_large_is_rejected(client: Client, use_anthropic: Any, settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 1024
    upload = SimpleUploadedFile("resume.txt", RESUME.encode() * 20, "text/plain")
    html = _rejected(client, {"resume_file": upload, "job_description_text": JOB})
    assert "too large" in _field_errors(html, "resume_file")
    assert use_anthropic.calls == 0


def test_a_text_file_can_stand_in_for_the_pasted_resume(client: Client, use_anthropic: Any) -> None:
    upload = SimpleUploadedFile("cv.txt", ("Zoë " + RESUME).encode("latin-1"), "text/plain")
    response = client.post(
        "/optimize/", {"resume_file": upload, "job_description_text": JOB}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    job = Optimization.objects.get()
    assert job.resume_text.startswith("Zoë Jane Doe")
    assert job.resume_filename == "cv.txt"


def test_a_read_file_stays_in_the_form_when_another_field_has_an_error(
    client: Client, use_anthropic: Any
) -> None:
    upload = SimpleUploadedFile("cv.txt", RESUME.encode(), "text/plain")
    response = client.post("/optimize/", {"resume_file": upload, "job_description_text": "short"})
    assert response.status_code == 422
    html = response.content.decode()
    textarea = re.search(r'<textarea name="resume_raw_text"[^>]*>(.*?)</textarea>', html, re.S)
    assert textarea and unescape(textarea.group(1)).strip() == RESUME.strip()
    assert "Your file was read" in html
    assert re.search(r"\sshort</textarea>", html)  # and the typed job ad is kept too
    assert Optimization.objects.count() == 0 and use_anthropic.calls == 0


def test_try_it_with_a_sample_fills_the_form(client: Client) -> None:
    from optimizer.sample_inputs import SAMPLE_JOB, SAMPLE_RESUME

    home = client.get("/", HTTP_ACCEPT="text/html").content.decode()
    assert 'href="/?sample=1#optimize-form"' in home and "Try it with a sample" in home
    filled = client.get("/?sample=1", HTTP_ACCEPT="text/html").content.decode()
    for text in (SAMPLE_RESUME, SAMPLE_JOB):
        assert escape(text.strip()) in filled
    # The sample passes the form's own checks: pressing Optimize works at once.
    from optimizer.forms import PageOptimizeForm

    form = PageOptimizeForm({"resume_raw_text": SAMPLE_RESUME, "job_description_text": SAMPLE_JOB})
    assert form.is_valid(), form.errors


def test_a_docx_file_is_read_with_the_documents_module(client: Client, use_anthropic: Any) -> None:
    from optimizer.documents import to_docx

    upload = SimpleUploadedFile("cv.docx", to_docx(RESUME), "application/octet-stream")
    response = client.post(
        "/optimize/", {"resume_file": upload, "job_description_text": JOB}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    job = Optimization.objects.get()
    assert "Six years building Django web applications" in job.resume_text
    assert job.resume_filename == "cv.docx"


def test_a_broken_pdf_is_rejected_next_to_the_file_field(
    client: Client, use_anthropic: Any
) -> None:
    upload = SimpleUploadedFile("cv.pdf", b"%PDF-1.7 this is not really a pdf", "application/pdf")
    html = _rejected(client, {"resume_file": upload, "job_description_text": JOB})
    assert _field_errors(html, "resume_file").strip()
    assert use_anthropic.calls == 0


# -- analysis on the result page ---------------------------------------------------------------

INVENTED_REPLY = """OPTIMIZED RESUME
Jane Doe
Senior Python Developer, Berlin
SUMMARY
Six years building Django REST APIs on PostgreSQL and Redis; cut costs by 40%.

CHANGES MADE
- Put the job's keywords first

EXPECTED IMPROVEMENT
Better keyword coverage.
"""


def test_the_result_shows_grounding_flags_score_and_the_word_diff(
    client: Client, use_anthropic: Any
) -> None:
    use_anthropic.enqueue(FakeReply(text=INVENTED_REPLY))
    job, _ = _run(client)
    html = client.get(f"/optimize/{job.pk}/").content.decode()
    assert "Check these claims" in html and "<strong>40%</strong>" in html
    # The match report: a before/after gauge pair per component, found and missing as chips.
    assert 'class="components"' in html and "ATS readability" in html
    assert html.count('<meter class="gauge gauge-after"') == sum(
        part["score"] is not None for part in job.result["ats_score"]["components"]
    )
    assert "chip chip-matched" in html and "chip chip-missing" in html
    # ...and the rewrite beside the original, its new and reworded lines marked
    assert 'class="original-text"' in html and 'class="line line-changed"' in html
    assert "What changed, word by word" in html
    # The invented phrase is inserted text, highlighted with its grounding message as a title.
    flag = job.result["grounding"][0]
    assert f'<mark title="{escape(flag["message"])}"><ins>' in html
    assert "<del>" in html  # something of the original was removed or reworded
    # Each message once: the flag is in the API's warnings, the page lists it with the claims.
    assert flag["message"] in job.result["warnings"]
    assert html.count(f"<li>{escape(flag['message'])}</li>") == 0
    assert html.count("<strong>40%</strong>") == 1
    assert "<h3>Warnings</h3>" not in html  # there is no other warning
    # Technical figures are in the collapsed Details block, after the resume.
    details = html[html.index('<details class="details">') :]
    assert "<details " in html and "<details open" not in html
    assert "Tokens" in details and "Model" in details and "Cached" in details
    assert "Tokens" not in html[: html.index('<details class="details">')]


def test_strict_grounding_shows_the_result_as_not_valid(
    client: Client, use_anthropic: Any, settings: Any
) -> None:
    settings.GROUNDING_MODE = "strict"
    use_anthropic.enqueue(FakeReply(text=INVENTED_REPLY))
    job, _ = _run(client)
    html = client.get(f"/optimize/{job.pk}/").content.decode()
    assert "grounding-strict" in html and 'role="alert"' in html
    assert "Not valid: claims your original resume does not support" in html


def test_a_restart_clears_the_text_and_says_the_writer_restarted() -> None:
    from optimizer.views import PageRenderer

    renderer = PageRenderer(Optimization(resume_text="r", job_description="j"), csrf_token="t")
    renderer.render(Event(1, {"type": "start", "stage": "checking_cache"}))
    renderer.render(Event(2, {"type": "chunk", "content": "half a resu"}))
    restart = _events(
        renderer.render(Event(3, {"type": "start", "restart": True, "attempt": 2})).decode()
    )
    assert ("restart", "") in restart  # swapped into the text: it empties it
    stage = next(data for name, data in restart if name == "stage")
    assert "started again from the top" in stage
    assert _current_steps(stage) == ["Reading your resume and the job ad"]
    again = _events(renderer.render(Event(4, {"type": "chunk", "content": "Jane Do"})).decode())
    assert ("progress", "2 words written so far") in again
    # A chunk that goes on inside a word does not count it twice.
    more = _events(renderer.render(Event(5, {"type": "chunk", "content": "e\nSKILLS"})).decode())
    assert ("progress", "3 words written so far") in more
