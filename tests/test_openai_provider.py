"""LLM_PROVIDER=openai_compatible: the pipeline through the real openai SDK against the fake
OpenAI chat-completions server over HTTP (stream, no stream, errors, timeout, retry, refused
parameters, the cache kept apart per provider), and where it shows which model answered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.test import AsyncClient, Client
from django.urls import reverse
from samples import JOB, RESUME
from test_settings import run_check

from optimizer import services
from optimizer.llm.client import LLMRequest, get_provider
from optimizer.llm.errors import LLMError
from optimizer.llm.openai_client import display_url
from optimizer.models import Optimization
from optimizer.testing.fake_anthropic import DEFAULT_REPLY_TEXT, FakeReply, split_chunks

pytestmark = pytest.mark.django_db

REQUEST = services.OptimizeRequest(RESUME, JOB)


async def run(**kwargs: Any) -> list[Any]:
    return [event async for event in services.stream(REQUEST, **kwargs)]


def done_result(events: list[Any]) -> dict[str, Any]:
    assert events[-1].type == "done", events[-1].data
    result: dict[str, Any] = events[-1].data["result"]
    return result


# -- streaming and one-shot ----------------------------------------------------------------------


async def test_it_streams_an_answer_through_the_openai_sdk(use_openai: Any) -> None:
    use_openai.enqueue(FakeReply(input_tokens=812, output_tokens=345))
    events = await run()
    chunks = [e.data["content"] for e in events if e.type == "chunk"]
    assert len(chunks) > 10 and "".join(chunks) == DEFAULT_REPLY_TEXT
    usage = done_result(events)["usage_stats"]
    assert usage["provider"] == "openai_compatible" and usage["model"] == "llama3.1:8b"
    assert (usage["input_tokens"], usage["output_tokens"]) == (812, 345)  # the usage chunk
    assert usage["cost_usd"] == 0.0  # a server on this machine: free, not "unknown"
    sent = use_openai.last_request
    assert sent.path == "/v1/chat/completions" and sent.stream is True
    assert sent.body["stream_options"] == {"include_usage": True}
    assert [m["role"] for m in sent.body["messages"]] == ["system", "user"]
    assert RESUME.split("\n")[0] in sent.body["messages"][1]["content"]
    assert sent.body["max_tokens"] == 4096 and "temperature" not in sent.body


async def test_it_never_sends_the_environments_openai_key(
    use_openai: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-a-real-hosted-key")
    await run()
    assert "sk-a-real-hosted-key" not in use_openai.last_request.headers.get("authorization", "")


async def test_it_sends_llm_api_key_when_set(use_openai: Any, settings: Any) -> None:
    settings.LLM_API_KEY = "vllm-secret"
    await run()
    assert use_openai.last_request.headers["authorization"] == "Bearer vllm-secret"


async def test_generate_answers_in_one_piece(use_openai: Any) -> None:
    use_openai.enqueue(FakeReply(text="Hello from a local model", stop_reason="max_tokens"))
    request = LLMRequest(prompt="p", system_prompt="s", model="llama3.1:8b", max_tokens=50)
    response = await get_provider().generate(request)
    assert response.text == "Hello from a local model"
    assert response.usage.stop_reason == "max_tokens"  # OpenAI's "length", in our words
    assert use_openai.last_request.stream is False


async def test_a_truncated_stream_is_flagged_and_not_cached(use_openai: Any) -> None:
    use_openai.set_default(FakeReply(stop_reason="max_tokens"))
    result = done_result(await run())
    assert result["is_valid"] is False and result["stop_reason"] == "max_tokens"
    await run()
    assert use_openai.calls == 2


async def test_a_reasoning_models_thoughts_are_dropped(use_openai: Any) -> None:
    thoughts = ["<th", "ink>", "The job wants ", "Django; the resume has it.", "</thi", "nk>\n\n"]
    use_openai.enqueue(FakeReply(chunks=[*thoughts, *split_chunks(DEFAULT_REPLY_TEXT)]))
    events = await run()
    text = "".join(e.data["content"] for e in events if e.type == "chunk")
    assert text == DEFAULT_REPLY_TEXT
    assert done_result(events)["optimized_resume"].startswith("Jane Doe")
    use_openai.enqueue(FakeReply(text="<think>short</think>Hello"))
    request = LLMRequest(prompt="p", system_prompt="s", model="qwen3:8b", max_tokens=50)
    assert (await get_provider().generate(request)).text == "Hello"


# -- errors, retries, timeouts -----------------------------------------------------------------


async def test_it_retries_a_503_then_succeeds(use_openai: Any) -> None:
    use_openai.fail(503, times=2)
    result = done_result(await run())
    assert use_openai.calls == 3 and result["usage_stats"]["attempts"] == 3


async def test_a_refused_key_is_not_retried_and_names_the_server(use_openai: Any) -> None:
    use_openai.fail(401)
    events = await run()
    assert events[-1].type == "error" and events[-1].data["code"] == "llm_auth"
    assert display_url(use_openai.base_url + "/v1") in events[-1].data["message"]
    assert use_openai.calls == 1


async def test_a_missing_model_says_so(use_openai: Any) -> None:
    use_openai.enqueue(
        FakeReply(status=404, error_message='model "llama3.1:8b" not found, try pulling it first')
    )
    error = (await run())[-1]
    assert error.data["code"] == "upstream_not_found"
    assert "try pulling it first" in error.data["message"] and use_openai.calls == 1


async def test_a_silent_model_times_out_with_a_clear_message(
    use_openai: Any, settings: Any
) -> None:
    settings.LLM_TIMEOUT_SECONDS = 0.3
    settings.LLM_RETRY_MAX_RETRIES = 0
    use_openai.enqueue(FakeReply(first_token_delay=5))
    error = (await run())[-1]
    assert error.type == "error" and error.data["code"] == "upstream_timeout"
    server = display_url(use_openai.base_url + "/v1")
    assert f"The model at {server} did not answer in 0.3 s" in error.data["message"]


async def test_a_stream_that_fails_mid_answer_is_reported_not_retried(use_openai: Any) -> None:
    use_openai.enqueue(FakeReply(error_after_chunks=3, error_message="CUDA out of memory"))
    events = await run()
    assert [e.type for e in events].count("chunk") == 3
    assert events[-1].type == "error" and "CUDA out of memory" in events[-1].data["message"]
    assert use_openai.calls == 1


async def test_an_error_before_the_first_chunk_is_retried(use_openai: Any) -> None:
    use_openai.enqueue(FakeReply(error_after_chunks=0))
    done_result(await run())
    assert use_openai.calls == 2


async def test_a_dropped_connection_is_a_connection_error(use_openai: Any) -> None:
    use_openai.enqueue(FakeReply(drop_after_chunks=2))
    error = (await run())[-1]
    assert error.type == "error" and error.data["code"] == "upstream_connection"


async def test_a_server_that_is_not_running_is_named(use_openai: Any, settings: Any) -> None:
    from conftest import free_port

    from optimizer.llm import client

    settings.LLM_BASE_URL = f"http://127.0.0.1:{free_port()}/v1"
    settings.LLM_RETRY_MAX_RETRIES = 1
    client.reset_provider()
    error = (await run())[-1]
    assert error.data["code"] == "upstream_connection"
    assert f"Could not reach the model at {settings.LLM_BASE_URL}" in error.data["message"]


# -- parameters a model refuses ----------------------------------------------------------------


async def test_a_refused_temperature_is_dropped_once_and_for_all(
    use_openai: Any, settings: Any
) -> None:
    settings.LLM_TEMPERATURE = 0.2
    use_openai.reject_parameters("temperature")
    done_result(await run())
    sent = [r.body for r in use_openai.requests]
    assert [("temperature" in body) for body in sent] == [True, False]
    settings.CACHE_ENABLED = False
    done_result(await run())  # the provider remembers: no second 400
    assert use_openai.calls == 3 and "temperature" not in use_openai.last_request.body


async def test_a_refusal_that_names_no_param_field_is_read_from_its_text(use_openai: Any) -> None:
    # LM Studio's shape: {"error": "'stream_options.type' must be ..."}, no `param`.
    use_openai.reject_parameters("stream_options", style="lmstudio")
    result = done_result(await run())
    assert use_openai.calls == 2 and "stream_options" not in use_openai.last_request.body
    assert result["usage_stats"]["input_tokens"] == 0  # no usage chunk without it: 0, no guess


async def test_a_400_about_something_else_is_not_retried(use_openai: Any) -> None:
    use_openai.enqueue(FakeReply(status=400, error_message="context length exceeded"))
    error = (await run())[-1]
    assert error.data["code"] == "upstream_bad_request" and use_openai.calls == 1
    assert "context length exceeded" in error.data["message"]


# -- cache, pricing, records -------------------------------------------------------------------


async def test_the_cache_keeps_providers_apart(
    use_openai: Any, fake_anthropic: Any, settings: Any
) -> None:
    from optimizer.llm import client

    done_result(await run())
    assert done_result(await run())["usage_stats"]["cached"] is True
    assert use_openai.calls == 1
    # Claude, under the very same model name: not the local model's answer.
    settings.LLM_PROVIDER = "anthropic"
    settings.ANTHROPIC_API_KEY = "fake-test-key"
    settings.ANTHROPIC_BASE_URL = fake_anthropic.base_url
    settings.ANTHROPIC_MODEL = "llama3.1:8b"
    client.reset_provider()
    result = done_result(await run())
    assert result["usage_stats"]["cached"] is False and fake_anthropic.calls == 1
    assert result["usage_stats"]["provider"] == "anthropic"


async def test_a_remote_server_without_a_price_reports_no_cost(
    use_openai: Any, settings: Any
) -> None:
    settings.LLM_BASE_URL = use_openai.base_url.replace("127.0.0.1", "localhost") + "/v1"
    from optimizer.llm.pricing import cost_usd, is_local_url

    assert is_local_url(settings.LLM_BASE_URL)
    assert not is_local_url("https://api.together.xyz/v1")
    settings.LLM_BASE_URL = "https://api.together.xyz/v1"
    assert cost_usd("llama3.1:8b", 1000, 1000) is None
    settings.LLM_PRICES = {"llama3.1:8b": [0.2, 0.6]}
    assert cost_usd("llama3.1:8b", 1_000_000, 1_000_000) == 0.8


@pytest.mark.django_db(transaction=True)
async def test_a_job_records_the_provider_and_model(use_openai: Any) -> None:
    job = await services.create_optimization(resume=RESUME, job_description=JOB)
    [event async for event in services.stream(REQUEST, optimization=job)]
    row = await Optimization.objects.aget(pk=job.pk)
    assert (row.provider, row.model, row.status) == ("openai_compatible", "llama3.1:8b", "done")


# -- where it shows ----------------------------------------------------------------------------


async def test_health_names_the_provider_model_and_server(use_openai: Any) -> None:
    data = (await AsyncClient().get("/api/v1/health")).json()
    assert data["provider"] == "openai_compatible" and data["model"] == "llama3.1:8b"
    assert data["llm_base_url"] == use_openai.base_url + "/v1" and data["llm_available"] is True


def test_the_footer_names_the_model_and_server(use_openai: Any, client: Client) -> None:
    html = client.get("/", HTTP_ACCEPT="text/html").content.decode()
    assert f"llama3.1:8b on the OpenAI-compatible server at {use_openai.base_url}/v1" in html


def test_the_admin_lists_the_provider(use_openai: Any, client: Client) -> None:
    User.objects.create_superuser("boss", "boss@example.com", "pw")
    client.login(username="boss", password="pw")
    Optimization.objects.create(
        resume_text=RESUME, job_description=JOB, provider="openai_compatible", model="qwen3:4b"
    )
    html = client.get(reverse("admin:optimizer_optimization_changelist")).content.decode()
    assert "openai_compatible" in html and "qwen3:4b" in html
    assert "?provider=openai_compatible" in html  # the filter


@pytest.mark.django_db(transaction=True)
async def test_the_result_page_says_which_provider_answered(use_openai: Any) -> None:
    job = await services.create_optimization(resume=RESUME, job_description=JOB)
    [event async for event in services.stream(REQUEST, optimization=job)]
    html = await sync_to_async(_job_page)(job)
    assert "llama3.1:8b" in html and "(openai_compatible)" in html


def _job_page(job: Optimization) -> str:
    client = Client()
    client.force_login(User.objects.create_superuser("staff", "staff@example.com", "pw"))
    return client.get(reverse("result", args=[job.pk])).content.decode()


# -- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"LLM_BASE_URL": "http://127.0.0.1:11434/v1"}, "LLM_MODEL"),
        ({"LLM_MODEL": "llama3.1:8b"}, "LLM_BASE_URL"),
        ({"LLM_MODEL": "llama3.1:8b", "LLM_BASE_URL": "127.0.0.1:11434"}, "LLM_BASE_URL"),
    ],
)
def test_openai_compatible_settings_are_checked_at_start(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = run_check(tmp_path, LLM_PROVIDER="openai_compatible", **env)
    assert result.returncode != 0 and named in result.stderr


def test_a_complete_openai_compatible_configuration_starts(tmp_path: Path) -> None:
    result = run_check(
        tmp_path,
        LLM_PROVIDER="openai_compatible",
        LLM_BASE_URL="http://127.0.0.1:11434/v1",
        LLM_MODEL="llama3.1:8b",
    )
    assert result.returncode == 0, result.stderr


def test_a_remote_model_without_a_price_is_a_start_up_warning(tmp_path: Path) -> None:
    env = {"LLM_MODEL": "meta-llama/Llama-3.3-70B", "LLM_BASE_URL": "https://api.example.com/v1"}
    result = run_check(tmp_path, LLM_PROVIDER="openai_compatible", **env)
    assert "optimizer.W001" in result.stderr + result.stdout
    assert "LLM_MODEL='meta-llama/Llama-3.3-70B'" in result.stderr + result.stdout


def test_a_base_url_without_the_provider_is_a_start_up_warning(tmp_path: Path) -> None:
    result = run_check(tmp_path, LLM_BASE_URL="http://127.0.0.1:11434/v1", LLM_PROVIDER="offline")
    assert result.returncode == 0
    assert "optimizer.W002" in result.stderr + result.stdout
    assert "LLM_PROVIDER=openai_compatible" in result.stderr + result.stdout


def test_it_translates_nothing_it_does_not_know() -> None:
    from optimizer.llm.openai_client import translate_openai_error

    error = translate_openai_error(ValueError("x"), server="http://h", timeout=1)
    assert isinstance(error, LLMError) and error.code == "upstream_error"


# -- the product started as an Ollama user starts it ------------------------------------------


@pytest.mark.live
def test_a_live_server_configured_for_ollama_answers_through_it(
    live_server_factory: Any, fake_openai: Any, api_body: dict[str, str]
) -> None:
    import httpx

    server = live_server_factory(
        LLM_PROVIDER="openai_compatible",
        LLM_BASE_URL=f"{fake_openai.base_url}/v1",
        LLM_MODEL="llama3.1:8b",
        LLM_TIMEOUT_SECONDS="600",
    )
    key = server.manage("create_api_key", "ollama-user", env=server.env).strip().splitlines()[-1]
    health = httpx.get(f"{server.url}/api/v1/health", timeout=10).json()
    assert (health["provider"], health["model"]) == ("openai_compatible", "llama3.1:8b")
    answer = httpx.post(
        f"{server.url}/api/v1/generate",
        json=api_body,
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    usage = answer.json()["usage_stats"]
    assert answer.status_code == 200 and usage["provider"] == "openai_compatible"
    assert usage["model"] == "llama3.1:8b" and usage["cost_usd"] == 0.0
    assert fake_openai.calls == 1 and fake_openai.last_request.stream is True
