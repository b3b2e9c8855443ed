"""A fake OpenAI chat-completions server: what Ollama, LM Studio or vLLM look like to the SDK.

The same server and scripting as the fake Anthropic one (optimizer/testing/fake_anthropic.py):
``FakeReply`` objects queued per request, with delays, HTTP error statuses and headers, an
in-stream error after N chunks, a dropped connection, the ``/_fake/...`` control endpoints and
``calls``/``requests``/``disconnects``. Only the wire format differs: ``POST .../chat/completions``
answers a ``chat.completion`` JSON, or with ``"stream": true`` ``chat.completion.chunk`` SSE
frames, a last chunk with ``usage`` when ``stream_options.include_usage`` asks for it, then
``data: [DONE]``. An in-stream error is a ``data: {"error": {...}}`` frame, which the ``openai``
SDK raises as ``APIError``; errors before the body are ``{"error": {"message", "type", "param",
"code"}}`` with the reply's status.

Models that refuse a parameter: ``reject_parameters("temperature")`` makes every request that
carries it fail with 400 ``Unsupported parameter: 'temperature'`` (``param`` set, as OpenAI
does); ``reject_parameters("response_format", style="lmstudio")`` answers as LM Studio does, a
bare ``{"error": "'response_format.type' must be 'json_schema' or 'text'"}`` that names no param.

In process (tests)::

    with FakeOpenAIServer() as fake:
        fake.enqueue(FakeReply(chunks=["Hel", "lo"]), FakeReply(status=503))
        client = openai.AsyncOpenAI(api_key="x", base_url=fake.base_url + "/v1", max_retries=0)

From a shell (a demo without Ollama)::

    python -m optimizer.testing.fake_openai --port 11435 --chunk-delay 0.02
    LLM_PROVIDER=openai_compatible LLM_BASE_URL=http://127.0.0.1:11435/v1 LLM_MODEL=llama3.1:8b ...
"""

from __future__ import annotations

import argparse
import re
import time
import uuid
from typing import Any

from optimizer.testing.fake_anthropic import (
    _CONTROL_PATH_RE,
    FakeAnthropicServer,
    FakeReply,
    Receive,
    Scope,
    Send,
    _DropConnection,
    _Exchange,
    _header_dict,
    _json_bytes,
    _read_body,
    _send_json_body,
    _start,
    serve_until_stopped,
)

__all__ = ["OPENAI_ERROR_TYPES", "FakeOpenAIServer", "main"]

_CHAT_PATH_RE = re.compile(r"^(?:/.*)?/chat/completions/?$")

# The error.type OpenAI sends per status; OpenAI-compatible servers mostly copy it.
OPENAI_ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "invalid_request_error",
    404: "invalid_request_error",
    429: "rate_limit_error",
    500: "server_error",
    503: "server_error",
}
_MESSAGES = {
    400: "Invalid request",
    401: "Incorrect API key provided",
    404: "The model does not exist",
    429: "Rate limit reached for requests",
    500: "The server had an error while processing your request",
    503: "The engine is currently overloaded, please try again later",
}
# FakeReply.stop_reason is in the pipeline's words; the wire speaks OpenAI's.
_FINISH_REASONS = {"end_turn": "stop", "max_tokens": "length"}
# FakeReply.error_type default is Anthropic's; a stream error here uses OpenAI's name for it.
_STREAM_ERROR_TYPES = {"overloaded_error": "server_error", "api_error": "server_error"}


