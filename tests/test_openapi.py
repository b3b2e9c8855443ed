"""GET /api/v1/openapi.json against the views: every documented answer is produced, and only those.

CASES holds one request per documented (operation, status, media type). A documented answer
without a case fails, a case for an undocumented answer fails, and each case's response must match
the documented status, media type and schema (objects may carry no undocumented field). The
probes send more inputs and accept any documented answer, but nothing else.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jsonschema_rs
import pytest
from conftest import use_redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import AsyncClient
from django.urls import resolve
from samples import JOB, RESUME
from sse_helpers import parse_sse

from optimizer import services
from optimizer.models import Optimization
from optimizer.openapi import CATCH_ALL, api_routes, openapi_document

pytestmark = pytest.mark.django_db(transaction=True)

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Ctx:
    key: str
    admin_key: str
    upstream: Any
    settings: Any

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.key}


Case = Callable[[Ctx, str], Awaitable[Any]]
Key = tuple[str, str, str]  # operationId, status, response media type


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def body(ctx: Ctx) -> dict[str, str]:
    return {"resume_raw_text": RESUME, "job_description_text": JOB}


async def post_json(ctx: Ctx, path: str, data: Any, **headers: str) -> Any:
    return await AsyncClient().post(
        path, data, content_type="application/json", headers={**ctx.headers, **headers}
    )


async def new_job(ctx: Ctx) -> dict[str, Any]:
    response = await post_json(ctx, "/api/v1/jobs", body(ctx))
    assert response.status_code == 202, response.content
    return dict(response.json())


async def finished_job(ctx: Ctx) -> dict[str, Any]:
    job = await new_job(ctx)
    stream = await AsyncClient().get(local(job["stream_url"]))
    b"".join([part async for part in stream.streaming_content])
    return job


async def failed_job(ctx: Ctx, code: str) -> dict[str, Any]:
    # A job whose run failed inside (jobs._run's internal_error): not reachable from outside.
    job = await new_job(ctx)
    await Optimization.objects.filter(pk=job["id"]).aupdate(
        status=Optimization.Status.FAILED, error_code=code, error_message="Boom"
    )
    return job


async def rate_limited(ctx: Ctx, send: Callable[[], Awaitable[Any]]) -> Any:
    ctx.settings.API_RATE_LIMIT_PER_MINUTE = 1
    for _ in range(3):
        response = await send()
        if response.status_code == 429:
            return response
    return response


# -- one request per documented answer -------------------------------------------------------


async def _generate_ok(ctx: Ctx, path: str) -> Any:
    return await post_json(ctx, path, body(ctx))


async def _bad_field(ctx: Ctx, path: str) -> Any:
    return await post_json(ctx, path, {**body(ctx), "job_description_text": 42})


async def _no_key(ctx: Ctx, path: str) -> Any:
    return await AsyncClient().post(path, body(ctx), content_type="application/json")


async def _too_big(ctx: Ctx, path: str) -> Any:
    ctx.settings.API_MAX_BODY_BYTES = 1024
    return await post_json(ctx, path, {**body(ctx), "padding": "x" * 2000})


async def _wrong_type(ctx: Ctx, path: str) -> Any:
    return await AsyncClient().post(path, "resume", content_type="text/plain", headers=ctx.headers)


async def _body_rate_limited(ctx: Ctx, path: str) -> Any:
    return await rate_limited(ctx, lambda: post_json(ctx, path, body(ctx)))


async def _upstream_400(ctx: Ctx, path: str) -> Any:
    ctx.upstream.fail(400)
    return await post_json(ctx, path, body(ctx))


async def _upstream_down(ctx: Ctx, path: str) -> Any:
    ctx.upstream.fail(401)
    return await post_json(ctx, path, body(ctx))


async def _pipeline_without_result(ctx: Ctx, path: str) -> Any:
    # Only a pipeline bug ends the stream without done or error: stand in for one.
    async def nothing(*args: Any, **kwargs: Any) -> Any:
        return
        yield

    ctx.settings.CACHE_ENABLED = False
    original, services.stream = services.stream, nothing  # type: ignore[assignment]
    try:
        return await post_json(ctx, path, body(ctx))
    finally:
        services.stream = original  # type: ignore[assignment]


async def _link(ctx: Ctx, url_name: str, *, query: str = "", **headers: str) -> Any:
    job = await finished_job(ctx)
    return await AsyncClient().get(local(job[url_name]) + query, headers=headers)


async def _download(ctx: Ctx, fmt: str, job: dict[str, Any] | None = None) -> Any:
    job = job or await finished_job(ctx)
    return await AsyncClient().get(local(job["download_urls"][fmt]))


async def _bad_token(ctx: Ctx, url: str) -> Any:
    return await AsyncClient().get(urlsplit(url).path + "?token=forged")


async def _unknown_job(ctx: Ctx, url: str) -> Any:
    job_id = urlsplit(url).path.split("/")[4]
    path = urlsplit(url).path.replace(job_id, "00000000-0000-0000-0000-000000000000")
    return await AsyncClient().get(path, headers=ctx.headers)


async def _link_rate_limited(ctx: Ctx, url: str) -> Any:
    path = urlsplit(url).path
    return await rate_limited(ctx, lambda: AsyncClient().get(path, headers=ctx.headers))


def _link_cases(operation: str, url_of: Callable[[dict[str, Any]], str]) -> dict[Key, Case]:
    async def bad_token(ctx: Ctx, path: str) -> Any:
        return await _bad_token(ctx, url_of(await new_job(ctx)))

    async def unknown(ctx: Ctx, path: str) -> Any:
        return await _unknown_job(ctx, url_of(await new_job(ctx)))

    async def limited(ctx: Ctx, path: str) -> Any:
        return await _link_rate_limited(ctx, url_of(await new_job(ctx)))

    return {
        (operation, "401", "application/json"): bad_token,
        (operation, "404", "application/json"): unknown,
        (operation, "429", "application/json"): limited,
    }


async def _running_result(ctx: Ctx, path: str) -> Any:
    from optimizer.testing.fake_anthropic import FakeReply

    ctx.upstream.enqueue(FakeReply(first_token_delay=0.5))
    job = await new_job(ctx)
    return await AsyncClient().get(local(job["result_url"]))


async def _failed_result(ctx: Ctx, code: str) -> Any:
    return await AsyncClient().get(local((await failed_job(ctx, code))["result_url"]))


async def _upstream_failed_result(ctx: Ctx, status: int) -> Any:
    ctx.upstream.fail(status)
    job = await finished_job(ctx)
    return await AsyncClient().get(local(job["result_url"]))


def _body_cases(operation: str) -> dict[Key, Case]:
    return {
        (operation, "400", "application/json"): _bad_field,
        (operation, "401", "application/json"): _no_key,
        (operation, "413", "application/json"): _too_big,
        (operation, "415", "application/json"): _wrong_type,
        (operation, "429", "application/json"): _body_rate_limited,
    }


async def _unfinished_download(ctx: Ctx, path: str) -> Any:
    return await AsyncClient().get(local((await new_job(ctx))["download_urls"]["pdf"]))


async def _bad_page_size(ctx: Ctx, path: str) -> Any:
    job = await finished_job(ctx)
    return await AsyncClient().get(local(job["download_urls"]["pdf"]) + "&page=b5")


async def _not_admin(ctx: Ctx, path: str) -> Any:
    return await AsyncClient().delete(path, headers=ctx.headers)


async def _get_no_key(ctx: Ctx, path: str) -> Any:
    return await AsyncClient().get(path)


def _download_case(fmt: str) -> Case:
    async def case(ctx: Ctx, path: str) -> Any:
        return await _download(ctx, fmt)

    return case


async def _last_event_id(ctx: Ctx, path: str) -> Any:
    return await _link(ctx, "stream_url", **{"Last-Event-ID": "minus one"})


async def _unknown_optimization(ctx: Ctx, path: str) -> Any:
    body = {"kind": "cover_letter", "optimization_id": "00000000-0000-0000-0000-000000000000"}
    return await post_json(ctx, path, body)


async def _unfinished_optimization(ctx: Ctx, path: str) -> Any:
    pending = await new_job(ctx)
    return await post_json(ctx, path, {"kind": "outreach", "optimization_id": pending["id"]})


async def _letter_job_result(ctx: Ctx, path: str) -> Any:
    response = await post_json(ctx, "/api/v1/jobs", {**body(ctx), "kind": "cover_letter"})
    job = response.json()
    stream = await AsyncClient().get(local(job["stream_url"]))
    b"".join([part async for part in stream.streaming_content])
    return await AsyncClient().get(local(job["result_url"]))


def _letter_cases(operation: str) -> dict[Key, Case]:
    return {
        **_body_cases(operation),
        (operation, "404", JSON): _unknown_optimization,
        (operation, "409", JSON): _unfinished_optimization,
    }


def batch_body(ctx: Ctx) -> dict[str, Any]:
    return {"resume_raw_text": RESUME, "job_descriptions": [JOB, JOB + "Office in Munich.\n"]}


async def _batch_created(ctx: Ctx, path: str = "/api/v1/batches") -> Any:
    """A new batch, its items run to their end (they start at once, watched or not)."""
    response = await post_json(ctx, "/api/v1/batches", batch_body(ctx))
    for item in response.json().get("items", []):
        stream = await AsyncClient().get(local(item["stream_url"]))
        b"".join([part async for part in stream.streaming_content])
    return response


async def _batch_detail(ctx: Ctx, path: str) -> Any:
    created = (await _batch_created(ctx)).json()
    return await AsyncClient().get(urlsplit(created["url"]).path, headers=ctx.headers)


def _batch_cases() -> dict[Key, Case]:
    async def bad_field(ctx: Ctx, path: str) -> Any:
        return await post_json(ctx, path, {**batch_body(ctx), "job_descriptions": [JOB, 42]})

    async def no_key(ctx: Ctx, path: str) -> Any:
        return await AsyncClient().post(path, batch_body(ctx), content_type="application/json")

    async def too_big(ctx: Ctx, path: str) -> Any:
        ctx.settings.API_MAX_BODY_BYTES = 1024
        return await post_json(ctx, path, {**batch_body(ctx), "padding": "x" * 2000})

    async def limited(ctx: Ctx, path: str) -> Any:
        return await rate_limited(ctx, lambda: post_json(ctx, path, {"job_descriptions": []}))

    async def unknown_optimization(ctx: Ctx, path: str) -> Any:
        body = {
            "optimization_id": "00000000-0000-0000-0000-000000000000",
            "job_descriptions": [JOB],
        }
        return await post_json(ctx, path, body)

    async def get_limited(ctx: Ctx, path: str) -> Any:
        return await rate_limited(ctx, lambda: AsyncClient().get(path, headers=ctx.headers))

    return {
        ("createBatch", "202", JSON): _batch_created,
        ("createBatch", "400", JSON): bad_field,
        ("createBatch", "401", JSON): no_key,
        ("createBatch", "404", JSON): unknown_optimization,
        ("createBatch", "413", JSON): too_big,
        ("createBatch", "415", JSON): _wrong_type,
        ("createBatch", "429", JSON): limited,
        ("getBatch", "200", JSON): _batch_detail,
        ("getBatch", "401", JSON): _get_no_key,
        ("getBatch", "404", JSON): lambda ctx, path: AsyncClient().get(path, headers=ctx.headers),
        ("getBatch", "429", JSON): get_limited,
    }


async def _clear_during_outage(ctx: Ctx, path: str) -> Any:
    use_redis(ctx.settings, "redis://127.0.0.1:1/0")  # nobody listens there
    return await AsyncClient().delete(path, headers={"X-API-Key": ctx.admin_key})


JSON = "application/json"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CASES: dict[Key, Case] = {
    ("health", "200", JSON): lambda ctx, path: AsyncClient().get(path),
    ("openapi", "200", JSON): lambda ctx, path: AsyncClient().get(path),
    ("generate", "200", JSON): _generate_ok,
    **_body_cases("generate"),
    ("generate", "422", JSON): _upstream_400,
    ("generate", "500", JSON): _pipeline_without_result,
    ("generate", "503", JSON): _upstream_down,
    ("generateStream", "200", "text/event-stream"): _generate_ok,
    **_body_cases("generateStream"),
    ("coverLetter", "200", JSON): _generate_ok,
    **_letter_cases("coverLetter"),
    ("coverLetter", "422", JSON): _upstream_400,
    ("coverLetter", "500", JSON): _pipeline_without_result,
    ("coverLetter", "503", JSON): _upstream_down,
    ("coverLetterStream", "200", "text/event-stream"): _generate_ok,
    **_letter_cases("coverLetterStream"),
    ("createJob", "202", JSON): _generate_ok,
    **_letter_cases("createJob"),
    ("jobStream", "200", "text/event-stream"): lambda ctx, path: _link(ctx, "stream_url"),
    ("jobStream", "400", JSON): _last_event_id,
    **_link_cases("jobStream", lambda job: job["stream_url"]),
    ("jobResult", "200", JSON): lambda ctx, path: _link(ctx, "result_url"),
    ("jobResult", "202", JSON): _running_result,
    ("jobResult", "409", JSON): lambda ctx, path: _failed_result(ctx, "cancelled"),
    ("jobResult", "422", JSON): lambda ctx, path: _upstream_failed_result(ctx, 400),
    ("jobResult", "500", JSON): lambda ctx, path: _failed_result(ctx, "internal_error"),
    ("jobResult", "503", JSON): lambda ctx, path: _upstream_failed_result(ctx, 401),
    **_link_cases("jobResult", lambda job: job["result_url"]),
    ("jobDownload", "200", "text/plain"): _download_case("txt"),
    ("jobDownload", "200", "text/markdown"): _download_case("md"),
    ("jobDownload", "200", "application/pdf"): _download_case("pdf"),
    ("jobDownload", "200", DOCX): _download_case("docx"),
    ("jobDownload", "400", JSON): _bad_page_size,
    ("jobDownload", "409", JSON): _unfinished_download,
    **_link_cases("jobDownload", lambda job: job["download_urls"]["txt"]),
    ("cacheStats", "200", JSON): lambda ctx, path: AsyncClient().get(path, headers=ctx.headers),
    ("cacheStats", "401", JSON): _get_no_key,
    ("cacheStats", "429", JSON): lambda ctx, path: rate_limited(
        ctx, lambda: AsyncClient().get(path, headers=ctx.headers)
    ),
    ("clearCache", "200", JSON): lambda ctx, path: AsyncClient().delete(
        path, headers={"X-API-Key": ctx.admin_key}
    ),
    ("clearCache", "401", JSON): lambda ctx, path: AsyncClient().delete(path),
    ("clearCache", "403", JSON): _not_admin,
    ("clearCache", "429", JSON): lambda ctx, path: rate_limited(
        ctx, lambda: AsyncClient().delete(path, headers={"X-API-Key": ctx.admin_key})
    ),
    ("clearCache", "503", JSON): _clear_during_outage,
    **_batch_cases(),
}


# -- the document, read as a client would --------------------------------------------------------


@pytest.fixture
def doc() -> dict[str, Any]:
    return openapi_document()


def operations(doc: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (path, method, operation)."""
    return {
        op["operationId"]: (path, method, op)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
    }


