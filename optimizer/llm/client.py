"""LLM providers: Claude through the official SDK, and the offline engine.

(OpenAI-compatible servers, LLM_PROVIDER=openai_compatible: llm/openai_client.py.)

Both expose the same two calls on an LLMRequest:
  generate(request) -> LLMResponse                  (one shot)
  stream(request)   -> async iterator of str deltas, then exactly one LLMUsage (last)
Every SDK failure becomes an LLMError that says whether it is worth retrying. The SDK's own
retries are off (max_retries=0): llm/retry.py owns the one retry budget.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
import weakref
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any, Protocol

import anthropic
import httpx
import httpx2
from django.conf import settings

from optimizer.llm import ratelimit
from optimizer.llm.errors import LLMError


@dataclass(frozen=True)
class LLMRequest:
    prompt: str
    system_prompt: str
    model: str
    max_tokens: int
    temperature: float | None = None
    # The raw inputs, for providers that work on them directly (the offline engine).
    resume: str = ""
    job_description: str = ""
    output_language: str = ""  # asked for (prompts.OUTPUT_LANGUAGES); "" = the resume's own
    kind: str = "resume"  # or a letter (letters.KINDS), which the offline engine writes itself
    tone: str = ""
    company: str = ""
    # This attempt's timeout in seconds; None: the provider's (LLM_TIMEOUT_SECONDS). The
    # pipeline doubles it for the attempt after a timeout (services._open_stream).
    timeout: float | None = None


@dataclass(frozen=True)
class LLMUsage:
    input_tokens: int  # not counting the prompt-cache tokens below (Anthropic's own split)
    output_tokens: int
    model: str
    stop_reason: str | None = None
    cache_creation_input_tokens: int = 0  # prompt prefix written to Anthropic's prompt cache
    cache_read_input_tokens: int = 0  # prompt prefix read from it
    # "batch": answered through the Message Batches API, priced at its discount (pricing.py)
    service_tier: str = ""


def usage_of(message: Any) -> LLMUsage:
    """The usage of an SDK Message (its prompt-cache counts may be absent or null)."""
    usage = message.usage
    return LLMUsage(
        usage.input_tokens,
        usage.output_tokens,
        message.model,
        message.stop_reason,
        getattr(usage, "cache_creation_input_tokens", None) or 0,
        getattr(usage, "cache_read_input_tokens", None) or 0,
    )


@dataclass(frozen=True)
class LLMResponse:
    text: str
    usage: LLMUsage


class Provider(Protocol):
    name: str

    async def generate(self, request: LLMRequest) -> LLMResponse: ...

    def stream(self, request: LLMRequest) -> AsyncGenerator[str | LLMUsage, None]: ...


# -- error translation -----------------------------------------------------------------------

_STATUS_CODES = {
    400: "upstream_bad_request",
    401: "llm_auth",
    403: "llm_auth",
    404: "upstream_not_found",
    408: "upstream_timeout",
    409: "upstream_conflict",
    413: "upstream_request_too_large",
    429: "upstream_rate_limited",
    529: "upstream_overloaded",
}
_RETRYABLE_STREAM_TYPES = {"overloaded_error", "api_error", "rate_limit_error", "timeout_error"}


def _retry_after(headers: Any) -> float | None:
    """Seconds from retry-after-ms or retry-after (number or HTTP date); None when absent."""
    if headers is None:
        return None
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(float(ms) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(parsed.timestamp() - time.time(), 0.0) if parsed else None


# The SDK wraps a timeout while it waits for the response headers as APITimeoutError; one while
# it reads the stream's body (the model went quiet mid-answer) reaches us as the raw transport
# error, or as an APIConnectionError caused by it.
_TIMEOUTS = (anthropic.APITimeoutError, httpx.TimeoutException, httpx2.TimeoutException)


def _is_timeout(error: BaseException) -> bool:
    cause: BaseException | None = error
    for _ in range(8):  # a cause chain is short; the bound guards against a cycle
        if cause is None:
            return False
        if isinstance(cause, _TIMEOUTS):
            return True
        cause = cause.__cause__
    return False


def _timeout_error(timeout: float | None) -> LLMError:
    base = settings.LLM_TIMEOUT_SECONDS
    seconds = base if timeout is None else timeout
    why = "LLM_TIMEOUT_SECONDS" if seconds == base else f"a retry; LLM_TIMEOUT_SECONDS is {base:g}"
    return LLMError(
        f"The model did not answer within {seconds:g} s ({why})",
        retryable=True,
        code="upstream_timeout",
    )


def translate_error(error: BaseException, *, timeout: float | None = None) -> LLMError:
    """Map an SDK or transport exception onto one LLMError.

    timeout: the provider's LLM_TIMEOUT_SECONDS, named in a timeout's message (default: settings).
    """
    if isinstance(error, LLMError):
        return error
    if _is_timeout(error):
        return _timeout_error(timeout)
    if isinstance(error, anthropic.APIConnectionError):
        return LLMError(
            "Could not reach the LLM upstream", retryable=True, code="upstream_connection"
        )
    if isinstance(error, anthropic.APIStatusError):
        status = error.status_code
        kind = getattr(error, "type", None)
        detail = getattr(error, "api_message", None) or kind or f"HTTP {status}"
        if status == 200:  # an `error` event inside a stream that had started
            return LLMError(
                f"Upstream stream failed: {detail}",
                retryable=kind in _RETRYABLE_STREAM_TYPES,
                status=status,
                code="upstream_overloaded"
                if kind == "overloaded_error"
                else "upstream_stream_error",
            )
        headers = error.response.headers if error.response is not None else None
        retryable = status in (408, 409, 429) or status >= 500
        should = headers.get("x-should-retry") if headers is not None else None
        if should in ("true", "false"):
            retryable = should == "true"
        if status in (401, 403):
            message = "LLM not configured correctly (the upstream refused our credentials)"
        elif status == 400:
            message = f"The LLM rejected the request: {detail}"
        else:
            message = f"LLM upstream error {status}: {detail}"
        return LLMError(
            message,
            retryable=retryable,
            status=status,
            code=_STATUS_CODES.get(status, "upstream_error"),
            retry_after=_retry_after(headers),
            limited_until=ratelimit.exhausted_until(headers),
        )
    if isinstance(error, httpx2.HTTPError | httpx.HTTPError | ConnectionError | TimeoutError):
        return LLMError(
            f"Upstream connection failed: {type(error).__name__}: {error}",
            retryable=True,
            code="upstream_connection",
        )
    return LLMError(f"Unexpected upstream failure: {type(error).__name__}", code="upstream_error")


_SDK_ERRORS = (anthropic.AnthropicError, httpx2.HTTPError, httpx.HTTPError, OSError, TimeoutError)
SDK_ERRORS = _SDK_ERRORS  # what a call through the SDK may raise (translate_error maps each)


# -- Claude ------------------------------------------------------------------------------------


class AnthropicProvider:
    name = "anthropic"

    def __init__(self, api_key: str, base_url: str | None = None, timeout: float = 120.0) -> None:
        self.api_key = api_key
        self.base_url = base_url
        self.timeout = timeout
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )

    def _client(self) -> anthropic.AsyncAnthropic:
        # An async HTTP pool belongs to the loop that created it: one client per loop.
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = anthropic.AsyncAnthropic(
                api_key=self.api_key,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=0,
            )
            self._clients[loop] = client
        return client

    def client(self) -> anthropic.AsyncAnthropic:
        """This event loop's SDK client (the Message Batches calls use it: optimizer/batches)."""
        return self._client()

    def wire_body(self, request: LLMRequest) -> dict[str, Any]:
        """The Messages API body of a call, as it goes on the wire (a Message Batch request's
        params): temperature in the body, where a live call passes it through extra_body."""
        params = self._params(request)
        params.update(params.pop("extra_body", {}))
        return params

    def _params(self, request: LLMRequest) -> dict[str, Any]:
        system: str | list[dict[str, Any]] = request.system_prompt
        if settings.LLM_PROMPT_CACHING:
            # The fixed system prompt is the same prefix on every call: marked for Anthropic's
            # prompt cache, later calls pay the cache-read price for it (pricing.py).
            system = [
                {
                    "type": "text",
                    "text": request.system_prompt,
                    "cache_control": {"type": "ephemeral"},
                }
            ]
        params: dict[str, Any] = {
            "model": request.model,
            "max_tokens": request.max_tokens,
            "system": system,
            "messages": [{"role": "user", "content": request.prompt}],
        }
        if request.temperature is not None:
            # SDK 2.13 has no temperature argument; it goes on the wire through extra_body.
            params["extra_body"] = {"temperature": request.temperature}
        return params

    async def generate(self, request: LLMRequest) -> LLMResponse:
        timeout = request.timeout or self.timeout
        try:
            message = await self._client().messages.create(**self._params(request), timeout=timeout)
        except _SDK_ERRORS as error:
            raise translate_error(error, timeout=timeout) from error
        text = "".join(block.text for block in message.content if block.type == "text")
        return LLMResponse(text, usage_of(message))

    async def stream(self, request: LLMRequest) -> AsyncGenerator[str | LLMUsage, None]:
        """Text deltas as they arrive, then the usage. Closing this iterator closes the stream.

        The raw event stream (`create(stream=True)`), not the `messages.stream()` helper: the
        helper rebuilds a snapshot of the whole message on every event, which cost ~70 µs a
        chunk of a worker's CPU (3.5 ms a 50-chunk answer, measured in-process). The usage
        comes from message_start's message, updated by each message_delta as the helper
        does."""
        timeout = request.timeout or self.timeout
        message: Any = None
        try:
            stream = await self._client().messages.create(
                **self._params(request), stream=True, timeout=timeout
            )
            async with stream:
                # A budget at 0 in the answer's rate-limit headers: the next calls wait for it.
                until = ratelimit.exhausted_until(stream.response.headers)
                await ratelimit.note(self.name, request.model, until)
                async for event in stream:
                    if event.type == "content_block_delta":
                        if event.delta.type == "text_delta" and event.delta.text:
                            yield event.delta.text
                    elif event.type == "message_start":
                        message = event.message
                    elif event.type == "message_delta" and message is not None:
                        _apply_delta(message, event)
        except _SDK_ERRORS as error:
            raise translate_error(error, timeout=timeout) from error
        yield usage_of(message) if message is not None else LLMUsage(0, 0, request.model)


