"""Bad input to the API: a clear error in one shape, no upstream call, nothing stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import AsyncClient

from optimizer.models import Optimization

pytestmark = pytest.mark.django_db(transaction=True)

ENDPOINTS = ["/api/v1/generate", "/api/v1/generate/stream", "/api/v1/jobs"]


async def send(
    path: str, body: bytes | str, key: str, content_type: str = "application/json"
) -> Any:
    return await AsyncClient().post(
        path, body, content_type=content_type, headers={"X-API-Key": key}
    )


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    err = response.json()["error"]
    assert set(err) == {"code", "message", "field"}
    assert err["code"] == code
    assert err["field"] == field
    assert err["message"]
    return err


def with_field(api_body: dict[str, str], name: str, value: Any) -> str:
    return json.dumps({**api_body, name: value})


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "invalid_json"),
        ('{"resume_raw_text": "abc",}', "invalid_json"),
        ("", "invalid_json"),
        ("[1, 2, 3]", "invalid_body"),
        ('"just a string"', "invalid_body"),
        ("null", "invalid_body"),
        ("[" * 100_000 + "]" * 100_000, "invalid_json"),
    ],
    ids=["broken", "trailing-comma", "empty", "array", "string", "null", "deep-nesting"],
)
async def test_it_rejects_bodies_that_are_not_a_json_object(
    use_anthropic: Any, api_key: str, path: str, body: str, code: str, settings: Any
) -> None:
    settings.API_MAX_BODY_BYTES = 1024 * 1024
    assert_error(await send(path, body, api_key), 400, code)
    assert use_anthropic.calls == 0
    assert await Optimization.objects.acount() == 0


@pytest.mark.parametrize("path", ENDPOINTS)
async def test_it_rejects_a_body_that_is_not_utf8(
    use_anthropic: Any, api_key: str, path: str
) -> None:
    body = b'{"resume_raw_text": "\xff\xfe", "job_description_text": "x"}'
    assert_error(await send(path, body, api_key), 400, "invalid_json")
    assert use_anthropic.calls == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
async def test_it_rejects_a_wrong_content_type_with_415(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], content_type: str
) -> None:
    response = await send("/api/v1/generate", json.dumps(api_body), api_key, content_type)
    assert_error(response, 415, "unsupported_media_type")
    assert use_anthropic.calls == 0


@pytest.mark.parametrize("name", ["resume_raw_text", "job_description_text"])
@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "required"),
        ("", "required"),
        (" \n\t  ", "required"),
        (12345, "invalid_type"),
        (["a list", "of strings that is long enough"], "invalid_type"),
        ({"text": "an object"}, "invalid_type"),
        (True, "invalid_type"),
        ("too short", "too_short"),
        ("a perfectly long text with a NUL \u0000 byte inside it", "invalid_characters"),
        ("a perfectly long text with a lone \ud800 surrogate inside", "invalid_characters"),
    ],
    ids=[
        "null",
        "empty",
        "whitespace",
        "number",
        "list",
        "object",
        "bool",
        "short",
        "nul",
        "surrogate",
    ],
)
async def test_it_rejects_a_bad_field_naming_it(
    use_anthropic: Any,
    api_key: str,
    api_body: dict[str, str],
    name: str,
    value: Any,
    code: str,
) -> None:
    response = await send("/api/v1/generate", with_field(api_body, name, value), api_key)
    err = assert_error(response, 400, code, field=name)
    assert err["message"].startswith(f"{name}: ")
    assert use_anthropic.calls == 0
    assert await Optimization.objects.acount() == 0


@pytest.mark.parametrize("path", ENDPOINTS[1:])
@pytest.mark.parametrize(
    ("name", "value", "code"),
    [("resume_raw_text", " \n ", "required"), ("job_description_text", 7, "invalid_type")],
)
async def test_the_stream_and_jobs_endpoints_validate_the_same_way(
    use_anthropic: Any,
    api_key: str,
    api_body: dict[str, str],
    path: str,
    name: str,
    value: Any,
    code: str,
) -> None:
    assert_error(await send(path, with_field(api_body, name, value), api_key), 400, code, name)
    assert use_anthropic.calls == 0
    assert await Optimization.objects.acount() == 0


@pytest.mark.parametrize("name", ["resume_raw_text", "job_description_text"])
async def test_a_missing_field_is_named(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], name: str
) -> None:
    body = {k: v for k, v in api_body.items() if k != name}
    assert_error(await send("/api/v1/generate", json.dumps(body), api_key), 400, "required", name)
    assert use_anthropic.calls == 0


@pytest.mark.parametrize(
    ("name", "setting"),
    [
        ("resume_raw_text", "RESUME_MAX_CHARS"),
        ("job_description_text", "JOB_DESCRIPTION_MAX_CHARS"),
    ],
)
async def test_a_field_over_its_size_limit_is_a_400_too_long(
    use_anthropic: Any,
    api_key: str,
    api_body: dict[str, str],
    settings: Any,
    name: str,
    setting: str,
) -> None:
    limit = getattr(settings, setting)
    exact = with_field(api_body, name, "x" * limit)
    over = with_field(api_body, name, "x" * (limit + 1))
    err = assert_error(await send("/api/v1/generate", over, api_key), 400, "too_long", name)
    assert str(limit) in err["message"]
    assert use_anthropic.calls == 0
    # Exactly at the limit is accepted (and goes upstream once).
    assert (await send("/api/v1/generate", exact, api_key)).status_code == 200
    assert use_anthropic.calls == 1


async def test_a_whole_body_over_the_byte_limit_is_a_413_before_parsing(
    use_anthropic: Any, api_key: str, settings: Any
) -> None:
    settings.API_MAX_BODY_BYTES = 2048
    body = "{" + " " * 4000  # not even JSON: the size check comes first
    assert_error(await send("/api/v1/generate", body, api_key), 413, "body_too_large")
    assert use_anthropic.calls == 0


async def test_djangos_own_upload_limit_also_answers_with_our_413(
    use_anthropic: Any, api_key: str, api_body: dict[str, str], settings: Any
) -> None:
    # DATA_UPLOAD_MAX_MEMORY_SIZE makes request.body raise; the client must still get JSON.
    settings.API_MAX_BODY_BYTES = 10 * 1024 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = with_field(api_body, "resume_raw_text", "y" * 5000)
    assert_error(await send("/api/v1/generate", body, api_key), 413, "body_too_large")
    assert use_anthropic.calls == 0


async def test_unknown_extra_fields_are_ignored(
    use_anthropic: Any, api_key: str, api_body: dict[str, str]
) -> None:
    body = json.dumps({**api_body, "temperature": 2, "model": "evil", "x": {"nested": [1]}})
    response = await send("/api/v1/generate", body, api_key)
    assert response.status_code == 200
    assert response.json()["usage_stats"]["model"] == "claude-sonnet-4-20250514"
    assert use_anthropic.calls == 1
