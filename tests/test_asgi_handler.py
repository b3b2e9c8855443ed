"""optimizer/asgi.py: Django's ASGI handler minus the per-request thread.

A fully async request sends request_started and request_finished on the event-loop thread (no
thread is started for it); a request that ran sync code still gets request_finished in its own
thread, where its database connection lives; async receivers still work. Driven through the
ASGI interface directly, with the project's full middleware stack.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import SyncToAsync, sync_to_async
from conftest import BASE_DIR
from django.core import signals
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from optimizer import asgi, db
from optimizer.asgi import ASGIHandler

SYNC_THREADS: list[int] = []


async def async_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"async")


async def orm_view(request: HttpRequest) -> HttpResponse:
    def query() -> int:
        SYNC_THREADS.append(threading.get_ident())
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return int(cursor.fetchone()[0])

    return HttpResponse(str(await sync_to_async(query)()).encode())


RELEASED: list[bool] = []  # whether the request had a thread of its own after the release


async def release_view(request: HttpRequest) -> HttpResponse:
    """What a stream does before it starts: give back the request's database connections."""
    await db.release_connections()
    RELEASED.append(asgi.ran_sync_code())
    return HttpResponse(b"released")


async def orm_then_release_view(request: HttpRequest) -> HttpResponse:
    response = await orm_view(request)
    await db.release_connections()
    return response


urlpatterns = [
    path("async", async_view),
    path("orm", orm_view),
    path("release", release_view),
    path("orm-release", orm_then_release_view),
]


async def call(app: Any, route: str) -> list[dict[str, Any]]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    pending = [{"type": "http.request", "body": b"", "more_body": False}]
    never = asyncio.Event()
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop()
        await never.wait()  # the client stays connected; the handler cancels this wait
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


@pytest.fixture
def seen() -> Iterator[list[tuple[str, int]]]:
    """(signal, thread id) for every request_started / request_finished sent."""
    events: list[tuple[str, int]] = []

    def started(**kwargs: Any) -> None:
        events.append(("started", threading.get_ident()))

    def finished(**kwargs: Any) -> None:
        events.append(("finished", threading.get_ident()))

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    SYNC_THREADS.clear()
    yield events
    signals.request_started.disconnect(started)
    signals.request_finished.disconnect(finished)


def body_of(sent: list[dict[str, Any]]) -> tuple[int, bytes]:
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


@pytest.mark.urls(__name__)
async def test_async_request_sends_both_signals_on_the_loop_thread(
    seen: list[tuple[str, int]],
) -> None:
    executors_before = len(SyncToAsync.context_to_thread_executor)
    sent = await call(ASGIHandler(), "/async")
    assert body_of(sent) == (200, b"async")
    loop_thread = threading.get_ident()
    assert seen == [("started", loop_thread), ("finished", loop_thread)]
    assert len(SyncToAsync.context_to_thread_executor) == executors_before


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
async def test_request_that_ran_sync_code_finishes_in_its_own_thread(
    seen: list[tuple[str, int]],
) -> None:
    sent = await call(ASGIHandler(), "/orm")
    assert body_of(sent) == (200, b"1")
    assert len(SYNC_THREADS) == 1
    request_thread = SYNC_THREADS[0]
    assert request_thread != threading.get_ident()
    # close_old_connections (a request_finished receiver) runs where the connection was opened.
    assert seen == [("started", threading.get_ident()), ("finished", request_thread)]


@pytest.mark.urls(__name__)
async def test_async_receivers_still_get_the_signals(seen: list[tuple[str, int]]) -> None:
    calls: list[str] = []

    async def started(**kwargs: Any) -> None:
        calls.append("started")

    async def finished(**kwargs: Any) -> None:
        calls.append("finished")

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:
        sent = await call(ASGIHandler(), "/async")
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)
    assert body_of(sent) == (200, b"async")
    assert calls == ["started", "finished"]
    assert [name for name, _ in seen] == ["started", "finished"]


@pytest.mark.urls(__name__)
async def test_a_request_without_sync_code_releases_no_connection_and_starts_no_thread(
    seen: list[tuple[str, int]],
) -> None:
    RELEASED.clear()
    sent = await call(ASGIHandler(), "/release")
    assert body_of(sent) == (200, b"released")
    assert RELEASED == [False]  # still no thread of its own after release_connections()
    loop_thread = threading.get_ident()
    assert seen == [("started", loop_thread), ("finished", loop_thread)]


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
async def test_a_request_that_queried_gives_its_connection_back_in_its_thread() -> None:
    RELEASED.clear()
    SYNC_THREADS.clear()
    released_on: list[int] = []
    real_release = db._release

    def release_and_check() -> None:
        released_on.append(threading.get_ident())
        real_release()

    db._release = release_and_check  # type: ignore[assignment]
    try:
        sent = await call(ASGIHandler(), "/orm-release")
    finally:
        db._release = real_release  # type: ignore[assignment]
    assert body_of(sent) == (200, b"1")
    # Closed on the thread that opened it (SQLite's in-memory test database stays open).
    assert released_on == SYNC_THREADS and len(released_on) == 1


def test_a_worker_warms_up_when_it_loads_the_application(tmp_path: Any) -> None:
    """resumesite.asgi imports every view and reads the templates and word lists before the
    first request (that request took 0.5-0.9 s), without the OpenAI SDK it does not use."""
    code = (
        "import sys, resumesite.asgi\n"
        "from django.urls import get_resolver\n"
        "print('optimizer.api' in sys.modules, 'optimizer.batch_views' in sys.modules,"
        " 'urlconf_module' in get_resolver().__dict__, 'openai' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="resumesite.settings", VAR_DIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True", "True", "False"]