class FakeOpenAIServer(FakeAnthropicServer):
    """``/v1/chat/completions`` served by uvicorn on a background thread (thread-safe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rejected: dict[str, str] = {}  # parameter -> style

    def reject_parameters(self, *names: str, style: str = "openai") -> None:
        """Answer 400 to every request that carries one of ``names`` (until ``reset()``)."""
        with self._cond:
            self._rejected.update(dict.fromkeys(names, style))

    def reset(self) -> None:
        with self._cond:
            self._rejected.clear()
        super().reset()

    async def _app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        method: str = scope["method"]
        if control := _CONTROL_PATH_RE.match(path):
            await self._control(control.group(1), method, receive, send)
        elif _CHAT_PATH_RE.match(path) and method == "POST":
            await self._chat(scope, _header_dict(scope), receive, send)
        else:
            await _send_openai_error(send, 404, f"Not found: {method} {path}")

    async def _chat(
        self, scope: Scope, headers: dict[str, str], receive: Receive, send: Send
    ) -> None:
        raw = await _read_body(receive)
        body, ex = self._record(scope, headers, raw, send, f"chatcmpl-{uuid.uuid4().hex[:20]}")
        with self._cond:
            rejected = dict(self._rejected)

        if (problem := _invalid_chat_body(body)) is not None:
            self._settle(ex, "http_error", 400)
            await _send_openai_error(send, 400, problem)
            return
        for name, style in rejected.items():
            if name in body:
                self._settle(ex, "http_error", 400)
                if style == "lmstudio":
                    error = {"error": f"'{name}.type' must be 'json_schema' or 'text'"}
                    await _send_json_body(send, 400, error)
                else:
                    message = f"Unsupported parameter: '{name}' is not supported with this model."
                    await _send_openai_error(send, 400, message, param=name)
                return

        with self._cond:
            reply = self._queue.popleft() if self._queue else self._default
        if reply.status != 200:
            self._settle(ex, "http_error", reply.status)
            await _send_openai_error(
                send, reply.status, reply.error_message, extra_headers=reply.headers
            )
            return

        ex.reply = reply
        ex.model = reply.model or body["model"]
        if ex.rec.stream:
            usage = (body.get("stream_options") or {}).get("include_usage") is True
            await self._answer(ex, receive, lambda ex: self._send_chat_stream(ex, usage))
        else:
            await self._answer(ex, receive, self._send_chat_json)

    async def _send_chat_json(self, ex: _Exchange) -> str:
        reply, send = ex.reply, ex.send
        n = len(reply.reply_chunks)
        await self._pause(reply.first_token_delay + reply.chunk_delay * max(n - 1, 0), ex.abort)
        if outcome := self._aborted(ex.abort):
            return outcome
        if reply.error_after_chunks is not None:
            self._settle(ex, "http_error", 500)
            await _send_openai_error(send, 500, reply.error_message, extra_headers=reply.headers)
            return "http_error"
        completion = {
            **_envelope(ex, "chat.completion"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.reply_text},
                    "finish_reason": _FINISH_REASONS.get(reply.stop_reason, reply.stop_reason),
                }
            ],
            "usage": _usage(reply),
        }
        payload = _json_bytes(completion)
        hdrs = {"content-type": "application/json", "content-length": str(len(payload))}
        await _start(send, 200, ex.rec.request_id, {**hdrs, **reply.headers})
        ex.rec.headers_sent_at = time.time()
        if reply.drop_after_chunks is not None:
            await send(
                {
                    "type": "http.response.body",
                    "body": payload[: len(payload) // 2],
                    "more_body": True,
                }
            )
            raise _DropConnection("drop_after_chunks")
        self._settle(ex, "completed")
        await send({"type": "http.response.body", "body": payload})
        return "completed"

    async def _send_chat_stream(self, ex: _Exchange, include_usage: bool) -> str:
        reply, rec, send, abort = ex.reply, ex.rec, ex.send, ex.abort
        hdrs = {"content-type": "text/event-stream", "cache-control": "no-cache"}
        await _start(send, 200, rec.request_id, {**hdrs, **reply.headers})
        with self._cond:
            self._open_streams += 1
            ex.stream_open = True
            rec.headers_sent_at = time.time()
            self._cond.notify_all()

        async def frame(data: Any, last: bool = False) -> str | None:
            encoded = data if isinstance(data, bytes) else _json_bytes(data)
            payload = b"data: " + encoded + b"\n\n"
            await send({"type": "http.response.body", "body": payload, "more_body": not last})
            return self._aborted(abort)

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            choice = {"index": 0, "delta": delta, "finish_reason": finish}
            return {**_envelope(ex, "chat.completion.chunk"), "choices": [choice]}

        if outcome := await frame(chunk({"role": "assistant", "content": ""})):
            return outcome
        chunks = reply.reply_chunks
        for i in range(len(chunks) + 1):
            if i == reply.error_after_chunks:
                kind = _STREAM_ERROR_TYPES.get(reply.error_type, reply.error_type)
                error = {"message": reply.error_message or "Stream failed", "type": kind}
                self._settle(ex, "error_event")
                await frame({"error": error}, last=True)
                return "error_event"
            if i == reply.drop_after_chunks:
                raise _DropConnection("drop_after_chunks")
            if i == len(chunks):
                break
            await self._pause(reply.first_token_delay if i == 0 else reply.chunk_delay, abort)
            if outcome := self._aborted(abort):
                return outcome
            outcome = await frame(chunk({"content": chunks[i]}))
            with self._cond:
                rec.chunk_sent_at.append(time.time())
                self._cond.notify_all()
            if outcome:
                return outcome
        finish = _FINISH_REASONS.get(reply.stop_reason, reply.stop_reason)
        if outcome := await frame(chunk({}, finish)):
            return outcome
        if include_usage:
            last = {**_envelope(ex, "chat.completion.chunk"), "choices": [], "usage": _usage(reply)}
            if outcome := await frame(last):
                return outcome
        self._settle(ex, "completed")
        await frame(b"[DONE]", last=True)
        return "completed"


def _invalid_chat_body(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "request body must be a JSON object"
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "you must provide a model parameter"
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        return "'messages' is a required property"
    if "stream" in body and not isinstance(body["stream"], bool):
        return "'stream' must be a boolean"
    return None


def _envelope(ex: _Exchange, kind: str) -> dict[str, Any]:
    return {"id": ex.rec.request_id, "object": kind, "created": int(time.time()), "model": ex.model}


def _usage(reply: FakeReply) -> dict[str, int]:
    output = reply.total_output_tokens
    return {
        "prompt_tokens": reply.input_tokens,
        "completion_tokens": output,
        "total_tokens": reply.input_tokens + output,
    }


async def _send_openai_error(
    send: Send,
    status: int,
    message: str | None = None,
    *,
    param: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> None:
    error = {
        "message": message or _MESSAGES.get(status, "Error"),
        "type": OPENAI_ERROR_TYPES.get(status, "server_error"),
        "param": param,
        "code": "unsupported_parameter" if param else None,
    }
    await _send_json_body(send, status, {"error": error}, extra_headers=extra_headers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m optimizer.testing.fake_openai",
        description="Run a fake OpenAI chat-completions server (an Ollama stand-in).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11435, help="0 picks a free port")
    parser.add_argument("--first-token-delay", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--chunk-delay", type=float, default=0.0, metavar="SECONDS")
    args = parser.parse_args(argv)
    default = FakeReply(first_token_delay=args.first_token_delay, chunk_delay=args.chunk_delay)
    server = FakeOpenAIServer(host=args.host, port=args.port, default=default)
    return serve_until_stopped(
        server,
        "Fake OpenAI-compatible server on {url}/v1",
        "Point the product at it:  LLM_PROVIDER=openai_compatible LLM_BASE_URL={url}/v1 "
        "LLM_MODEL=llama3.1:8b",
    )


if __name__ == "__main__":
    raise SystemExit(main())
