"""Cover letters and outreach notes through the API (issue 16, item 1): POST /api/v1/cover-letter,
/cover-letter/stream and POST /api/v1/jobs with "kind"; the pipeline's prompts, cache keys,
validation and grounding for letters; bad input is a clear error costing no upstream call."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient
from samples import JOB, RESUME
from sse_helpers import parse_sse
from test_api_jobs import create_job, read_stream

from optimizer import services
from optimizer.job_posting import hiring_company
from optimizer.llm.client import LLMRequest, OfflineProvider
from optimizer.models import ApiKey, Optimization
from optimizer.testing.fake_anthropic import (
    DEFAULT_LETTER_TEXT,
    DEFAULT_OUTREACH_TEXT,
    FakeReply,
    split_chunks,
)

pytestmark = pytest.mark.django_db(transaction=True)

LETTER = "/api/v1/cover-letter"
# A letter with four planted inventions: an employer, a team size, a degree and a skill.
PLANTED = DEFAULT_LETTER_TEXT.replace(
    "Thank you for your time",
    "At Google I led a team of 12 engineers, earned a Ph.D. in Machine Learning and wrote "
    "Rust every day. Thank you for your time",
)


async def post(body: Any, key: str, path: str = LETTER, **headers: str) -> Any:
    return await AsyncClient().post(
        path, body, content_type="application/json", headers={"X-API-Key": key, **headers}
    )


def prompt_of(fake: Any) -> str:
    return str(fake.last_request.body["messages"][0]["content"])


def system_of(fake: Any) -> str:
    system = fake.last_request.body["system"]
    return system if isinstance(system, str) else " ".join(block["text"] for block in system)


async def resume_optimization(key: str) -> str:
    response = await post(
        {"resume_raw_text": RESUME, "job_description_text": JOB}, key, "/api/v1/jobs"
    )
    job = response.json()
    events = await read_stream(job["stream_url"])
    assert events[-1].type == "done"
    return str(job["id"])


# -- the happy paths -----------------------------------------------------------------------


async def test_it_writes_a_cover_letter_grounded_and_without_flags(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    response = await post(api_body, api_key)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["kind"] == "cover_letter" and data["tone"] == "formal"
    assert data["text"] == DEFAULT_LETTER_TEXT.strip()
    assert data["grounding"] == [] and data["warnings"] == [] and data["is_valid"] is True
    assert data["quality"]["within_length"] is True and 250 <= data["quality"]["word_count"]
    assert data["optimization_id"] is None and data["usage_stats"]["cached"] is False
    assert "Write a cover letter of 250 to 400 words" in prompt_of(use_anthropic)
    assert "cover letter or one short outreach message" in system_of(use_anthropic)
    assert use_anthropic.calls == 1


async def test_a_planted_invention_in_a_letter_is_flagged_as_it_streams(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    use_anthropic.enqueue(FakeReply(chunks=split_chunks(PLANTED)))
    response = await post(api_body, api_key, f"{LETTER}/stream")
    events = parse_sse(b"".join([p async for p in response.streaming_content]).decode())[0]
    done = events[-1].data
    assert done["type"] == "done", done
    kinds = {(flag["kind"], flag["phrase"]) for flag in done["result"]["grounding"]}
    assert {("employer", "Google"), ("team_size", "team of 12"), ("skill", "Rust")} <= kinds
    assert any(kind == "degree" for kind, _ in kinds)
    # Flagged while streaming, before done, like a resume's claims.
    streamed = [e for e in events if e.type == "warning" and e.data.get("grounding")]
    assert streamed and events.index(streamed[0]) < len(events) - 1
    assert any("Google" in issue for issue in streamed[0].data["issues"])


async def test_the_company_and_title_the_letter_addresses_are_not_claims(
    use_anthropic: Any, api_key: str
) -> None:
    job = "Data Engineer at Globex Corporation\nWe need Python and Django.\n"
    letter = (
        "Dear Globex Corporation hiring team,\n\nI am applying for the Data Engineer role at "
        "Globex Corporation. " + DEFAULT_LETTER_TEXT.split("\n\n", 2)[2]
    )
    use_anthropic.enqueue(FakeReply(text=letter))
    data = (await post({"resume_raw_text": RESUME, "job_description_text": job}, api_key)).json()
    assert data["company"] == "Globex Corporation"
    assert "The hiring company is Globex Corporation: address it" in prompt_of(use_anthropic)
    assert data["grounding"] == [], data["grounding"]


async def test_an_outreach_note_is_short_and_a_long_one_warns_but_stays_valid(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    note = (await post({**api_body, "kind": "outreach", "tone": "warm"}, api_key)).json()
    assert note["kind"] == "outreach" and note["text"] == DEFAULT_OUTREACH_TEXT.strip()
    assert note["warnings"] == [] and note["quality"]["word_count"] < 120
    assert "Write a short outreach message" in prompt_of(use_anthropic)
    assert "Tone: warm and personal" in prompt_of(use_anthropic)
    use_anthropic.enqueue(FakeReply(text=DEFAULT_LETTER_TEXT))  # 280 words for a note
    long = (await post({**api_body, "kind": "outreach", "tone": "concise"}, api_key)).json()
    assert long["is_valid"] is True
    assert any(w.startswith("Outreach note is 2") and "under 120" in w for w in long["warnings"])


async def test_a_short_letter_warns_and_is_not_a_failure(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    use_anthropic.enqueue(FakeReply(text=DEFAULT_OUTREACH_TEXT))
    data = (await post(api_body, api_key)).json()
    assert data["is_valid"] is True
    assert any("aim for 250 to 400" in warning for warning in data["warnings"])


async def test_kind_and_tone_are_in_the_key_and_an_identical_letter_is_a_hit(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    keys = set()
    for kind, tone in (
        ("resume", ""),
        ("cover_letter", ""),
        ("outreach", ""),
        ("cover_letter", "warm"),
        ("cover_letter", "concise"),
    ):
        request = services.OptimizeRequest(RESUME, JOB, kind=kind, tone=tone)
        llm = services.build_llm_request(request)
        keys.add((llm.system_prompt, llm.prompt))
    assert len(keys) == 5
    formal = services.build_llm_request(services.OptimizeRequest(RESUME, JOB, kind="cover_letter"))
    explicit = services.OptimizeRequest(RESUME, JOB, kind="cover_letter", tone="formal")
    assert services.build_llm_request(explicit).prompt == formal.prompt  # formal is the default
    first = (await post(api_body, api_key)).json()
    again = (await post({**api_body, "tone": "formal"}, api_key)).json()
    assert use_anthropic.calls == 1
    assert again["usage_stats"]["cached"] is True and again["text"] == first["text"]
    await post({**api_body, "tone": "warm"}, api_key)
    assert use_anthropic.calls == 2


async def test_the_resume_prompt_is_unchanged_by_letters() -> None:
    # The resume's key must not move: its request is still built from SYSTEM_PROMPT alone.
    from optimizer.llm.prompts import SYSTEM_PROMPT, build_prompt

    llm = services.build_llm_request(services.OptimizeRequest(RESUME, JOB))
    assert llm.system_prompt == SYSTEM_PROMPT and llm.prompt == build_prompt(RESUME, JOB)


async def test_from_an_optimization_it_uses_its_texts_and_grounds_on_the_original(
    use_anthropic: Any, api_key: str
) -> None:
    parent = await resume_optimization(api_key)
    use_anthropic.enqueue(FakeReply(text=PLANTED))
    response = await post({"optimization_id": parent, "tone": "concise"}, api_key)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["optimization_id"] == parent
    prompt = prompt_of(use_anthropic)
    assert f"<resume>\n{RESUME.strip()}\n</resume>" in prompt
    assert "<tailored_resume>\nJane Doe" in prompt  # the rewrite, for wording
    # The fake's rewrite claims Example Logistics GmbH: the original does not, so the letter's
    # claims are checked against the original only.
    assert {"Google", "Rust"} <= {flag["phrase"] for flag in data["grounding"]}
    rows = [r async for r in Optimization.objects.filter(kind="cover_letter")]
    assert [(str(r.parent_id), r.tone) for r in rows] == [(parent, "concise")]


async def test_a_letter_job_streams_and_records_its_kind(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    job = await create_job({**api_body, "kind": "outreach", "tone": "warm"}, api_key)
    events = await read_stream(job["stream_url"])
    assert events[0].type == "start" and events[-1].type == "done"
    assert events[0].data["message"] == "Starting outreach note..."
    assert "".join(e.data["content"] for e in events if e.type == "chunk").strip() == (
        DEFAULT_OUTREACH_TEXT.strip()
    )
    row = await Optimization.objects.aget(pk=job["id"])
    assert (row.kind, row.tone, row.status) == ("outreach", "warm", "done")
    result = await AsyncClient().get(job["result_url"].split("testserver", 1)[1])
    assert result.json()["kind"] == "outreach"


async def test_a_letter_job_from_an_optimization(use_anthropic: Any, api_key: str) -> None:
    parent = await resume_optimization(api_key)
    job = await create_job({"kind": "cover_letter", "optimization_id": parent}, api_key)
    events = await read_stream(job["stream_url"])
    assert events[-1].data["result"]["optimization_id"] == parent
    assert "<tailored_resume>" in prompt_of(use_anthropic)
    row = await Optimization.objects.aget(pk=job["id"])
    assert str(row.parent_id) == parent and row.resume_text == RESUME.strip()


async def test_the_offline_engine_writes_an_honest_letter(settings: Any, api_key: str) -> None:
    settings.LLM_PROVIDER = "offline"
    body = {
        "resume_raw_text": RESUME,
        "job_description_text": "Backend Developer at Initech\n" + JOB,
    }
    data = (await post(body, api_key)).json()
    assert data["usage_stats"]["provider"] == "offline"
    assert data["text"].startswith("Dear Initech hiring team,")
    assert "Six years building Django web applications" in data["text"]
    assert data["text"].rstrip().endswith("Jane Doe")
    assert data["grounding"] == []
    note = (await post({**body, "kind": "outreach"}, api_key)).json()
    assert note["quality"]["word_count"] < 120 and note["grounding"] == []


async def test_the_offline_letter_is_deterministic() -> None:
    request = LLMRequest(
        "", "", "offline", 100, resume=RESUME, job_description=JOB, kind="cover_letter", tone="warm"
    )
    first = (await OfflineProvider().generate(request)).text
    assert first == (await OfflineProvider().generate(request)).text
    assert first.startswith("Hello hiring team,") and "Warm regards,\nJane Doe" in first


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("Senior Python Developer at Northwind Freight\nWe ship things.", "Northwind Freight"),
        ("Backend developer\nCompany: Acme Corp\nDo things.", "Acme Corp"),
        ("Backend developer\n\nAbout Globex\nWe make things.", "Globex"),
        ("Backend developer\nWe are hiring at Initech GmbH to build APIs.", "Initech GmbH"),
        (JOB, ""),
        ("Backend developer\nAbout us\nWe are a small team.", ""),
        ("Engineer\nAbout the role\nYou will build.", ""),
        ("Engineer\nWhy join us?\nWe are kind.", ""),
        ("Engineer\nABOUT US\nWe are kind.", ""),
    ],
)
def test_the_company_is_read_from_the_job_when_it_names_one(text: str, company: str) -> None:
    assert hiring_company(text) == company


# -- bad input: clear errors, no upstream call -----------------------------------------------


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"job_description_text": ""}, 400, "required", "job_description_text"),
        ({"job_description_text": "   \n "}, 400, "required", "job_description_text"),
        ({"resume_raw_text": "x" * 40_000}, 400, "too_long", "resume_raw_text"),
        ({"job_description_text": 42}, 400, "invalid_type", "job_description_text"),
        ({"kind": "resume"}, 400, "invalid_choice", "kind"),
        ({"kind": "poem"}, 400, "invalid_choice", "kind"),
        ({"kind": ["outreach"]}, 400, "invalid_type", "kind"),
        ({"tone": "angry"}, 400, "invalid_choice", "tone"),
        ({"tone": "warm" * 5000}, 400, "invalid_choice", "tone"),
        ({"tone": 3}, 400, "invalid_type", "tone"),
        ({"tone": "<script>alert(1)</script>"}, 400, "invalid_choice", "tone"),
        ({"optimization_id": 12}, 400, "invalid_type", "optimization_id"),
        ({"optimization_id": "x" * 100}, 400, "too_long", "optimization_id"),
        ({"optimization_id": "not-a-uuid"}, 404, "not_found", "optimization_id"),
        (
            {"optimization_id": "00000000-0000-0000-0000-000000000000"},
            404,
            "not_found",
            "optimization_id",
        ),
        ({"optimization_id": "' OR 1=1 --"}, 404, "not_found", "optimization_id"),
    ],
)
@pytest.mark.parametrize("path", [LETTER, f"{LETTER}/stream", "/api/v1/jobs"])
async def test_bad_input_is_a_clear_error_costing_no_call(
    use_anthropic: Any,
    api_key: str,
    api_body: dict[str, str],
    change: dict[str, Any],
    status: int,
    code: str,
    field: str,
    path: str,
) -> None:
    body = {**api_body, **change}
    if path.endswith("jobs"):
        body.setdefault("kind", "cover_letter")
        if change.get("kind") == "resume":  # a resume job is a valid job, not yet run
            response = await post(body, api_key, path)
            assert response.status_code == 202 and use_anthropic.calls == 0
            assert (await Optimization.objects.aget()).kind == "resume"
            return
    if "optimization_id" in change:
        body = {"optimization_id": change["optimization_id"], "kind": "cover_letter"}
    response = await post(body, api_key, path)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field), error
    assert use_anthropic.calls == 0
    assert not await Optimization.objects.filter(kind__in=["cover_letter", "outreach"]).aexists()


@pytest.mark.parametrize("path", [LETTER, f"{LETTER}/stream", "/api/v1/jobs"])
async def test_a_malformed_or_non_object_body_is_a_400(
    use_anthropic: Any, api_key: str, path: str
) -> None:
    for raw in ('{"kind": "cover_letter", ', '["cover_letter"]', '"text"'):
        response = await post(raw, api_key, path)
        assert response.status_code == 400, (raw, response.content)
        assert response.json()["error"]["code"] in ("invalid_json", "invalid_body")
    assert use_anthropic.calls == 0


async def test_another_keys_optimization_is_not_found_and_costs_nothing(
    use_anthropic: Any, api_key: str
) -> None:
    parent = await resume_optimization(api_key)
    calls = use_anthropic.calls
    other = (await sync_to_async(ApiKey.create_key)("someone else"))[1]
    for path in (LETTER, f"{LETTER}/stream", "/api/v1/jobs"):
        body = {"optimization_id": parent, "kind": "cover_letter"}
        response = await post(body, other, path)
        assert response.status_code == 404, response.content
        assert response.json()["error"]["code"] == "not_found"
    assert use_anthropic.calls == calls


async def test_a_page_optimization_is_not_an_api_keys(use_anthropic: Any, api_key: str) -> None:
    page = await services.create_optimization(
        resume=RESUME, job_description=JOB, source=Optimization.Source.PAGE, session_key="s"
    )
    response = await post({"optimization_id": str(page.pk)}, api_key)
    assert response.status_code == 404 and use_anthropic.calls == 0


async def test_an_unfinished_optimization_is_a_409_and_texts_with_an_id_a_400(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    key = await ApiKey.objects.aget(name="tests")
    pending = await services.create_optimization(
        resume=RESUME, job_description=JOB, api_key_id=key.pk
    )
    response = await post({"optimization_id": str(pending.pk)}, api_key)
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_finished"
    both = await post({**api_body, "optimization_id": str(pending.pk)}, api_key)
    assert both.status_code == 400 and both.json()["error"]["code"] == "invalid_body"
    assert use_anthropic.calls == 0


async def test_a_letters_id_is_not_an_optimization_to_write_from(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    job = await create_job({**api_body, "kind": "cover_letter"}, api_key)
    await read_stream(job["stream_url"])
    response = await post({"optimization_id": job["id"]}, api_key)
    assert response.status_code == 404 and use_anthropic.calls == 1


async def test_no_key_is_a_401(use_anthropic: Any, api_body: dict[str, str]) -> None:
    response = await AsyncClient().post(LETTER, api_body, content_type="application/json")
    assert response.status_code == 401 and use_anthropic.calls == 0
