"""Settings: safe defaults, malformed values fail naming the variable, deploy checks pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


def run_check(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    clean.update(VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("CACHE_TTL_SECONDS", "an hour"),
        ("CACHE_TTL_SECONDS", "0"),
        ("LLM_MAX_TOKENS", "-5"),
        ("LLM_TEMPERATURE", "warm"),
        ("REDIS_URL", "localhost:6379"),
        ("DATABASE_URL", "nonsense://x"),
        ("LLM_PROVIDER", "openai"),
        ("LLM_PRICES", "[1, 2]"),
        ("GROUNDING_MODE", "lenient"),
        ("API_RATE_LIMIT_PER_MINUTE", "lots"),
    ],
)
def test_a_malformed_value_fails_naming_the_variable(tmp_path: Path, name: str, value: str) -> None:
    result = run_check(tmp_path, **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_anthropic_provider_without_a_key_fails(tmp_path: Path) -> None:
    result = run_check(tmp_path, LLM_PROVIDER="anthropic", ANTHROPIC_API_KEY="")
    assert result.returncode != 0 and "ANTHROPIC_API_KEY" in result.stderr


def test_a_fresh_checkout_needs_no_variables(tmp_path: Path) -> None:
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").exists()  # generated once, kept for the next start


def test_check_deploy_is_clean_behind_a_tls_proxy(tmp_path: Path) -> None:
    result = run_check(
        tmp_path,
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY="k" * 20 + "-a-long-random-production-secret-key-0123456789",
        SECURE_SSL="True",
        SECURE_PROXY_SSL_HEADER="True",
        ALLOWED_HOSTS="resumes.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "security.W" not in result.stdout + result.stderr
