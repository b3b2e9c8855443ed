"""The API under uvicorn (a subprocess), read over HTTP: no buffering, disconnects, schemathesis.

AsyncClient bypasses the server's send path; these tests read real sockets. The LLM is the fake
Anthropic server in this process, reached by the product through the real SDK.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import fake_upstream_env
from sse_helpers import seed_onmessage_client

from optimizer.testing.fake_anthropic import FakeReply

pytestmark = pytest.mark.live


class LiveApi:
    def __init__(self, url: str, key: str) -> None:
        self.url = url
        self.key = key
        self.headers = {"Authorization": f"Bearer {key}"}


@pytest.fixture
def live_api(live_server_factory: Callable[..., Any], fake_anthropic: Any) -> LiveApi:
    server = live_server_factory(
        **fake_upstream_env(fake_anthropic),
    )
    output = server.manage("create_api_key", "live-tests", env=server.env)
    return LiveApi(server.url, output.strip().splitlines()[-1])


def test_each_chunk_reaches_the_client_before_the_next_is_produced(
    live_api: LiveApi, fake_anthropic: Any, api_body: dict[str, str]
) -> None:
    # Warm up first: the server's first stream pays one-off costs (SDK models, imports) that
    # are not what this test is about.
    warm_up = {**api_body, "resume_raw_text": api_body["resume_raw_text"] + " (warm-up)"}
    httpx.post(
        f"{live_api.url}/api/v1/generate", json=warm_up, headers=live_api.headers, timeout=10
    ).raise_for_status()
    chunks = [f"Word{i} " for i in range(8)]
    fake_anthropic.enqueue(FakeReply(chunks=chunks, chunk_delay=0.05))
    arrivals: list[tuple[float, str]] = []
    with httpx.stream(
        "POST",
        f"{live_api.url}/api/v1/generate/stream",
        json=api_body,
        headers=live_api.headers,
        timeout=10,
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in response.headers
        for line in response.iter_lines():
            if line.startswith("data:"):
                data = json.loads(line[5:])
                if data["type"] == "chunk":
                    arrivals.append((time.time(), data["content"]))
    assert [content for _, content in arrivals] == chunks
    sent = fake_anthropic.last_request.chunk_sent_at
    assert len(sent) == len(chunks)
    # Same host, same clock: chunk i was in our hands before the fake even sent chunk i+1
    # (chunk_sent_at is taken right after each frame is written).
    for i in range(len(chunks) - 1):
        assert arrivals[i][0] < sent[i + 1], f"chunk {i} was held back until chunk {i + 1}"


def test_a_client_disconnect_closes_the_upstream_stream(
    live_api: LiveApi, fake_anthropic: Any, api_body: dict[str, str]
) -> None:
    fake_anthropic.enqueue(FakeReply(chunks=[f"w{i} " for i in range(100)], chunk_delay=0.05))
    seen = 0
    with httpx.stream(
        "POST",
        f"{live_api.url}/api/v1/generate/stream",
        json=api_body,
        headers=live_api.headers,
        timeout=10,
    ) as response:
        for line in response.iter_lines():
            if line.startswith("data:") and json.loads(line[5:])["type"] == "chunk":
                seen += 1
                if seen == 2:
                    break  # leaving the block closes the connection mid-stream
    assert fake_anthropic.wait_for(lambda: fake_anthropic.disconnects >= 1, timeout=5)
    request = fake_anthropic.last_request
    assert request.outcome == "disconnected"
    assert len(request.chunk_sent_at) < 100


def test_the_seeds_data_only_client_reads_the_live_stream(
    live_api: LiveApi, fake_anthropic: Any, api_body: dict[str, str]
) -> None:
    fake_anthropic.enqueue(FakeReply(chunks=["Hello ", "ATS ", "world"], chunk_delay=0.01))
    with httpx.stream(
        "POST",
        f"{live_api.url}/api/v1/generate/stream",
        json=api_body,
        headers=live_api.headers,
        timeout=10,
    ) as response:
        state = seed_onmessage_client(response.iter_lines())
    assert state["started"] and state["error"] is None
    assert state["display"] == "Hello ATS world"
    assert state["done"]["result"]["usage_stats"]["cached"] is False


def test_a_chunked_body_over_the_byte_limit_is_a_json_413(
    live_api: LiveApi, fake_anthropic: Any
) -> None:
    def body() -> Any:  # a generator: httpx sends it chunked, with no Content-Length
        yield b'{"resume_raw_text": "'
        for _ in range(700):
            yield b"x" * 1024
        yield b'", "job_description_text": "y"}'

    response = httpx.post(
        f"{live_api.url}/api/v1/generate",
        content=body(),
        headers={**live_api.headers, "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    assert fake_anthropic.calls == 0


@pytest.fixture
def offline_api(live_server_factory: Callable[..., Any]) -> LiveApi:
    """The product with the offline optimizer: no upstream at all, paid or fake.

    Small text limits (the document follows them) keep generated inputs quick to analyse.
    """
    server = live_server_factory(
        LLM_PROVIDER="offline", RESUME_MAX_CHARS="3000", JOB_DESCRIPTION_MAX_CHARS="2000"
    )
    output = server.manage("create_api_key", "schemathesis", "--admin", env=server.env)
    return LiveApi(server.url, output.strip().splitlines()[-1])


def test_schemathesis_finds_no_5xx_and_no_schema_mismatch(
    offline_api: LiveApi, fake_anthropic: Any, tmp_path: Path
) -> None:
    live_api = offline_api
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{live_api.url}/api/v1/openapi.json",
        "--url",
        live_api.url,
        "--header",
        f"Authorization: Bearer {live_api.key}",
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,"
        "response_schema_conformance,response_headers_conformance",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "15",
        "--seed",
        "1",
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--report",
        "junit",
        "--report-junit-path",
        str(tmp_path / "junit.xml"),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    report = (tmp_path / "junit.xml").read_text()
    tested = set(re.findall(r'<testcase name="([A-Z]+ [^"]+)"', report))
    spec = httpx.get(f"{live_api.url}/api/v1/openapi.json").json()
    documented = {f"{m.upper()} {p}" for p, ops in spec["paths"].items() for m in ops}
    # Every operation was exercised (schemathesis skips the document's own URL).
    assert tested == documented - {"GET /api/v1/openapi.json"}, documented - tested
    assert fake_anthropic.calls == 0