def documented(doc: dict[str, Any]) -> set[Key]:
    return {
        (op["operationId"], status, media)
        for ops in doc["paths"].values()
        for op in ops.values()
        for status, response in op["responses"].items()
        for media in response.get("content", {})
    }


def _closed(schema: Any) -> Any:
    """The schema with no undocumented field allowed in any object that lists its fields."""
    if isinstance(schema, dict):
        closed = {name: _closed(value) for name, value in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema:
            closed["additionalProperties"] = False
        return closed
    if isinstance(schema, list):
        return [_closed(value) for value in schema]
    return schema


def schema_errors(doc: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    components = copy.deepcopy(doc["components"])
    components["schemas"] = _closed(components["schemas"])
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": components}
    validator = jsonschema_rs.validator_for({**root, "allOf": [schema]})
    return [str(e) for e in validator.iter_errors(value)]


def check(doc: dict[str, Any], schema: dict[str, Any], value: Any) -> None:
    errors = schema_errors(doc, schema, value)
    assert not errors, (errors, value)


async def check_response(doc: dict[str, Any], operation: dict[str, Any], response: Any) -> Key:
    """The response's (operationId, status, media type), once its body matched the document."""
    status = str(response.status_code)
    media = response["Content-Type"].split(";")[0].strip()
    key = (operation["operationId"], status, media)
    responses = operation["responses"]
    assert status in responses, (key, "undocumented status", response.content[:300])
    content = responses[status]["content"]
    assert media in content, (key, "undocumented media type")
    if media == "text/event-stream":
        raw = b"".join([part async for part in response.streaming_content]).decode()
        events = parse_sse(raw)[0]
        assert events and events[-1].data["type"] in ("done", "error")
        for item in events:
            check(doc, {"$ref": "#/components/schemas/Event"}, item.data)
    elif media == JSON:
        check(doc, content[media]["schema"], json.loads(response.content))
    return key


@pytest.fixture
def ctx(use_anthropic: Any, api_key: str, admin_api_key: str, settings: Any) -> Ctx:
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    return Ctx(api_key, admin_api_key, use_anthropic, settings)


def concrete(path: str) -> str:
    zero = "00000000-0000-0000-0000-000000000000"
    return path.replace("{job_id}", zero).replace("{batch_id}", zero).replace("{fmt}", "txt")


# -- the tests ---------------------------------------------------------------------------------


def test_every_documented_answer_has_a_case_and_every_case_is_documented(
    doc: dict[str, Any],
) -> None:
    assert documented(doc) - set(CASES) == set(), "documented, but no case produces it"
    assert set(CASES) - documented(doc) == set(), "a case for an undocumented answer"


@pytest.mark.parametrize("key", sorted(CASES), ids="-".join)
async def test_each_documented_answer_is_what_the_view_answers(
    doc: dict[str, Any], ctx: Ctx, key: Key
) -> None:
    path, _, operation = operations(doc)[key[0]]
    response = await CASES[key](ctx, concrete(path))
    assert await check_response(doc, operation, response) == key


def test_the_paths_are_the_urlconfs_routes(doc: dict[str, Any]) -> None:
    from optimizer import api_urls

    routes = {p.name for p in api_urls.urlpatterns} - {CATCH_ALL}
    assert {name for name, _, _ in api_routes()} == routes
    for path in doc["paths"]:
        assert resolve(concrete(path)).url_name in routes, path


async def test_other_methods_are_a_405_naming_the_documented_ones(
    doc: dict[str, Any], ctx: Ctx
) -> None:
    client = AsyncClient()
    for path, ops in doc["paths"].items():
        for method in set(METHODS) - set(ops):
            response = await getattr(client, method)(concrete(path))
            assert response.status_code == 405, (method, path)
            assert set(response["Allow"].lower().split(", ")) == set(ops), path
            check(
                doc,
                doc["components"]["responses"]["MethodNotAllowed"]["content"][JSON]["schema"],
                response.json(),
            )


async def test_an_undocumented_path_is_the_documented_404(doc: dict[str, Any]) -> None:
    response = await AsyncClient().get("/api/v1/no/such/thing")
    assert response.status_code == 404
    check(
        doc, doc["components"]["responses"]["NotFound"]["content"][JSON]["schema"], response.json()
    )


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


GOOD_FILE = b"Python Django engineer " * 5


def _file_and_text(ctx: Ctx, name: str, content: bytes, text: str) -> dict[str, Any]:
    return {
        "resume_file": _upload(name, content),
        "resume_raw_text": text,
        "job_description_text": body(ctx)["job_description_text"],
    }


PROBES: list[tuple[str, Callable[[Ctx], dict[str, Any]]]] = [
    ("json+suffix", lambda ctx: {"data": body(ctx), "content_type": "application/vnd.api+json"}),
    ("empty", lambda ctx: {"data": b"", "content_type": JSON}),
    ("not-json", lambda ctx: {"data": b"{nope", "content_type": JSON}),
    ("array", lambda ctx: {"data": [1], "content_type": JSON}),
    ("not-utf8", lambda ctx: {"data": b"\xff\xfe", "content_type": JSON}),
    ("missing-field", lambda ctx: {"data": {"resume_raw_text": "x" * 50}, "content_type": JSON}),
    (
        "too-short",
        lambda ctx: {"data": {**body(ctx), "resume_raw_text": "x"}, "content_type": JSON},
    ),
    (
        "nul",
        lambda ctx: {"data": {**body(ctx), "resume_raw_text": "a\x00" * 20}, "content_type": JSON},
    ),
    (
        "surrogate",
        lambda ctx: {
            "data": b'{"resume_raw_text": "\\ud800'
            + b"x" * 30
            + b'", "job_description_text": "'
            + b"y" * 30
            + b'"}',
            "content_type": JSON,
        },
    ),
    ("file-in-json", lambda ctx: {"data": {**body(ctx), "resume_file": "x"}, "content_type": JSON}),
    ("multipart-text", lambda ctx: {"data": body(ctx)}),
    (
        "multipart-file",
        lambda ctx: {
            "data": {
                "resume_file": _upload("r.txt", b"Python Django engineer " * 5),
                "job_description_text": body(ctx)["job_description_text"],
            }
        },
    ),
    (
        "multipart-bad-file",
        lambda ctx: {
            "data": {
                "resume_file": _upload("r.exe", b"MZ"),
                "job_description_text": body(ctx)["job_description_text"],
            }
        },
    ),
    (
        "multipart-empty-file",
        lambda ctx: {
            "data": {
                "resume_file": _upload("r.txt", b""),
                "job_description_text": body(ctx)["job_description_text"],
            }
        },
    ),
    (
        "multipart-file-and-short-text",
        lambda ctx: {"data": _file_and_text(ctx, "r.txt", GOOD_FILE, "too short")},
    ),
    (
        "multipart-file-and-blank-text",
        lambda ctx: {"data": _file_and_text(ctx, "r.txt", GOOD_FILE, "  \n ")},
    ),
    (
        "multipart-no-resume",
        lambda ctx: {"data": {"job_description_text": body(ctx)["job_description_text"]}},
    ),
    (
        "form-urlencoded",
        lambda ctx: {"data": "a=b", "content_type": "application/x-www-form-urlencoded"},
    ),
]


@pytest.mark.parametrize(
    "operation_id",
    ["generate", "generateStream", "createJob", "coverLetter", "coverLetterStream", "createBatch"],
)
@pytest.mark.parametrize("probe", [name for name, _ in PROBES])
async def test_other_bodies_get_only_documented_answers(
    doc: dict[str, Any], ctx: Ctx, operation_id: str, probe: str
) -> None:
    path, _, operation = operations(doc)[operation_id]
    kwargs = dict(PROBES)[probe](ctx)
    response = await AsyncClient().post(path, headers=ctx.headers, **kwargs)
    await check_response(doc, operation, response)


async def test_a_json_suffix_media_type_and_a_file_are_accepted(
    ctx: Ctx, doc: dict[str, Any]
) -> None:
    # The 415's description names these: keep them working.
    path = operations(doc)["generate"][0]
    for probe in ("json+suffix", "multipart-file"):
        response = await AsyncClient().post(path, headers=ctx.headers, **dict(PROBES)[probe](ctx))
        assert response.status_code == 200, (probe, response.content)


# A file with a text, as GenerateUpload describes them: (file name, content, text) -> whether
# the body's fields match the schema, the status, and the error's (code, field).
FILE_AND_TEXT = {
    "short-text-beats-a-good-file": (
        ("r.txt", GOOD_FILE, "too short"),
        False,
        400,
        ("too_short", "resume_raw_text"),
    ),
    "blank-text-leaves-the-file": (("r.txt", GOOD_FILE, " \n "), True, 200, None),
    "empty-text-leaves-the-file": (("r.txt", GOOD_FILE, ""), True, 200, None),
    "a-text-wins-over-a-short-file": (("r.txt", b"abc", RESUME), True, 200, None),
    "the-file-is-checked-even-when-the-text-wins": (
        ("r.exe", b"MZ", RESUME),
        True,
        400,
        ("unsupported_type", "resume_file"),
    ),
    "a-blank-text-and-a-short-file": (
        ("r.txt", b"abc", " "),
        True,
        400,
        ("too_short", "resume_file"),
    ),
}


@pytest.mark.parametrize("case", sorted(FILE_AND_TEXT))
async def test_a_file_with_a_text_is_answered_as_the_upload_schema_says(
    doc: dict[str, Any], ctx: Ctx, case: str
) -> None:
    (name, content, text), matches, status, failure = FILE_AND_TEXT[case]
    upload = doc["components"]["schemas"]["GenerateUpload"]
    fields = {"resume_raw_text": text, "job_description_text": JOB, "resume_file": "(bytes)"}
    assert (not schema_errors(doc, upload, fields)) is matches
    for rule in ("text wins", "400 too_short on resume_raw_text", "blank", "still read"):
        assert rule in upload["description"]
    path = operations(doc)["generate"][0]
    data = _file_and_text(ctx, name, content, text)
    response = await AsyncClient().post(path, data, headers=ctx.headers)
    assert response.status_code == status, response.content
    if failure is not None:
        error = response.json()["error"]
        assert (error["code"], error["field"]) == failure


@pytest.mark.parametrize(
    "setting", ["RESUME_MAX_CHARS", "JOB_DESCRIPTION_MAX_CHARS", "INPUT_MIN_CHARS"]
)
async def test_the_body_limits_follow_the_settings(settings: Any, setting: str) -> None:
    setattr(settings, setting, 321)
    response = await AsyncClient().get("/api/v1/openapi.json")
    schemas = response.json()["components"]["schemas"]
    limits = {
        field.get("maxLength") for field in schemas["GenerateRequest"]["properties"].values()
    } | {field.get("minLength") for field in schemas["GenerateRequest"]["properties"].values()}
    assert 321 in limits


async def test_a_letter_jobs_result_matches_the_document(doc: dict[str, Any], ctx: Ctx) -> None:
    # jobResult's 200 case above is a resume's; a letter's result is the LetterResult branch.
    _, _, operation = operations(doc)["jobResult"]
    response = await _letter_job_result(ctx, "")
    assert response.json()["kind"] == "cover_letter"
    assert await check_response(doc, operation, response) == ("jobResult", "200", JSON)
