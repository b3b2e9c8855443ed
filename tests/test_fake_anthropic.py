"""The fake Anthropic server, driven through the real ``anthropic`` SDK over HTTP."""

from __future__ import annotations

import asyncio
import os
import re
import select
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anthropic
import httpx
import httpx2
import pytest

from optimizer.analysis import check_grounding
from optimizer.testing.fake_anthropic import (
    DEFAULT_REPLY_TEXT,
    FakeAnthropicServer,
    FakeReply,
    chunk_timestamp,
    split_chunks,
    strip_timestamp_markers,
    timestamp_marker,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
MESSAGES: list[Any] = [{"role": "user", "content": "Optimize my resume"}]


@pytest.fixture
async def client(fake_anthropic: FakeAnthropicServer) -> AsyncIterator[anthropic.AsyncAnthropic]:
    async with anthropic.AsyncAnthropic(
        api_key="test", base_url=fake_anthropic.base_url, max_retries=0
    ) as c:
        yield c


async def _stream_texts(client: anthropic.AsyncAnthropic, into: list[str]) -> None:
    async with client.messages.stream(model="claude-test", max_tokens=100, messages=MESSAGES) as s:
        async for text in s.text_stream:
            into.append(text)


def test_it_has_a_realistic_default_reply() -> None:
    assert len(DEFAULT_REPLY_TEXT) >= 600
    for heading in (
        "OPTIMIZED RESUME\n",
        "\nSKILLS\n",
        "\nCHANGES MADE\n",
        "\nEXPECTED IMPROVEMENT\n",
    ):
        assert heading in DEFAULT_REPLY_TEXT
    chunks = split_chunks(DEFAULT_REPLY_TEXT)
    assert "".join(chunks) == DEFAULT_REPLY_TEXT
    assert len(chunks) > 100


def test_it_splits_text_keeping_whitespace() -> None:
    assert split_chunks("  Hello  world\n\nbye") == ["  ", "Hello  ", "world\n\n", "bye"]
    assert FakeReply(text="a b").reply_chunks == ["a ", "b"]
    with pytest.raises(ValueError, match="disagree"):
        FakeReply(text="ab", chunks=["a", "c"])


async def test_it_answers_create_and_records_the_request(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic
) -> None:
    message = await client.messages.create(
        model="claude-sonnet-4-20250514",
        max_tokens=4096,
        system="You are an ATS expert.",
        messages=MESSAGES,
        extra_body={"temperature": 0.2},
    )

    assert message.content[0].type == "text"
    assert message.content[0].text == DEFAULT_REPLY_TEXT
    assert message.model == "claude-sonnet-4-20250514"
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens == 2500
    assert message.usage.output_tokens == len(split_chunks(DEFAULT_REPLY_TEXT))
    assert message._request_id is not None and message._request_id.startswith("req_")

    assert fake_anthropic.calls == 1
    rec = fake_anthropic.last_request
    assert (rec.method, rec.path, rec.stream) == ("POST", "/v1/messages", False)
    assert rec.headers["authorization"] == "Bearer test"
    assert rec.body == {
        "model": "claude-sonnet-4-20250514",
        "max_tokens": 4096,
        "system": "You are an ATS expert.",
        "messages": MESSAGES,
        "temperature": 0.2,
    }
    assert (rec.status, rec.outcome, rec.request_id) == (200, "completed", message._request_id)


async def test_it_streams_the_scripted_chunks(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic
) -> None:
    chunks = ["OPTIMIZED ", "RESUME\n", "Jane", " Doe"]
    fake_anthropic.enqueue(FakeReply(chunks=chunks, input_tokens=1234, model="claude-other"))

    async with client.messages.stream(model="claude-test", max_tokens=100, messages=MESSAGES) as s:
        seen = [text async for text in s.text_stream]
        final = await s.get_final_message()

    assert seen == chunks
    assert final.content[0].type == "text"
    assert final.content[0].text == "OPTIMIZED RESUME\nJane Doe"
    assert (final.usage.input_tokens, final.usage.output_tokens) == (1234, 4)
    assert (final.model, final.stop_reason) == ("claude-other", "end_turn")
    rec = fake_anthropic.last_request
    assert rec.stream and rec.body["stream"] is True
    assert rec.headers["x-stainless-helper-method"] == "stream"
    assert rec.outcome == "completed" and len(rec.chunk_sent_at) == 4
    assert fake_anthropic.open_streams == 0


async def test_it_sends_events_in_the_documented_order_for_create_stream_true(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic
) -> None:
    fake_anthropic.enqueue(
        FakeReply(chunks=["Hel", "lo"], output_tokens=7, stop_reason="max_tokens")
    )

    stream = await client.messages.create(
        model="claude-test", max_tokens=100, messages=MESSAGES, stream=True
    )
    events = [event async for event in stream]

    # The SDK drops `ping` itself; everything else arrives in wire order.
    assert [e.type for e in events] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    start, delta = events[0], events[5]
    assert start.type == "message_start" and start.message.usage.output_tokens == 1
    assert [e.delta.text for e in events if e.type == "content_block_delta"] == ["Hel", "lo"]  # type: ignore[union-attr]
    assert delta.type == "message_delta"
    assert (delta.delta.stop_reason, delta.usage.output_tokens) == ("max_tokens", 7)


async def test_it_honours_first_token_and_chunk_delays(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic
) -> None:
    fake_anthropic.enqueue(
        FakeReply(chunks=["a", "b", "c", "d"], first_token_delay=0.2, chunk_delay=0.05)
    )

    seen: list[str] = []
    await _stream_texts(client, seen)

    assert seen == ["a", "b", "c", "d"]
    rec = fake_anthropic.last_request
    assert rec.headers_sent_at is not None
    first_gap = rec.chunk_sent_at[0] - rec.headers_sent_at
    gaps = [b - a for a, b in zip(rec.chunk_sent_at, rec.chunk_sent_at[1:], strict=False)]
    assert 0.19 <= first_gap < 2.0
    assert len(gaps) == 3 and all(0.045 <= g < 1.0 for g in gaps)


async def test_it_delays_a_non_streaming_reply_as_long_as_the_stream_would_take(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic
) -> None:
    fake_anthropic.enqueue(
        FakeReply(chunks=["a", "b", "c"], first_token_delay=0.1, chunk_delay=0.05)
    )

    message = await client.messages.create(model="m", max_tokens=10, messages=MESSAGES)

    rec = fake_anthropic.last_request
    assert message.content[0].type == "text" and message.content[0].text == "abc"
    assert rec.headers_sent_at is not None
    assert 0.19 <= rec.headers_sent_at - rec.received_at < 2.0


@pytest.mark.parametrize(
    ("status", "exc_class", "error_type"),
    [
        (400, anthropic.BadRequestError, "invalid_request_error"),
        (401, anthropic.AuthenticationError, "authentication_error"),
        (403, anthropic.PermissionDeniedError, "permission_error"),
        (404, anthropic.NotFoundError, "not_found_error"),
        (413, anthropic.RequestTooLargeError, "request_too_large"),
        (429, anthropic.RateLimitError, "rate_limit_error"),
        (500, anthropic.InternalServerError, "api_error"),
        (503, anthropic.InternalServerError, "api_error"),
        (529, anthropic.OverloadedError, "overloaded_error"),
    ],
)
async def test_it_maps_error_statuses_to_sdk_exceptions(
    fake_anthropic: FakeAnthropicServer,
    client: anthropic.AsyncAnthropic,
    status: int,
    exc_class: type[anthropic.APIStatusError],
    error_type: str,
) -> None:
    fake_anthropic.fail(status)

    with pytest.raises(exc_class) as excinfo:
        await client.messages.create(model="m", max_tokens=10, messages=MESSAGES)

    e = excinfo.value
    assert e.status_code == status
    assert e.type == error_type
    assert e.request_id is not None and e.request_id.startswith("req_")
    assert e.response.headers["content-type"] == "application/json"
    assert fake_anthropic.last_request.outcome == "http_error"


async def test_it_sends_retry_after_headers_on_429(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic
) -> None:
    fake_anthropic.fail(429, retry_after="2")
    fake_anthropic.enqueue(FakeReply(status=429, headers={"retry-after-ms": "1200"}))

    with pytest.raises(anthropic.RateLimitError) as first:
        await client.messages.create(model="m", max_tokens=10, messages=MESSAGES)
    with pytest.raises(anthropic.RateLimitError) as second:
        await client.messages.create(model="m", max_tokens=10, messages=MESSAGES)

    assert first.value.response.headers["retry-after"] == "2"
    assert second.value.response.headers["retry-after-ms"] == "1200"


async def test_it_uses_the_queue_in_order_then_the_default(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic
) -> None:
    fake_anthropic.fail(529, times=2)

    with pytest.raises(anthropic.OverloadedError) as excinfo:
        await client.messages.create(model="m", max_tokens=10, messages=MESSAGES)
    assert excinfo.value.type == "overloaded_error"
    # messages.stream() sends the request on entering `async with`, so the error is raised there.
    with pytest.raises(anthropic.OverloadedError):
        async with client.messages.stream(model="m", max_tokens=10, messages=MESSAGES):
            pytest.fail("the stream must not open")
    message = await client.messages.create(model="m", max_tokens=10, messages=MESSAGES)

    assert message.content[0].type == "text" and message.content[0].text == DEFAULT_REPLY_TEXT
    assert fake_anthropic.calls == 3
    assert [r.status for r in fake_anthropic.requests] == [529, 529, 200]


@pytest.mark.parametrize("error_type", ["overloaded_error", "api_error"])
async def test_it_sends_an_in_stream_error_after_n_chunks(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic, error_type: str
) -> None:
    fake_anthropic.enqueue(
        FakeReply(chunks=["a", "b", "c", "d"], error_after_chunks=2, error_type=error_type)
    )

    seen: list[str] = []
    with pytest.raises(anthropic.APIStatusError) as excinfo:
        await _stream_texts(client, seen)

    e = excinfo.value
    assert type(e) is anthropic.APIStatusError  # classed by HTTP status (200), not by error.type
    assert (e.status_code, e.type) == (200, error_type)
    assert seen == ["a", "b"]
    assert fake_anthropic.calls == 1
    assert fake_anthropic.last_request.outcome == "error_event"


async def test_it_drops_the_connection_mid_stream(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic
) -> None:
    fake_anthropic.enqueue(FakeReply(chunks=["a", "b", "c", "d"], drop_after_chunks=3))

    seen: list[str] = []
    # The SDK does not wrap a broken stream body: the raw transport error escapes.
    with pytest.raises(httpx2.RemoteProtocolError):
        await _stream_texts(client, seen)

    assert seen == ["a", "b", "c"]
    assert fake_anthropic.last_request.outcome == "dropped"
    assert fake_anthropic.open_streams == 0


async def test_it_drops_a_non_streaming_body_which_the_sdk_wraps(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic
) -> None:
    fake_anthropic.enqueue(FakeReply(drop_after_chunks=0))

    with pytest.raises(anthropic.APIConnectionError) as excinfo:
        await client.messages.create(model="m", max_tokens=10, messages=MESSAGES)

    assert isinstance(excinfo.value.__cause__, httpx2.RemoteProtocolError)


async def test_it_counts_a_client_that_closes_the_stream_early(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic
) -> None:
    fake_anthropic.enqueue(FakeReply(chunks=["x"] * 100, chunk_delay=0.05))

    async with client.messages.stream(model="m", max_tokens=10, messages=MESSAGES) as s:
        async for _text in s.text_stream:
            assert fake_anthropic.open_streams == 1
            break

    assert await fake_anthropic.wait_for_async(lambda: fake_anthropic.disconnects == 1)
    assert await fake_anthropic.wait_for_async(lambda: fake_anthropic.open_streams == 0)
    rec = fake_anthropic.last_request
    assert rec.outcome == "disconnected"
    assert len(rec.chunk_sent_at) < 100


async def test_it_stamps_chunks_with_the_send_time(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic
) -> None:
    fake_anthropic.enqueue(
        FakeReply(chunks=["a ", "b ", "c"], timestamp_chunks=True, chunk_delay=0.02)
    )

    seen: list[str] = []
    await _stream_texts(client, seen)
    received_at = time.time()

    assert all(re.fullmatch(r"⟦ts=\d+\.\d{6}⟧.+", text, re.S) for text in seen)
    clean, stamps = strip_timestamp_markers("".join(seen))
    assert clean == "a b c"
    rec = fake_anthropic.last_request
    assert rec.received_at <= stamps[0] <= stamps[1] <= stamps[2] <= received_at


async def test_invisible_stamps_carry_the_time_and_leave_the_analysis_nothing_to_read(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic
) -> None:
    # A benchmark's stamps must not cost the product work a real resume would not: the visible
    # marker's "ts" and number were flagged claims in every chunk.
    chunks = ["Senior Python Developer\n", "- Cut costs by 10%\n"]
    fake_anthropic.enqueue(
        FakeReply(chunks=chunks, timestamp_chunks=True, invisible_timestamps=True)
    )
    seen: list[str] = []
    await _stream_texts(client, seen)
    stamps = [chunk_timestamp(text) for text in seen]
    assert None not in stamps and stamps == sorted(stamps)
    assert fake_anthropic.last_request.received_at <= stamps[0] <= time.time()
    clean, read = strip_timestamp_markers("".join(seen))
    assert clean == "".join(chunks) and read == stamps
    original = "Jane Doe\nSenior Python Developer\n- Cut costs by 10%\n"
    assert check_grounding(original, "".join(seen)) == check_grounding(original, clean) == []
    assert chunk_timestamp(timestamp_marker(1767225600.25)) == 1767225600.25


async def test_it_rejects_requests_without_credentials(fake_anthropic: FakeAnthropicServer) -> None:
    body = {"model": "m", "max_tokens": 10, "messages": MESSAGES}
    async with httpx2.AsyncClient(base_url=fake_anthropic.base_url) as http:
        missing = await http.post("/v1/messages", json=body)
        with_key = await http.post("/v1/messages", json=body, headers={"x-api-key": "k"})

    assert missing.status_code == 401
    assert missing.headers["content-type"] == "application/json"
    assert missing.headers["request-id"].startswith("req_")
    assert missing.json()["error"]["type"] == "authentication_error"
    assert missing.json()["request_id"] == missing.headers["request-id"]
    assert with_key.status_code == 200 and with_key.json()["type"] == "message"
    assert fake_anthropic.calls == 2


async def test_it_rejects_an_invalid_body_through_the_sdk(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic
) -> None:
    fake_anthropic.enqueue(FakeReply(text="kept for the next valid request"))

    with pytest.raises(anthropic.BadRequestError) as excinfo:
        await client.messages.create(
            model="m", max_tokens=10, messages=MESSAGES, extra_body={"max_tokens": "ten"}
        )
    message = await client.messages.create(model="m", max_tokens=10, messages=MESSAGES)

    assert excinfo.value.type == "invalid_request_error"
    assert "max_tokens" in str(excinfo.value)
    assert message.content[0].type == "text"
    assert message.content[0].text == "kept for the next valid request"


async def test_it_serves_under_a_base_url_prefix(fake_anthropic: FakeAnthropicServer) -> None:
    async with anthropic.AsyncAnthropic(
        api_key="test", base_url=f"{fake_anthropic.base_url}/proxy/anthropic", max_retries=0
    ) as c:
        message = await c.messages.create(model="m", max_tokens=10, messages=MESSAGES)

    assert message.content[0].type == "text"
    assert fake_anthropic.last_request.path == "/proxy/anthropic/v1/messages"


async def test_it_answers_unknown_paths_with_404(fake_anthropic: FakeAnthropicServer) -> None:
    async with httpx.AsyncClient(base_url=fake_anthropic.base_url) as http:
        r = await http.get("/v1/models")

    assert r.status_code == 404
    assert r.json()["error"]["type"] == "not_found_error"
    assert fake_anthropic.calls == 0


async def test_it_can_be_scripted_over_http(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic
) -> None:
    async with httpx.AsyncClient(base_url=fake_anthropic.base_url) as http:
        r = await http.post(
            "/_fake/enqueue",
            json=[{"status": 529}, {"chunks": ["from ", "http"], "input_tokens": 9}],
        )
        assert r.status_code == 200 and r.json() == {"ok": True, "queued": 2}
        assert (await http.put("/_fake/default", json={"text": "new default"})).status_code == 200
        bad = await http.post("/_fake/enqueue", json=[{"txet": "typo"}])
        assert bad.status_code == 400 and "txet" in bad.json()["error"]["message"]

        with pytest.raises(anthropic.OverloadedError):
            await client.messages.create(model="m", max_tokens=10, messages=MESSAGES)
        scripted = await client.messages.create(model="m", max_tokens=10, messages=MESSAGES)
        default = await client.messages.create(model="m", max_tokens=10, messages=MESSAGES)

        stats = (await http.get("/_fake/stats")).json()
        recorded = (await http.get("/_fake/requests")).json()
        assert (await http.post("/_fake/reset")).json() == {"ok": True}
        after_reset = (await http.get("/_fake/stats")).json()

    assert scripted.content[0].type == "text" and scripted.content[0].text == "from http"
    assert scripted.usage.input_tokens == 9
    assert default.content[0].type == "text" and default.content[0].text == "new default"
    idle = {"in_flight": 0, "batches": 0, "batch_requests": 0}
    assert stats == {
        "calls": 3,
        "disconnects": 0,
        "open_streams": 0,
        "queued": 0,
        "max_in_flight": 1,  # one at a time (a 529 is refused before it is in flight)
        **idle,
    }
    assert [r["status"] for r in recorded] == [529, 200, 200]
    assert after_reset == {
        "calls": 0,
        "disconnects": 0,
        "open_streams": 0,
        "queued": 0,
        "max_in_flight": 0,
        **idle,
    }
    assert fake_anthropic.default.text is None  # reset() restores the constructor's default


def test_it_works_with_the_sync_client_and_as_a_context_manager() -> None:
    with FakeAnthropicServer(default=FakeReply(text="sync hello")) as fake:
        with anthropic.Anthropic(api_key="sync-key", base_url=fake.base_url, max_retries=0) as c:
            message = c.messages.create(model="m", max_tokens=10, messages=MESSAGES)
            with c.messages.stream(model="m", max_tokens=10, messages=MESSAGES) as s:
                streamed = list(s.text_stream)

        assert message.content[0].type == "text" and message.content[0].text == "sync hello"
        assert streamed == ["sync ", "hello"]
        assert fake.requests[0].headers["x-stainless-async"] == "false"
        assert fake.calls == 2
    with httpx.Client() as http, pytest.raises(httpx.ConnectError):
        http.get(f"{fake.base_url}/_fake/stats")


def test_it_wait_for_returns_false_on_timeout(fake_anthropic: FakeAnthropicServer) -> None:
    started = time.monotonic()
    assert fake_anthropic.wait_for(lambda: fake_anthropic.calls == 1, timeout=0.05) is False
    assert time.monotonic() - started < 1.0


def test_it_runs_from_the_command_line(tmp_path: Path) -> None:
    text_file = tmp_path / "reply.txt"
    text_file.write_text("OPTIMIZED RESUME\nfrom a file\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "optimizer.testing.fake_anthropic", "--port", "0"]
    cmd += ["--text-file", str(text_file), "--input-tokens", "77", "--chunk-delay", "0.001"]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    with subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            ready, _, _ = select.select([proc.stdout], [], [], 10)
            assert ready, "the CLI printed nothing within 10 s"
            first_line = proc.stdout.readline()
            match = re.search(r"http://127\.0\.0\.1:(\d+)", first_line)
            assert match, first_line
            assert "ANTHROPIC_BASE_URL=" in proc.stdout.readline()

            with anthropic.Anthropic(api_key="fake", base_url=match.group(0), max_retries=0) as c:
                message = c.messages.create(model="m", max_tokens=10, messages=MESSAGES)

            assert message.content[0].type == "text"
            assert message.content[0].text == "OPTIMIZED RESUME\nfrom a file\n"
            assert message.usage.input_tokens == 77
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0


async def test_it_serves_concurrent_streams_each_with_its_own_reply(
    fake_anthropic: FakeAnthropicServer, client: anthropic.AsyncAnthropic
) -> None:
    fake_anthropic.enqueue(
        *(FakeReply(chunks=[f"{n}a", f"{n}b"], chunk_delay=0.1) for n in range(3))
    )
    results: list[list[str]] = [[], [], []]

    async def reader(index: int) -> None:
        await _stream_texts(client, results[index])

    tasks = [asyncio.create_task(reader(i)) for i in range(3)]
    assert await fake_anthropic.wait_for_async(lambda: fake_anthropic.open_streams == 3)
    await asyncio.gather(*tasks)

    assert sorted(results) == [["0a", "0b"], ["1a", "1b"], ["2a", "2b"]]
    assert fake_anthropic.open_streams == 0


async def test_it_cuts_open_streams_when_stopped() -> None:
    fake = FakeAnthropicServer(default=FakeReply(chunks=["x"] * 100, chunk_delay=0.05))
    fake.start()
    try:
        async with anthropic.AsyncAnthropic(
            api_key="test", base_url=fake.base_url, max_retries=0
        ) as c:
            async with c.messages.stream(model="m", max_tokens=10, messages=MESSAGES) as s:
                texts = s.text_stream
                assert await texts.__anext__() == "x"
                started = time.monotonic()
                await asyncio.to_thread(fake.stop)
                assert time.monotonic() - started < 3.0
                with pytest.raises(httpx2.RemoteProtocolError):
                    async for _text in texts:
                        pass
    finally:
        fake.stop()
    assert fake.requests[0].outcome == "stopped"
    assert fake.disconnects == 0


async def test_it_speaks_the_message_batches_api_to_the_sdk(fake_anthropic: Any) -> None:
    """create, retrieve (in_progress, then ended) and the JSONL results, as the SDK reads them."""
    fake_anthropic.batch_polls_to_end = 1
    fake_anthropic.enqueue(
        FakeReply(text="first answer", input_tokens=7, output_tokens=3),
        FakeReply(status=529),
        FakeReply(batch_result="expired"),
    )
    params = {"model": "m", "max_tokens": 10, "messages": MESSAGES}
    requests = [{"custom_id": f"item-{i}", "params": params} for i in range(3)]
    async with anthropic.AsyncAnthropic(
        api_key="k", base_url=fake_anthropic.base_url, max_retries=0
    ) as client:
        created = await client.messages.batches.create(requests=requests)  # type: ignore[arg-type]
        assert created.id.startswith("msgbatch_") and created.processing_status == "in_progress"
        assert created.request_counts.processing == 3 and created.results_url is None
        assert (await client.messages.batches.retrieve(created.id)).processing_status == (
            "in_progress"
        )
        ended = await client.messages.batches.retrieve(created.id)
        assert ended.processing_status == "ended" and ended.results_url
        assert ended.request_counts.succeeded == 1 and ended.request_counts.errored == 1
        assert ended.request_counts.expired == 1
        lines = [line async for line in await client.messages.batches.results(created.id)]
        with pytest.raises(anthropic.BadRequestError):  # a request the API refuses
            await client.messages.batches.create(
                requests=[{"custom_id": "bad id!", "params": params}]
            )  # type: ignore[list-item]
        with pytest.raises(anthropic.NotFoundError):
            await client.messages.batches.retrieve("msgbatch_nope")
    by_id = {line.custom_id: line.result for line in lines}
    assert by_id["item-0"].type == "succeeded"
    message = by_id["item-0"].message  # type: ignore[union-attr]
    assert message.content[0].text == "first answer" and message.usage.output_tokens == 3
    assert message.usage.service_tier == "batch"
    assert by_id["item-1"].type == "errored"
    assert by_id["item-1"].error.error.type == "overloaded_error"  # type: ignore[union-attr]
    assert by_id["item-2"].type == "expired"
    assert fake_anthropic.calls == 0 and fake_anthropic.batch_requests == 3
