"""Review and edit a rewrite: confirm or remove a flagged claim, edit in place, revert.

Each action is a plain form post (the no-JS path) or an htmx post answering the part of the
panel it changes. The state is stored on the optimization, so the permalink shows it, and the
exports take the final version.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from test_pages import INVENTED_REPLY, _run

from optimizer.models import Optimization
from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db


def _invented(client: Client, use_anthropic: Any) -> tuple[Optimization, dict[str, Any]]:
    use_anthropic.enqueue(FakeReply(text=INVENTED_REPLY))
    job, _ = _run(client)
    flag = next(f for f in job.result["grounding"] if f["phrase"] == "40%")
    return job, flag


def _page(client: Client, job: Optimization) -> str:
    return client.get(f"/optimize/{job.pk}/").content.decode()


def test_confirming_a_claim_keeps_it_and_stops_flagging_it(
    client: Client, use_anthropic: Any
) -> None:
    job, flag = _invented(client, use_anthropic)
    assert "I did this: keep it" in _page(client, job)
    response = client.post(
        f"/optimize/{job.pk}/claim", {"action": "confirm", "message": flag["message"]}
    )
    assert response.status_code == 302 and response.url == f"/optimize/{job.pk}/#review"
    job.refresh_from_db()
    assert job.confirmed_claims == [flag["message"]] and job.edited_at is not None
    html = _page(client, job)
    assert "<strong>40%</strong>" not in html and "You confirmed 1 claim as true" in html
    assert "cut costs by 40%" in client.get(f"/optimize/{job.pk}/download.txt").content.decode()
    assert "Edited" in client.get("/history/").content.decode()


def test_removing_a_claim_takes_its_sentence_out_of_the_text_and_the_exports(
    client: Client, use_anthropic: Any
) -> None:
    job, flag = _invented(client, use_anthropic)
    panel = client.post(
        f"/optimize/{job.pk}/claim",
        {"action": "remove", "message": flag["message"]},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert panel.lstrip().startswith(f'<section id="job-{job.pk}"')
    assert "40%" not in panel and "Edited by you" in panel
    job.refresh_from_db()
    assert flag["sentence"] not in job.edited_resume
    assert "SUMMARY" in job.edited_resume  # only the sentence went
    txt = client.get(f"/optimize/{job.pk}/download.txt").content.decode()
    assert txt == job.edited_resume and "40%" not in txt
    # Asking again: that claim is gone, the request is refused with a reason.
    again = client.post(
        f"/optimize/{job.pk}/claim", {"action": "remove", "message": flag["message"]}
    )
    assert again.status_code == 400


def test_editing_in_place_rescores_and_the_exports_and_reload_take_it(
    client: Client, use_anthropic: Any
) -> None:
    job, _ = _invented(client, use_anthropic)
    before = job.result["ats_score"]["after"]
    text = job.result["optimized_resume"].replace(
        "cut costs by 40%.", "built Celery jobs and mentored junior developers."
    )
    response = client.post(f"/optimize/{job.pk}/edit", {"text": text}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<div id="review-{job.pk}"')
    assert f'<div class="resume-text" id="resume-{job.pk}" hx-swap-oob="true">' in html
    assert "No unsupported claims left in your version." in html
    after = int(re.search(r'class="ats-score">\d+ → (\d+)<', html).group(1))
    assert after > before  # Celery and mentoring are in the job ad
    assert use_anthropic.calls == 1  # rescoring is local: no LLM call

    page = _page(client, job)  # a reload shows the user's version
    shown = re.search(rf'id="resume-{job.pk}">(.*?)</div>', page, re.S)
    assert shown and unescape(re.sub(r"<[^>]+>", "", shown.group(1))).strip() == text.strip()
    assert "Edited by you" in page
    txt = client.get(f"/optimize/{job.pk}/download.txt").content.decode()
    assert txt.strip() == text.strip()
    md = client.get(f"/optimize/{job.pk}/download.md").content.decode()
    assert "mentored junior developers" in md and "40%" not in md

    # Back to the rewrite: the model's text again, nothing confirmed, not edited.
    assert client.post(f"/optimize/{job.pk}/revert").status_code == 302
    job.refresh_from_db()
    assert job.edited_at is None and job.confirmed_claims == []
    # Counted for the prompt experiments' comparison: one revert, every download.
    assert job.revert_count == 1
    downloads = job.download_count
    assert "40%" in client.get(f"/optimize/{job.pk}/download.txt").content.decode()
    job.refresh_from_db()
    assert job.download_count == downloads + 1 and downloads >= 2


def test_review_input_is_checked_and_private(client: Client, use_anthropic: Any) -> None:
    job, flag = _invented(client, use_anthropic)
    empty = client.post(f"/optimize/{job.pk}/edit", {"text": "   "})
    assert empty.status_code == 400 and b"cannot be empty" in empty.content
    unknown = client.post(f"/optimize/{job.pk}/claim", {"action": "confirm", "message": "x"})
    assert unknown.status_code == 400
    wrong = client.post(f"/optimize/{job.pk}/claim", {"action": "eat", "message": flag["message"]})
    assert wrong.status_code == 400
    stranger = Client()
    for path in ("edit", "claim", "revert"):
        assert stranger.post(f"/optimize/{job.pk}/{path}", {"text": "mine"}).status_code == 404
        assert client.get(f"/optimize/{job.pk}/{path}").status_code == 405
    job.refresh_from_db()
    assert job.edited_at is None and use_anthropic.calls == 1


REWORDED_REPLY = """OPTIMIZED RESUME
Jane Doe
Senior Python Developer, Berlin
SUMMARY
Six years building Django web applications, REST APIs and Celery background jobs on PostgreSQL and Redis.

