"""What the API answers when something breaks that the client cannot fix, and what it logs."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import pytest
from django.db import OperationalError
from django.test import AsyncClient

from optimizer import services
from optimizer.log_format import JsonLineFormatter

pytestmark = pytest.mark.django_db(transaction=True)


async def post_generate(body: dict[str, str], key: str) -> Any:
    return await AsyncClient().post(
        "/api/v1/generate",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


async def test_an_unhandled_error_is_a_json_500_with_a_request_id_in_the_log(
    api_key: str,
    api_body: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug with a secret inside")

    monkeypatch.setattr(services, "generate", broken)
    with caplog.at_level(logging.ERROR, logger="optimizer"):
        response = await post_generate(api_body, api_key)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    failure = response.json()["error"]
    assert failure["code"] == "internal_error"
    assert "secret" not in failure["message"]
    request_id = response["X-Request-ID"]
    assert request_id in failure["message"]
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the traceback is in the log


async def test_a_saturated_database_is_a_json_503_to_retry(
    api_key: str, api_body: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def saturated(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("FATAL: sorry, too many clients already")

    monkeypatch.setattr(services, "generate", saturated)
    response = await post_generate(api_body, api_key)
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["error"]["code"] == "database_unavailable"
    assert "too many clients" not in response.json()["error"]["message"]


def test_log_lines_are_one_json_object_each_with_the_traceback() -> None:
    try:
        raise ValueError("line one\nline two")
    except ValueError:
        record = logging.LogRecord(
            "optimizer.api", logging.ERROR, __file__, 1, "failed: %s", ("x\ny",), sys.exc_info()
        )
    line = JsonLineFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "optimizer.api"
    assert entry["message"] == "failed: x\ny"
    assert "ValueError: line one" in entry["exception"]


def test_production_logging_covers_django_request_and_the_app(settings: Any) -> None:
    loggers = settings.LOGGING["loggers"]
    assert loggers["django.request"]["level"] == "ERROR"
    assert loggers["django.request"]["handlers"] == ["console"]
    assert "optimizer" in loggers
    assert settings.LOGGING["handlers"]["console"]["formatter"] == settings.LOG_FORMAT
