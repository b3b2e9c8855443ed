"""CORS on a job's stream_url and result_url (JOB_CORS_ALLOWED_ORIGINS), and nowhere else.

The browser side (a page on another origin running `new EventSource(stream_url)`) is in
tests/test_browser_cors.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import AsyncClient
from sse_helpers import parse_sse

from resumesite.settings import envorigins

pytestmark = pytest.mark.django_db(transaction=True)

APP = "https://app.example.com"
OTHER = "https://evil.example.net"
PREFLIGHT = {
    "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "last-event-id",
}


@pytest.fixture
def cors(settings: Any) -> Any:
    settings.JOB_CORS_ALLOWED_ORIGINS = [APP]
    return settings


async def create_job(body: dict[str, str], key: str) -> dict[str, Any]:
    response = await AsyncClient().post(
        "/api/v1/jobs", body, content_type="application/json", headers={"X-API-Key": key}
    )
    assert response.status_code == 202, response.content
    return dict(response.json())


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def cors_headers(response: Any) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


def varies_on_origin(response: Any) -> bool:
    return "origin" in response.headers.get("Vary", "").lower()


async def test_an_allowed_origin_reads_the_stream_and_the_result(
    cors: Any, use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    job = await create_job(api_body, api_key)
    stream = await AsyncClient().get(local(job["stream_url"]), headers={"Origin": APP})
    assert stream.status_code == 200
    assert stream.headers["Access-Control-Allow-Origin"] == APP
    assert "Access-Control-Allow-Credentials" not in stream.headers  # the token is in the URL
    assert varies_on_origin(stream)
    text = b"".join([part async for part in stream.streaming_content]).decode()
    assert parse_sse(text)[0][-1].type == "done"
    result = await AsyncClient().get(local(job["result_url"]), headers={"Origin": APP})
    assert result.status_code == 200
    assert result.headers["Access-Control-Allow-Origin"] == APP
    assert "Retry-After" in result.headers["Access-Control-Expose-Headers"]
    assert varies_on_origin(result)


async def test_an_error_answer_is_readable_by_an_allowed_origin(cors: Any, api_key: str) -> None:
    url = "/api/v1/jobs/00000000-0000-0000-0000-000000000000/result?token=forged"
    response = await AsyncClient().get(url, headers={"Origin": APP})
    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == APP


async def test_an_origin_not_allowed_gets_no_cors_headers(
    cors: Any, use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    job = await create_job(api_body, api_key)
    for name in ("result_url", "stream_url"):
        response = await AsyncClient().get(local(job[name]), headers={"Origin": OTHER})
        assert cors_headers(response) == {}
        assert varies_on_origin(response)  # a shared cache must not hand it to APP either
        assert response.status_code in (200, 202)  # served; the browser is the one that refuses


async def test_a_preflight_from_an_allowed_origin_allows_get_and_last_event_id(
    cors: Any, api_key: str, api_body: dict[str, str]
) -> None:
    job = await create_job(api_body, api_key)
    for name in ("stream_url", "result_url"):
        response = await AsyncClient().options(
            local(job[name]), headers={"Origin": APP, **PREFLIGHT}
        )
        assert response.status_code == 204
        assert response.headers["Access-Control-Allow-Origin"] == APP
        assert response.headers["Access-Control-Allow-Methods"] == "GET"
        allowed = response.headers["Access-Control-Allow-Headers"].lower()
        assert "last-event-id" in allowed and "authorization" in allowed
        assert int(response.headers["Access-Control-Max-Age"]) > 0
        assert "Access-Control-Allow-Credentials" not in response.headers
        assert varies_on_origin(response)


async def test_a_preflight_from_an_origin_not_allowed_is_the_views_405(
    cors: Any, api_key: str, api_body: dict[str, str]
) -> None:
    job = await create_job(api_body, api_key)
    response = await AsyncClient().options(
        local(job["stream_url"]), headers={"Origin": OTHER, **PREFLIGHT}
    )
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert cors_headers(response) == {}


async def test_a_star_allows_any_origin_without_credentials(
    settings: Any, use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    settings.JOB_CORS_ALLOWED_ORIGINS = ["*"]
    job = await create_job(api_body, api_key)
    response = await AsyncClient().get(local(job["result_url"]), headers={"Origin": OTHER})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


async def test_other_api_endpoints_get_no_cors_headers(
    cors: Any, use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    client = AsyncClient()
    headers = {"Origin": APP, "X-API-Key": api_key}
    json = "application/json"
    job = await client.post("/api/v1/jobs", api_body, content_type=json, headers=headers)
    generate = await client.post("/api/v1/generate", api_body, content_type=json, headers=headers)
    assert generate.status_code == 200, generate.content
    # Downloads are attachments opened by a link, which needs no CORS.
    download = await client.get(local(job.json()["download_urls"]["txt"]), headers=headers)
    responses = [job, generate, download]
    for path in ("/api/v1/health", "/api/v1/cache/stats", "/api/v1/openapi.json", "/"):
        responses.append(await client.get(path, headers=headers))
    responses.append(await client.options("/api/v1/generate", headers={**headers, **PREFLIGHT}))
    for response in responses:
        assert cors_headers(response) == {}, response.request
        assert not varies_on_origin(response), response.request


async def test_with_the_setting_empty_the_job_urls_send_no_cors_headers(
    settings: Any, use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    assert settings.JOB_CORS_ALLOWED_ORIGINS == []  # the default
    job = await create_job(api_body, api_key)
    client = AsyncClient()
    origin = {"Origin": APP}
    responses = [
        await client.get(local(job[name]), headers=origin) for name in ("stream_url", "result_url")
    ]
    responses.append(await client.options(local(job["stream_url"]), headers=origin | PREFLIGHT))
    assert responses[-1].status_code == 405  # as before CORS existed
    for response in responses:
        assert cors_headers(response) == {}
        assert not varies_on_origin(response)


def test_the_setting_takes_exact_origins_or_a_star(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "JOB_CORS_ALLOWED_ORIGINS"
    monkeypatch.setenv(name, " https://App.Example.com , http://127.0.0.1:8080,* ")
    assert envorigins(name) == ["https://app.example.com", "http://127.0.0.1:8080", "*"]
    monkeypatch.delenv(name)
    assert envorigins(name) == []
    for value in ("app.example.com", "https://app.example.com/", "https://a.example/path"):
        monkeypatch.setenv(name, value)
        with pytest.raises(ImproperlyConfigured, match=name):
            envorigins(name)
