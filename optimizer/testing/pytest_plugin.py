"""Pytest fixtures for the fake Anthropic and OpenAI-compatible servers.

Load with ``pytest_plugins = ["optimizer.testing.pytest_plugin"]`` in ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from optimizer.testing.fake_anthropic import FakeAnthropicServer
from optimizer.testing.fake_openai import FakeOpenAIServer

FAKE_API_KEY = "fake-test-key"


@pytest.fixture(scope="session")
def fake_anthropic_server() -> Iterator[FakeAnthropicServer]:
    """One fake server for the whole session (start-up costs ~10 ms, but keep it cheap)."""
    server = FakeAnthropicServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_anthropic(
    fake_anthropic_server: FakeAnthropicServer, monkeypatch: pytest.MonkeyPatch
) -> FakeAnthropicServer:
    """The session's fake server, reset for this test, with the SDK's env vars pointing at it."""
    fake_anthropic_server.reset()
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_anthropic_server.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_API_KEY)
    return fake_anthropic_server


@pytest.fixture(scope="session")
def fake_openai_server() -> Iterator[FakeOpenAIServer]:
    """One fake OpenAI-compatible server for the whole session."""
    server = FakeOpenAIServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_openai(fake_openai_server: FakeOpenAIServer) -> FakeOpenAIServer:
    """The session's fake OpenAI-compatible server, reset for this test."""
    fake_openai_server.reset()
    return fake_openai_server