def _apply_delta(message: Any, event: Any) -> None:
    """A message_delta on the message so far: its stop reason, the output tokens so far and, on
    newer API versions, updated input counts (what the SDK's stream helper does)."""
    message.stop_reason = event.delta.stop_reason or message.stop_reason
    for name in (
        "input_tokens",
        "output_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
    ):
        value = getattr(event.usage, name, None)
        if value is not None:
            setattr(message.usage, name, value)


# -- offline -----------------------------------------------------------------------------------


class OfflineProvider:
    """A deterministic optimizer that needs no key and no network (optimizer/offline)."""

    name = "offline"

    async def generate(self, request: LLMRequest) -> LLMResponse:
        from optimizer.offline.engine import OFFLINE_MODEL_NAME, optimize_offline

        if request.kind != "resume":
            from optimizer.offline.letters import write_letter

            text = write_letter(
                request.resume,
                request.job_description,
                request.kind,
                request.company,
                request.tone,
            )
            return LLMResponse(text, LLMUsage(0, 0, OFFLINE_MODEL_NAME, "end_turn"))
        text = optimize_offline(request.resume, request.job_description)
        if request.output_language:
            from optimizer.llm.prompts import OUTPUT_LANGUAGES

            name = OUTPUT_LANGUAGES.get(request.output_language, request.output_language)
            text = text.replace(
                "CHANGES MADE\n",
                f"CHANGES MADE\n- Not translated into {name}: the offline engine keeps the "
                "resume's own language (translating needs Claude or another model)\n",
                1,
            )
        return LLMResponse(text, LLMUsage(0, 0, OFFLINE_MODEL_NAME, "end_turn"))

    async def stream(self, request: LLMRequest) -> AsyncGenerator[str | LLMUsage, None]:
        response = await self.generate(request)
        # Line by line, so the page shows it arriving the same way as a model's answer.
        for line in response.text.splitlines(keepends=True):
            yield line
            await asyncio.sleep(0)
        yield response.usage


_provider: Provider | None = None


def get_provider() -> Provider:
    """The provider chosen by settings (LLM_PROVIDER, ANTHROPIC_API_KEY), created once."""
    global _provider
    if _provider is None:
        if settings.LLM_PROVIDER == "anthropic":
            _provider = AnthropicProvider(
                settings.ANTHROPIC_API_KEY,
                settings.ANTHROPIC_BASE_URL,
                settings.LLM_TIMEOUT_SECONDS,
            )
        elif settings.LLM_PROVIDER == "openai_compatible":
            from optimizer.llm.openai_client import OpenAICompatibleProvider

            _provider = OpenAICompatibleProvider.from_settings()
        else:
            _provider = OfflineProvider()
    return _provider


def reset_provider() -> None:
    global _provider
    _provider = None


def model_name() -> str:
    if settings.LLM_PROVIDER == "offline":
        from optimizer.offline.engine import OFFLINE_MODEL_NAME

        return OFFLINE_MODEL_NAME
    if settings.LLM_PROVIDER == "openai_compatible":
        return str(settings.LLM_MODEL)
    return str(settings.ANTHROPIC_MODEL)
