"""output_language (issue 16, item 2): ask for the rewrite in another language, through the API,
the jobs API and the page; part of the cache key; bad values are a clear 400 costing no call."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import AsyncClient, Client
from test_api_jobs import create_job, read_stream
from test_pages import _run

from optimizer.llm.client import LLMRequest, OfflineProvider
from optimizer.models import Optimization

pytestmark = pytest.mark.django_db(transaction=True)


async def post(body: Any, key: str) -> Any:
    return await AsyncClient().post(
        "/api/v1/generate", body, content_type="application/json", headers={"X-API-Key": key}
    )


def prompt_of(fake: Any) -> str:
    return str(fake.last_request.body["messages"][0]["content"])


async def test_the_prompt_asks_for_the_language_and_the_cache_keeps_languages_apart(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    german = await post({**api_body, "output_language": "de"}, api_key)
    assert german.status_code == 200, german.content
    assert "in German, whatever the language of the original" in prompt_of(use_anthropic)
    assert (await post(api_body, api_key)).status_code == 200
    assert "whatever the language" not in prompt_of(use_anthropic)
    assert use_anthropic.calls == 2  # a German rewrite is not served for the resume's own
    again = (await post({**api_body, "output_language": "de"}, api_key)).json()
    assert again["usage_stats"]["cached"] is True and use_anthropic.calls == 2
    empty = (await post({**api_body, "output_language": ""}, api_key)).json()
    assert empty["usage_stats"]["cached"] is True  # "" is the resume's own language
    assert use_anthropic.calls == 2


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("xx", "invalid_choice"),
        ("German", "invalid_choice"),
        ("de" * 5000, "invalid_choice"),
        (7, "invalid_type"),
        (["de"], "invalid_type"),
        ("<script>alert(1)</script>", "invalid_choice"),
    ],
    ids=["unknown", "a-name-not-a-code", "oversized", "number", "list", "hostile"],
)
async def test_a_bad_value_is_a_clear_400_costing_no_call(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], value: Any, code: str
) -> None:
    response = await post({**api_body, "output_language": value}, api_key)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["field"] == "output_language" and error["code"] == code, error
    if code == "invalid_choice":
        assert "use one of en, de, es, fr" in error["message"]
    assert use_anthropic.calls == 0


async def test_a_job_carries_it_to_the_worker_and_the_record(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    job = await create_job({**api_body, "output_language": "fr"}, api_key)
    events = await read_stream(job["stream_url"])
    assert events[-1].type == "done"
    assert "in French, whatever the language" in prompt_of(use_anthropic)
    row = await Optimization.objects.aget(pk=job["id"])
    assert row.output_language == "fr"


def test_the_page_offers_it_and_passes_it_on(client: Client, use_anthropic: Any) -> None:
    html = client.get("/", HTTP_ACCEPT="text/html").content.decode()
    assert '<select name="output_language"' in html and 'value="es">Spanish<' in html
    job, events = _run(client, output_language="es")
    assert job.output_language == "es" and events[-1][0] == "done"
    assert "in Spanish, whatever the language" in prompt_of(use_anthropic)


async def test_the_offline_engine_says_it_does_not_translate() -> None:
    request = LLMRequest(
        prompt="",
        system_prompt="",
        model="offline",
        max_tokens=100,
        resume="Jane Doe\nEXPERIENCE\n- Built Python services\n",
        job_description="Python developer",
        output_language="fr",
    )
    text = (await OfflineProvider().generate(request)).text
    assert "- Not translated into French: the offline engine keeps the resume's own" in text