CHANGES MADE
- Named the background jobs

EXPECTED IMPROVEMENT
Better keyword coverage.
"""


def test_a_reworded_line_can_be_kept_or_taken_back_to_the_original(
    client: Client, use_anthropic: Any
) -> None:
    original_line = "Six years building Django web applications, REST APIs and Celery jobs on PostgreSQL and Redis."
    use_anthropic.enqueue(FakeReply(text=REWORDED_REPLY))
    use_anthropic.enqueue(FakeReply(text=REWORDED_REPLY))
    job, events = _run(client)
    assert "Reworded lines" in dict(events)["done"]  # the streamed panel offers them too
    assert original_line in job.resume_text
    html = _page(client, job)
    assert "Reworded lines" in html and f"<del>{original_line}</del>" in html
    line = next(
        i
        for i, text in enumerate(job.result["optimized_resume"].split("\n"))
        if "Celery background" in text
    )
    form = {"line": str(line), "text": job.result["optimized_resume"].split("\n")[line]}

    # Back to mine: the original wording is the text now, and what the downloads carry.
    back = client.post(f"/optimize/{job.pk}/passage", {**form, "action": "revert"})
    assert back.status_code == 302
    txt = client.get(f"/optimize/{job.pk}/download.txt").content.decode()
    assert original_line in txt and "Celery background jobs" not in txt
    assert "Reworded lines" not in _page(client, job)
    # The same form again is stale: refused, nothing changes.
    assert (
        client.post(f"/optimize/{job.pk}/passage", {**form, "action": "revert"}).status_code == 400
    )
    job.refresh_from_db()
    assert job.revert_count == 1  # the passage's revert counted; the refused one did not

    # Keep the new wording (on a fresh run of the same reply): it stays and is not offered again.
    job2, _ = _run(client, job_description_text="Backend Engineer\nPython, Django and Celery work.")
    kept = client.post(
        f"/optimize/{job2.pk}/passage", {**form, "action": "accept"}, HTTP_HX_REQUEST="true"
    )
    assert kept.status_code == 200 and "Reworded lines" not in kept.content.decode()
    assert (
        "Celery background jobs" in client.get(f"/optimize/{job2.pk}/download.txt").content.decode()
    )


JOB_WITH_KUBERNETES = """Senior Python Developer
Requirements: Python, Django, PostgreSQL, Redis, REST APIs, Celery and Kubernetes.
"""
INVENTED_SKILL_REPLY = """OPTIMIZED RESUME
Jane Doe
Senior Python Developer, Berlin
SUMMARY
Six years building Django REST APIs and Celery jobs on PostgreSQL and Redis.
Deployed the services on Kubernetes.

CHANGES MADE
- Named Kubernetes

EXPECTED IMPROVEMENT
Covers the job's Kubernetes.
"""


def test_a_flagged_claim_counts_for_the_score_only_once_the_user_confirms_it(
    client: Client, use_anthropic: Any
) -> None:
    use_anthropic.enqueue(FakeReply(text=INVENTED_SKILL_REPLY))
    job, _ = _run(client, job_description_text=JOB_WITH_KUBERNETES)
    score = job.result["ats_score"]
    flag = next(f for f in job.result["grounding"] if f["phrase"] == "Kubernetes")
    # as written, the job's Kubernetes is matched only by the flagged claim
    assert score["if_flagged_true"] > score["after"]
    assert f"would be {score['if_flagged_true']} if the claims below were true" in _page(
        client, job
    )
    client.post(f"/optimize/{job.pk}/claim", {"action": "confirm", "message": flag["message"]})
    job.refresh_from_db()
    html = _page(client, job)
    after = int(re.search(r'class="ats-score">\d+ → (\d+)<', html).group(1))
    assert after > score["after"]
