"""One resume, several jobs on the page (issue 16, item 3): the form, the batch's table of jobs
with match before and after, its live stream of rows, sorting by match; bad input and other
sessions get clear errors and cost no upstream call."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import AsyncClient
from samples import RESUME
from test_batches_api import jobs_for
from test_pages import _events

from optimizer.models import Batch, Optimization
from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db(transaction=True)


async def body_of(response: Any) -> str:
    return b"".join([part async for part in response.streaming_content]).decode()


async def submit(client: AsyncClient, job_descriptions: list[str], **extra: Any) -> Any:
    data = {"resume_raw_text": RESUME, "job_description": job_descriptions, **extra}
    return await client.post("/batches/", data)


async def started(client: AsyncClient, count: int, **extra: Any) -> Batch:
    response = await submit(client, jobs_for(count), **extra)
    assert response.status_code == 303, response.content
    found = re.fullmatch(r"/batches/([0-9a-f-]+)/", response["Location"])
    assert found, response["Location"]
    return await Batch.objects.aget(pk=found.group(1))


async def stream_to_end(client: AsyncClient, batch: Batch) -> list[tuple[str, str]]:
    response = await client.get(f"/batches/{batch.pk}/stream")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    return _events(await body_of(response))


async def test_the_form_offers_ten_job_boxes_and_the_nav_links_it(use_anthropic: Any) -> None:
    response = await AsyncClient().get("/batches/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('name="job_description"') == 10
    assert 'name="resume_raw_text"' in html and 'name="resume_file"' in html
    assert 'href="/batches/"' in html and "Several jobs" in html
    assert 'name="deferred"' not in html  # only with ANTHROPIC_BATCH and Claude


async def test_the_form_offers_half_price_with_anthropic_batch(
    use_anthropic: Any, settings: Any
) -> None:
    settings.ANTHROPIC_BATCH = True
    html = (await AsyncClient().get("/batches/")).content.decode()
    assert 'name="deferred"' in html and "half price" in html


async def test_a_batch_fills_its_table_live_then_sorts_by_match(use_anthropic: Any) -> None:
    client = AsyncClient()
    # Job 0 asks for nothing the resume has: its match after is lower than the others'.
    low = "Senior Java Developer\nSpring Boot, Kotlin, Oracle and Kafka on AWS. Hibernate.\n"
    response = await submit(client, [*jobs_for(2), "", low])  # a blank box is not a job
    assert response.status_code == 303
    batch = await Batch.objects.aget()
    page = (await client.get(response["Location"])).content.decode()
    assert f'sse-connect="/batches/{batch.pk}/stream"' in page
    items = [item async for item in batch.items.order_by("batch_position")]
    assert len(items) == 3
    for item in items:
        assert f'id="batch-item-{item.pk}"' in page and f'sse-swap="item-{item.pk}"' in page

    events = await stream_to_end(client, batch)
    names = [name for name, _ in events]
    assert names[-1] == "batch-done"
    for item in items:
        rows = [data for name, data in events if name == f"item-{item.pk}"]
        assert rows, f"no row for {item.pk}"
        assert "status-done" in rows[-1]  # the last row sent for it says done, with its match
    await items[0].arefresh_from_db()
    assert items[0].score is not None
    assert f'<td class="batch-after">{items[0].score["after"]}</td>' in "".join(
        data for name, data in events if name == f"item-{items[0].pk}"
    )
    summaries = [data for name, data in events if name == "summary"]
    assert "All 3 done" in summaries[-1]
    assert use_anthropic.calls == 3

    # Finished: no live stream on the page; sorted by match after, best first.
    page = (await client.get(f"/batches/{batch.pk}/?sort=-after")).content.decode()
    assert "sse-connect" not in page and "All 3 done" in page
    order = re.findall(r'id="batch-item-([0-9a-f-]+)"', page)
    afters = {str(item.pk): (await Optimization.objects.aget(pk=item.pk)).score for item in items}
    values = [afters[pk]["after"] for pk in order]  # type: ignore[index]
    assert values == sorted(values, reverse=True)
    assert order[-1] == str(items[2].pk)  # the Java job fits least
    ascending = (await client.get(f"/batches/{batch.pk}/?sort=after")).content.decode()
    assert re.findall(r'id="batch-item-([0-9a-f-]+)"', ascending)[0] == str(items[2].pk)
    assert 'aria-sort="ascending"' in ascending
    # An unknown sort is the entered order, not an error.
    plain = (await client.get(f"/batches/{batch.pk}/?sort=<script>")).content.decode()
    assert re.findall(r'id="batch-item-([0-9a-f-]+)"', plain) == [str(i.pk) for i in items]
    assert "<script>" not in plain.split("<main", 1)[1].split("</main>")[0]


async def test_each_item_is_an_ordinary_result_of_the_session(use_anthropic: Any) -> None:
    client = AsyncClient()
    batch = await started(client, 1)
    await stream_to_end(client, batch)
    item = await batch.items.aget()
    result = await client.get(f"/optimize/{item.pk}/")
    assert result.status_code == 200 and "Job match" in result.content.decode()
    assert f'href="/batches/{batch.pk}/"' in result.content.decode()  # back to the table
    history = (await client.get("/history/")).content.decode()
    assert f"/optimize/{item.pk}/" in history


@pytest.mark.parametrize(
    ("jobs", "message"),
    [
        (jobs_for(11), "11 job descriptions: a batch takes at most 10."),
        (["", "  "], "Paste at least one job description."),
        ([jobs_for(1)[0], "too short"], "Job 2: Ensure this value has at least 20 characters"),
        ([jobs_for(1)[0], "x" * 20001], "Job 2: Ensure this value has at most 20000 characters"),
    ],
)
async def test_bad_job_descriptions_are_shown_and_cost_nothing(
    use_anthropic: Any, jobs: list[str], message: str
) -> None:
    response = await submit(AsyncClient(), jobs)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert await Batch.objects.acount() == 0 and await Optimization.objects.acount() == 0
    assert use_anthropic.calls == 0


async def test_a_missing_resume_is_shown_and_costs_nothing(use_anthropic: Any) -> None:
    response = await AsyncClient().post("/batches/", {"job_description": jobs_for(2)})
    assert response.status_code == 422
    assert "Paste your resume or upload a file." in response.content.decode()
    # What was typed stays in the boxes.
    assert jobs_for(2)[1].split("\n")[-2] in response.content.decode()
    assert await Batch.objects.acount() == 0 and use_anthropic.calls == 0


async def test_another_session_gets_a_404_for_the_page_and_its_stream(use_anthropic: Any) -> None:
    owner = AsyncClient()
    batch = await started(owner, 1)
    await stream_to_end(owner, batch)
    stranger = AsyncClient()
    assert (await stranger.get(f"/batches/{batch.pk}/")).status_code == 404
    assert (await stranger.get(f"/batches/{batch.pk}/stream")).status_code == 404
    unknown = "/batches/00000000-0000-0000-0000-000000000000/"
    assert (await owner.get(unknown)).status_code == 404
    assert use_anthropic.calls == 1


async def test_a_deferred_batch_waits_for_message_batches_on_the_page(
    use_anthropic: Any, settings: Any
) -> None:
    settings.ANTHROPIC_BATCH = True
    settings.ANTHROPIC_BATCH_POLL_SECONDS = 3600
    use_anthropic.set_default(FakeReply())
    client = AsyncClient()
    batch = await started(client, 2, deferred="on")
    assert batch.deferred and batch.upstream_id.startswith("msgbatch_")
    page = (await client.get(f"/batches/{batch.pk}/")).content.decode()
    assert "2 of 2 waiting for the Message Batches API" in page
    assert use_anthropic.calls == 0 and use_anthropic.batch_requests == 2


async def test_a_resume_of_the_session_fills_the_form_and_others_are_a_404(
    use_anthropic: Any,
) -> None:
    owner = AsyncClient()
    batch = await started(owner, 1)
    await stream_to_end(owner, batch)
    item = await batch.items.aget()
    history = (await owner.get("/history/")).content.decode()
    assert f'href="/optimize/{item.pk}/batch"' in history
    form = (await owner.get(f"/optimize/{item.pk}/batch")).content.decode()
    assert "is filled in below" in form and "Six years building Django" in form
    assert (await AsyncClient().get(f"/optimize/{item.pk}/batch")).status_code == 404
    unknown = "/optimize/00000000-0000-0000-0000-000000000000/batch"
    assert (await owner.get(unknown)).status_code == 404
    assert use_anthropic.calls == 1


async def test_an_uploaded_resume_file_is_used_for_every_job(use_anthropic: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = AsyncClient()
    upload = SimpleUploadedFile("resume.txt", RESUME.encode())
    response = await client.post(
        "/batches/", {"resume_file": upload, "job_description": jobs_for(2)}
    )
    assert response.status_code == 303, response.content
    batch = await Batch.objects.aget()
    assert batch.resume_filename == "resume.txt"
    await stream_to_end(client, batch)
    texts = {item.resume_text async for item in batch.items.all()}
    assert texts == {RESUME.strip()}
    assert use_anthropic.calls == 2


async def test_a_queued_items_result_page_says_it_waits_for_the_batch(
    use_anthropic: Any, settings: Any
) -> None:
    settings.ANTHROPIC_BATCH = True
    settings.ANTHROPIC_BATCH_POLL_SECONDS = 3600
    client = AsyncClient()
    batch = await started(client, 1, deferred="on")
    item = await batch.items.aget()
    assert item.status == "queued"
    page = (await client.get(f"/optimize/{item.pk}/")).content.decode()
    assert 'id="queued-note"' in page and "within 24 hours" in page
    assert use_anthropic.calls == 0


async def test_the_admin_lists_batches_and_shows_their_items(
    use_anthropic: Any, admin_user: Any
) -> None:
    owner = AsyncClient()
    batch = await started(owner, 2)
    await stream_to_end(owner, batch)
    staff = AsyncClient()
    await staff.aforce_login(admin_user)
    listing = await staff.get("/admin/optimizer/batch/")
    assert listing.status_code == 200 and str(batch.pk) in listing.content.decode()
    detail = (await staff.get(f"/admin/optimizer/batch/{batch.pk}/change/")).content.decode()
    assert detail.count("/admin/optimizer/optimization/") >= 2 and "Done" in detail


async def test_a_stopping_worker_ends_the_stream_without_batch_done(
    use_anthropic: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from optimizer import drain

    # Every call waits long enough that the batch is still running when the worker stops.
    use_anthropic.set_default(FakeReply(first_token_delay=1.0))
    client = AsyncClient()
    batch = await started(client, 1)
    monkeypatch.setattr(drain, "_draining", True)
    events = await stream_to_end(client, batch)
    names = [name for name, _ in events]
    assert names and "batch-done" not in names  # EventSource reconnects to another worker
    monkeypatch.setattr(drain, "_draining", False)
    events = await stream_to_end(client, batch)  # the reconnect follows it to its end
    assert events[-1][0] == "batch-done"
