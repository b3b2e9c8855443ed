"""The benchmark harness keeps working: `python -m bench --smoke` runs end to end and writes every
section of its JSON with sane values. No timing is asserted here (speed belongs to the benchmark
itself, whose targets the full run reports)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.servers import redis_reachable

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.live


def positive(value: Any) -> bool:
    return isinstance(value, int | float) and value > 0


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not redis_reachable("127.0.0.1", 6379) and shutil.which("redis-server") is None:
        pytest.skip("no Redis on 127.0.0.1:6379 and no redis-server to start")
    out = tmp_path_factory.mktemp("bench") / "smoke.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,  # about 2 min on a quiet machine, more on a loaded one
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return dict(json.loads(out.read_text()))


def test_every_section_is_present(report: dict[str, Any]) -> None:
    expected = {
        "meta", "cost", "value_bytes", "miss_latency", "hit_latency", "throughput",
        "streaming", "concurrent_streams", "floors", "variants", "targets", "hit_miss_ratio",
        "scale", "analysis", "streamed_hit", "capacity",
    }  # fmt: skip
    assert expected <= set(report)
    assert report["meta"]["mode"] == "smoke"
    assert report["meta"]["machine"]["nproc"] >= 1


def test_the_analysis_is_timed_on_30000_character_resumes(report: dict[str, Any]) -> None:
    rows = report["analysis"]
    assert len(rows) == 4
    for row in rows.values():
        assert row["chars"] >= 29_000 and positive(row["p50_ms"]) and row["budget_ms"] == 150
        # the part after the text is a part of the whole (the original was read before)
        assert 0 < row["after_text_ms"] <= row["p50_ms"]


def test_cost_scenario_makes_one_upstream_call(report: dict[str, Any]) -> None:
    cost = report["cost"]
    assert cost["ok"] == 10
    assert cost["upstream_calls"] == 1
    assert cost["cached_responses"] == 9
    assert positive(cost["cost_usd"])
    assert cost["cost_without_cache_usd"] == pytest.approx(cost["cost_usd"] * 10)


def test_latency_rows_have_numbers_and_no_errors(report: dict[str, Any]) -> None:
    rows = [
        report["hit_latency"]["c1"],
        report["hit_latency"]["c16"],
        *(report["throughput"][w][c] for w in ("w1", "w2") for c in ("c16", "c64")),
        *(report["floors"][f][c] for f in ("asgi_redis", "django_empty") for c in ("c1", "c16")),
    ]
    for variant in report["variants"].values():
        rows += [variant["c1"], variant["c16"]]
    assert set(report["variants"]) == {
        "product", "stock_handler", "django_middleware", "cache_aget_read", "all_django_defaults"
    }  # fmt: skip
    for row in rows:
        assert row["server_failures"] == {}, row  # counted from the servers' logs
        assert row["errors"] == 0, row
        assert positive(row["rps"]) and positive(row["p50_ms"]), row
        assert row["p50_ms"] <= row["p99_ms"], row
    for row in report["miss_latency"].values():
        assert row["errors"] == 0 and row["n"] > 0 and positive(row["p50_ms"]), row
    assert positive(report["hit_miss_ratio"])
    assert positive(report["floors"]["hit_vs_asgi_floor"])
    assert positive(report["floors"]["hit_vs_django_floor"])
    assert positive(report["value_bytes"])
    streamed = report["streamed_hit"]
    assert streamed["errors"] == 0 and positive(streamed["p50_ms"])
    assert streamed["chunks_per_stream"] > 0  # a streamed hit replays its chunks


def test_streams_relay_every_chunk_without_errors(report: dict[str, Any]) -> None:
    streaming = report["streaming"]
    assert streaming["server_failures"] == {} and streaming["errors"] == 0
    assert streaming["relay_ms"]["n"] >= streaming["streams"]
    assert streaming["ttfc_ms"]["p50_ms"] >= streaming["upstream_first_token_ms"]
    rows = report["concurrent_streams"]
    assert len(rows) == 2  # the plan's level, and again at the faster chunk interval
    for data in rows.values():
        assert data["errors"] == 0, (data["error_samples"], data["server_failures"])
        assert data["peak_open_streams"] == data["streams"]
        assert data["upstream_calls"] == data["streams"]
        assert data["relay_ms"]["n"] > 0
        assert data["done_after_last_chunk_ms"]["n"] == data["streams"]
        assert positive(data["rss_peak_mb"]) and positive(data["worker_cpu_s"])


def test_capacity_steps_up_until_a_step_fails(report: dict[str, Any]) -> None:
    capacity = report["capacity"]
    steps = capacity["steps"]
    assert steps and steps[0]["streams"] == 5
    assert all(step["passed"] for step in steps[:-1])
    passed = [step["chunks_per_second"] for step in steps if step["passed"]]
    assert capacity["chunks_per_second"] == (max(passed) if passed else 0)


def test_targets_are_reported(report: dict[str, Any]) -> None:
    targets = report["targets"]
    assert len(targets) >= 11  # issue 8's and issue 19's (the 100-stream ones need that level)
    assert "hit_p50_c1_vs_django_floor" in targets and "streams_20_relay_p99_ms" in targets
    for target in targets.values():
        assert isinstance(target["met"], bool)
        assert target["value"] is not None


def test_scale_rows_fan_out_to_one_call_and_recover_from_a_kill(report: dict[str, Any]) -> None:
    scale = report["scale"]
    fan_out = scale["fan_out"]
    assert fan_out["errors"] == 0 and fan_out["upstream_calls"] == 1
    assert fan_out["identical_results"]
    cross = scale["cross_worker"]
    assert cross["errors"] == 0 and cross["n"] == cross["viewers"] * cross["events"]
    assert positive(cross["p50_ms"])
    recovery = scale["recovery"]
    assert recovery["upstream_calls"] == 2  # the killed run and the one that finished
    assert positive(recovery["restart_after_s"]) and positive(recovery["done_after_s"])
