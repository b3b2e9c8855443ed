"""The fake OpenAI chat-completions server, driven by the real openai SDK and over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest

from optimizer.testing.fake_anthropic import FakeReply
from optimizer.testing.fake_openai import FakeOpenAIServer


def sdk(fake: FakeOpenAIServer) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(api_key="x", base_url=f"{fake.base_url}/v1", max_retries=0)


MESSAGES: Any = [{"role": "user", "content": "hi"}]


async def test_it_streams_chunks_usage_and_done(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(FakeReply(chunks=["Hel", "lo"], input_tokens=7, model="qwen3:8b"))
    stream = await sdk(fake_openai).chat.completions.create(
        model="m", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    chunks = [chunk async for chunk in stream]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello" and chunks[-1].usage is not None
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (7, 2)
    assert {c.model for c in chunks} == {"qwen3:8b"}
    assert fake_openai.last_request.outcome == "completed" and fake_openai.open_streams == 0


async def test_it_answers_one_piece_and_errors_in_openais_shape(
    fake_openai: FakeOpenAIServer,
) -> None:
    fake_openai.enqueue(
        FakeReply(text="Hi there"), FakeReply(status=429, headers={"retry-after": "3"})
    )
    completion = await sdk(fake_openai).chat.completions.create(model="m", messages=MESSAGES)
    assert completion.choices[0].message.content == "Hi there"
    assert completion.choices[0].finish_reason == "stop"
    with pytest.raises(openai.RateLimitError) as caught:
        await sdk(fake_openai).chat.completions.create(model="m", messages=MESSAGES)
    assert caught.value.response.headers["retry-after"] == "3"
    assert isinstance(caught.value.body, dict) and caught.value.body["type"] == "rate_limit_error"


async def test_refused_parameters_last_until_reset(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.reject_parameters("temperature")
    with pytest.raises(openai.BadRequestError) as caught:
        await sdk(fake_openai).chat.completions.create(
            model="m", messages=MESSAGES, temperature=0.2
        )
    assert caught.value.param == "temperature"
    fake_openai.reset()
    await sdk(fake_openai).chat.completions.create(model="m", messages=MESSAGES, temperature=0.2)


def test_it_is_scripted_over_http(fake_openai: FakeOpenAIServer) -> None:
    url = fake_openai.base_url
    assert httpx.post(f"{url}/_fake/enqueue", json={"text": "from a script"}).json()["queued"] == 1
    body = {"model": "m", "messages": MESSAGES}
    answer = httpx.post(f"{url}/v1/chat/completions", json=body).json()
    assert answer["choices"][0]["message"]["content"] == "from a script"
    assert httpx.get(f"{url}/_fake/stats").json()["calls"] == 1
    assert httpx.post(f"{url}/v1/chat/completions", json={"model": "m"}).status_code == 400
