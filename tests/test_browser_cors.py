"""A job's stream_url opened from another origin's page in Chromium (JOB_CORS_ALLOWED_ORIGINS).

The integrator's page is served by a tiny http.server on its own port (another origin than the
product's uvicorn); it runs `new EventSource(stream_url)`, then fetch(result_url). The LLM is the
fake Anthropic server, sending chunks with delays so that the events arrive live.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import test_browser

from optimizer.testing.fake_anthropic import DEFAULT_REPLY_TEXT, FakeReply

pytestmark = [pytest.mark.browser, pytest.mark.live]

browser = test_browser.browser  # the module-scoped Chromium (skipped without it, failed in CI)
WAIT_MS = 20_000

# The integrator's page: every event EventSource delivers, its errors, then the result_url.
PAGE = b"""<!doctype html>
<meta charset="utf-8">
<title>integrator</title>
<script>
const params = new URLSearchParams(location.search);
window.events = [];
window.errors = [];
window.result = null;
window.finished = false;
function readResult() {
  fetch(params.get("result"))
    .then((response) => response.json().then((body) => {
      window.result = {status: response.status, body};
    }))
    .catch((error) => { window.result = {error: String(error)}; })
    .finally(() => { window.finished = true; });
}
const source = new EventSource(params.get("stream"));
source.onmessage = (message) => {
  const data = JSON.parse(message.data);
  window.events.push({id: message.lastEventId, data});
  if (data.type === "done" || data.type === "error") {
    source.close();
    readResult();
  }
};
source.onerror = () => {
  window.errors.push(source.readyState);
  if (window.events.length === 0) {  // refused: do not let it retry for ever
    source.close();
    readResult();
  }
};
</script>
"""


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output quiet


@pytest.fixture
def page_origins() -> Iterator[tuple[str, str]]:
    """Two integrator pages on their own ports: (allowed origin, origin not allowed)."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    allowed, refused = (f"http://127.0.0.1:{server.server_address[1]}" for server in servers)
    yield allowed, refused
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def job(
    live_server_factory: Callable[..., Any],
    fake_anthropic: Any,
    page_origins: tuple[str, str],
    api_body: dict[str, str],
) -> dict[str, Any]:
    """A job created on a live server that allows the first page origin only."""
    server = live_server_factory(
        LLM_PROVIDER="anthropic",
        ANTHROPIC_API_KEY="fake-test-key",
        ANTHROPIC_BASE_URL=fake_anthropic.base_url,
        ANTHROPIC_MODEL="claude-sonnet-4-20250514",
        JOB_CORS_ALLOWED_ORIGINS=page_origins[0],
    )
    key = server.manage("create_api_key", "cors-tests", env=server.env).strip().splitlines()[-1]
    response = httpx.post(
        f"{server.url}/api/v1/jobs", json=api_body, headers={"X-API-Key": key}, timeout=10
    )
    assert response.status_code == 202, response.text
    return dict(response.json())


def _open(browser: Any, origin: str, job: dict[str, Any]) -> dict[str, Any]:
    """Open the integrator page on origin for this job; what it saw once it has finished."""
    context = browser.new_context()
    try:
        page = context.new_page()
        query = urlencode({"stream": job["stream_url"], "result": job["result_url"]})
        page.goto(f"{origin}/?{query}")
        page.wait_for_function("window.finished", timeout=WAIT_MS)
        seen: dict[str, Any] = page.evaluate(
            "({events: window.events, errors: window.errors, result: window.result})"
        )
        return seen
    finally:
        context.close()


def _replay(stream_url: str) -> list[dict[str, Any]]:
    """Every event of the job as a same-origin client reads it again (from the record)."""
    events = []
    with httpx.stream("GET", stream_url, timeout=10) as response:
        event_id = ""
        for line in response.iter_lines():
            if line.startswith("id:"):
                event_id = line[3:].strip()
            elif line.startswith("data:"):
                events.append({"id": event_id, "data": json.loads(line[5:])})
    return events


def test_a_page_on_an_allowed_origin_gets_every_event_through_done(
    browser: Any, fake_anthropic: Any, page_origins: tuple[str, str], job: dict[str, Any]
) -> None:
    chunks = [DEFAULT_REPLY_TEXT[i : i + 40] for i in range(0, len(DEFAULT_REPLY_TEXT), 40)]
    fake_anthropic.enqueue(FakeReply(chunks=chunks, chunk_delay=0.02))
    seen = _open(browser, page_origins[0], job)
    events = seen["events"]
    assert events[0]["data"]["type"] == "start" and events[-1]["data"]["type"] == "done"
    text = "".join(e["data"]["content"] for e in events if e["data"]["type"] == "chunk")
    assert text == DEFAULT_REPLY_TEXT
    assert seen["errors"] == []
    assert events == _replay(job["stream_url"])  # every event, ids included, none twice
    assert seen["result"]["status"] == 200  # fetch(result_url) is allowed too
    assert (
        seen["result"]["body"]["optimized_resume"]
        == events[-1]["data"]["result"]["optimized_resume"]
    )


def test_a_page_on_an_origin_not_allowed_gets_an_error_and_no_event(
    browser: Any, page_origins: tuple[str, str], job: dict[str, Any]
) -> None:
    seen = _open(browser, page_origins[1], job)
    assert seen["events"] == []
    assert seen["errors"]  # EventSource's error event: the browser refused the answer
    assert "error" in seen["result"]  # and fetch(result_url) is a TypeError, not a response
