"""Models users run themselves: any server that speaks OpenAI's chat completions.

Ollama, LM Studio, vLLM, llama.cpp's server or a hosted OpenAI-compatible API, through the
official `openai` SDK (https://github.com/openai/openai-python). Same two calls as the Claude
provider (llm/client.py): generate() and stream() (text deltas, then one LLMUsage), and every
failure becomes an LLMError that names the server. The SDK's own retries are off: llm/retry.py
owns the one retry budget.

Reasoning models served this way (Qwen3, DeepSeek-R1 on older Ollama or llama.cpp builds) may
open their answer with a <think>...</think> block: it is dropped from the stream, so that the
resume, its validation and its grounding check see the answer only.

Servers differ in what they accept: a model that rejects `temperature` (reasoning models, some
hosted ones) or `response_format` (LM Studio refuses `json_object`), or a server that does not
know `stream_options`, answers 400 naming the parameter. The request is then sent once more
without it, and the provider leaves it out from then on.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncGenerator
from typing import Any

import httpx
import httpx2
import openai
from django.conf import settings

from optimizer.llm.client import (
    _STATUS_CODES,
    LLMRequest,
    LLMResponse,
    LLMUsage,
    _is_timeout,
    _retry_after,
)
from optimizer.llm.errors import LLMError
from optimizer.llm.servers import display_url

logger = logging.getLogger(__name__)

# The request parameters a server may refuse that the answer does without. `max_tokens` is not
# one: a 400 about it is usually the context length, which dropping it would not fix.
OPTIONAL_PARAMETERS = ("temperature", "response_format", "stream_options")

# OpenAI's finish_reason in the pipeline's (Anthropic's) words: "max_tokens" marks a truncated
# answer, which is never cached.
_STOP_REASONS = {"stop": "end_turn", "length": "max_tokens"}
_RETRYABLE_STREAM_TYPES = {"server_error", "api_error", "overloaded_error", "rate_limit_error"}

_SDK_ERRORS = (openai.OpenAIError, httpx2.HTTPError, httpx.HTTPError, OSError, TimeoutError)


def _detail(error: openai.APIStatusError | openai.APIError) -> str:
    """The server's own words: OpenAI's {"error": {"message": ...}}, or LM Studio's
    {"error": "..."}, or the raw body."""
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            inner = inner.get("message") or inner
        if isinstance(inner, str) and inner:
            return inner
    if isinstance(body, str) and body.strip():
        return body.strip()[:300]
    return error.message


def rejected_parameter(error: openai.BadRequestError, sent: dict[str, Any]) -> str | None:
    """The optional parameter a 400 names (its `param`, else its text), if we sent it."""
    candidates = [name for name in OPTIONAL_PARAMETERS if name in sent]
    if error.param in candidates:
        return error.param
    text = f"{error.message} {error.body}".lower()
    return next((name for name in candidates if name in text), None)


def translate_openai_error(error: BaseException, *, server: str, timeout: float) -> LLMError:
    """Map an openai SDK or transport exception onto one LLMError that names the server."""
    if isinstance(error, LLMError):
        return error
    if _is_timeout(error):
        return LLMError(
            f"The model at {server} did not answer in {timeout:g} s (LLM_TIMEOUT_SECONDS"
            f"{'' if timeout == settings.LLM_TIMEOUT_SECONDS else ' doubled for a retry'})",
            retryable=True,
            code="upstream_timeout",
        )
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        headers = error.response.headers if error.response is not None else None
        retryable = status in (408, 409, 429) or status >= 500
        should = headers.get("x-should-retry") if headers is not None else None
        if should in ("true", "false"):
            retryable = should == "true"
        detail = _detail(error)
        if status in (401, 403):
            message = f"The model server at {server} refused our credentials (LLM_API_KEY)"
        elif status == 404:
            message = f"The model server at {server} has no such model or path: {detail}"
        elif status == 400:
            message = f"The model at {server} rejected the request: {detail}"
        else:
            message = f"The model server at {server} answered {status}: {detail}"
        return LLMError(
            message,
            retryable=retryable,
            status=status,
            code=_STATUS_CODES.get(status, "upstream_error"),
            retry_after=_retry_after(headers),
        )
    if isinstance(error, openai.APIConnectionError) or isinstance(
        error, httpx2.HTTPError | httpx.HTTPError | ConnectionError
    ):
        return LLMError(
            f"Could not reach the model at {server} (is the server running?)",
            retryable=True,
            code="upstream_connection",
        )
    if isinstance(error, openai.APIError):  # an error inside a stream that had started
        return LLMError(
            f"The model at {server} failed mid-answer: {_detail(error)}",
            retryable=error.type in _RETRYABLE_STREAM_TYPES,
            status=200,
            code="upstream_stream_error",
        )
    return LLMError(f"Unexpected upstream failure: {type(error).__name__}", code="upstream_error")


class OpenAICompatibleProvider:
    name = "openai_compatible"

    def __init__(self, base_url: str, api_key: str = "", timeout: float = 120.0) -> None:
        self.base_url = base_url
        self.server = display_url(base_url)
        # The SDK insists on a key; local servers ignore it. Never the environment's
        # OPENAI_API_KEY: that would send a hosted API's key to whatever server this is.
        self.api_key = api_key or "unused"
        self.timeout = timeout
        self.unsupported: set[str] = set()  # parameters this server refused; left out now
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )

    @classmethod
    def from_settings(cls) -> OpenAICompatibleProvider:
        return cls(settings.LLM_BASE_URL, settings.LLM_API_KEY, settings.LLM_TIMEOUT_SECONDS)

    def _client(self) -> openai.AsyncOpenAI:
        # An async HTTP pool belongs to the loop that created it: one client per loop.
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = openai.AsyncOpenAI(
                api_key=self.api_key,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=0,
            )
            self._clients[loop] = client
        return client

    def _params(self, request: LLMRequest, *, stream: bool) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": request.model,
            "max_tokens": request.max_tokens,
            "messages": [
                {"role": "system", "content": request.system_prompt},
                {"role": "user", "content": request.prompt},
            ],
        }
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if stream:
            params["stream"] = True
            params["stream_options"] = {"include_usage": True}  # token counts in the last chunk
        for name in self.unsupported:
            params.pop(name, None)
        return params

    async def _create(self, request: LLMRequest, *, stream: bool) -> Any:
        """One chat completion; a 400 naming an optional parameter is sent again without it."""
        params = self._params(request, stream=stream)
        if request.timeout:
            params["timeout"] = request.timeout  # the SDK's per-request option, not a body field
        while True:
            try:
                return await self._client().chat.completions.create(**params)
            except openai.BadRequestError as error:
                name = rejected_parameter(error, params)
                if name is None:
                    raise
                logger.warning(
                    "The model at %s refused %s (%s): sending without it from now on",
                    self.server,
                    name,
                    _detail(error),
                )
                self.unsupported.add(name)
                del params[name]

    async def generate(self, request: LLMRequest) -> LLMResponse:
        try:
            completion = await self._create(request, stream=False)
        except _SDK_ERRORS as error:
            raise self._error(error, request.timeout) from error
        choice = completion.choices[0] if completion.choices else None
        thoughts = ThinkFilter()
        text = thoughts.feed((choice.message.content or "") if choice else "") + thoughts.finish()
        usage = completion.usage
        return LLMResponse(
            text,
            LLMUsage(
                usage.prompt_tokens if usage else 0,
                usage.completion_tokens if usage else 0,
                completion.model or request.model,
                _stop_reason(choice.finish_reason if choice else None),
            ),
        )

    async def stream(self, request: LLMRequest) -> AsyncGenerator[str | LLMUsage, None]:
        """Text deltas as they arrive, then the usage. Closing this iterator closes the stream."""
        usage: Any = None
        model = ""
        finish: str | None = None
        thoughts = ThinkFilter()
        try:
            response = await self._create(request, stream=True)
            async with response:
                async for chunk in response:
                    model = chunk.model or model
                    usage = chunk.usage or usage
                    for choice in chunk.choices:
                        finish = choice.finish_reason or finish
                        if choice.delta and choice.delta.content:
                            if text := thoughts.feed(choice.delta.content):
                                yield text
            if text := thoughts.finish():
                yield text
        except _SDK_ERRORS as error:
            raise self._error(error, request.timeout) from error
        # A server that ignores stream_options reports no usage: 0 tokens, not a guess.
        yield LLMUsage(
            usage.prompt_tokens if usage else 0,
            usage.completion_tokens if usage else 0,
            model or request.model,
            _stop_reason(finish),
        )

    def _error(self, error: BaseException, timeout: float | None = None) -> LLMError:
        return translate_openai_error(error, server=self.server, timeout=timeout or self.timeout)


class ThinkFilter:
    """Drops a <think>...</think> block that opens an answer, as the deltas arrive: text is
    held back only while it could still be the start of one."""

    OPEN, CLOSE = "<think>", "</think>"

    def __init__(self) -> None:
        self._held = ""
        self._state = "start"  # start -> thinking -> answer, or start -> answer

    def feed(self, delta: str) -> str:
        if self._state == "answer":
            return delta
        self._held += delta
        if self._state == "start":
            opening = self._held.lstrip()
            if opening.startswith(self.OPEN):
                self._state = "thinking"
                self._held = opening[len(self.OPEN) :]
            elif self.OPEN.startswith(opening):
                return ""  # empty, or "<thi": wait for more
            else:
                self._state = "answer"
                held, self._held = self._held, ""
                return held
        end = self._held.find(self.CLOSE)
        if end < 0:
            # Keep only what could be the start of </think>: the thoughts can be long.
            self._held = self._held[-len(self.CLOSE) :]
            return ""
        self._state = "answer"
        rest, self._held = self._held[end + len(self.CLOSE) :].lstrip(), ""
        return rest

    def finish(self) -> str:
        """What is still held back when the answer ends (a short answer, never thoughts)."""
        held, self._held = self._held, ""
        return held if self._state == "start" else ""


def _stop_reason(finish_reason: str | None) -> str | None:
    if finish_reason is None:
        return None
    return _STOP_REASONS.get(finish_reason, finish_reason)
