"""The benchmark: `python -m bench` (full run, several minutes) or `python -m bench --smoke` (CI).

It starts everything itself on loopback (the fake Anthropic server, Redis if none runs, the
product and two floors under uvicorn), measures, prints a table and writes the same figures as
JSON to bench/results/latest.json. docs/performance.md explains every row.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import analysis, load, scale
from bench.failures import FailureCounter
from bench.servers import (
    BASE_DIR,
    PYTHON,
    Fake,
    Redis,
    RssSampler,
    Uvicorn,
    child_env,
    cpu_seconds,
    rss_bytes,
)
from bench.servers import raise_fd_limit as raise_fd_limit
from optimizer.testing.fake_anthropic import DEFAULT_REPLY_TEXT, split_chunks

RESULTS_DIR = BASE_DIR / "bench" / "results"
REDIS_DB = 14  # ours alone: the harness FLUSHDBs it (tests use 15, the product 0)
MODEL = "claude-sonnet-4-20250514"  # the seed's pricing: 2,500 in + 1,200 out = $0.0255
API_PATH = "/api/v1/generate"
STREAM_PATH = "/api/v1/generate/stream"

RESUME = """Jane Doe
Senior Python Developer | jane.doe@example.com | Berlin, Germany

SUMMARY
Backend engineer with 6 years of experience building Python and Django web applications, REST
APIs and background job pipelines on PostgreSQL and Redis. {tag}

EXPERIENCE
Senior Software Engineer, Example Logistics GmbH (2021 - present)
- Built and maintained Django REST APIs used by the customer portal and mobile apps
- Moved slow reports to Celery background jobs backed by Redis, cutting page times by 80%
- Tuned PostgreSQL queries and indexes for the order search pages
- Mentored three junior developers and ran the team's code reviews

Software Engineer, Sample Retail AG (2019 - 2021)
- Developed Python services for inventory and pricing data
- Wrote pytest suites and set up continuous integration with GitHub Actions
- Containerised the services with Docker and deployed them on AWS (EC2, S3, RDS)

Junior Developer, Web Agency Nord (2018 - 2019)
- Built customer websites with Django and PostgreSQL
- Automated deployments with Fabric and shell scripts

SKILLS
Python, Django, Django REST Framework, PostgreSQL, Redis, Celery, Docker, AWS, pytest, Git

EDUCATION
B.Sc. Computer Science, Technical University of Munich (2018)
"""

JOB = """Senior Python Developer (Backend)

We are looking for a Senior Python Developer to build and run the APIs behind our logistics
platform. You will design REST APIs in Django, own background processing with Celery and Redis,
and keep PostgreSQL fast as we grow.

Requirements
- 5+ years of professional Python experience
- Strong Django and Django REST Framework skills
- PostgreSQL performance tuning, Redis, Celery
- Docker, CI/CD (GitHub Actions), AWS
- Clear communication and mentoring of junior developers
"""


SETUP_SCRIPT = """
import io
from django.core.management import call_command, get_commands
from bench.urls import product_has_api
from optimizer.models import ApiKey
call_command("migrate", verbosity=0)
print(product_has_api())
if "create_api_key" in get_commands():
    out = io.StringIO()
    call_command("create_api_key", "bench", stdout=out)
    print(out.getvalue().strip().splitlines()[-1])
else:
    print(ApiKey.create_key("bench")[1])
"""


def body(tag: str = "") -> dict[str, str]:
    return {"resume_raw_text": RESUME.format(tag=tag), "job_description_text": JOB}


def reply_chunks(count: int) -> list[str]:
    """The fake's default reply cut into `count` pieces (Claude streams a few tokens a chunk)."""
    words = split_chunks(DEFAULT_REPLY_TEXT)
    size = -(-len(words) // count)
    return ["".join(words[i : i + size]) for i in range(0, len(words), size)]


@dataclass
class Plan:
    smoke: bool
    seconds: float  # per wrk row
    repeat: int  # wrk rows are repeated; the table shows the median of the repeats
    miss_c1: int
    miss_c16: int
    streams_sequential: int
    stream_levels: list[int]
    first_token: float = 0.8  # "first token after 800 ms, then about 50 chunks/s"
    chunk_delay: float = 0.02
    chunks: int = 50
    # Simultaneous streams (issue 19): 800 ms to the first token, then a chunk every 100 ms
    # (1,000 streams: 10,000 chunks/s), the top level again at the faster intervals.
    burst_first_token: float = 0.8
    burst_chunk_delay: float = 0.1
    burst_chunks: int = 50
    top_level_chunk_delays: tuple[float, ...] = (0.04, 0.02)
    capacity_first_step: int = 25  # streams; doubled while relay p99 stays <= 100 ms
    capacity_max_streams: int = 1600

    @classmethod
    def make(cls, args: argparse.Namespace) -> Plan:
        if args.smoke:
            # Short everything: sub-second rows (the httpx client: wrk counts whole seconds)
            # and a fast upstream. Smoke figures say the harness works, not how fast we are.
            plan = cls(True, 0.4, 1, 2, 16, 2, [20], first_token=0.2, chunk_delay=0.005)
            plan.burst_first_token, plan.burst_chunk_delay, plan.burst_chunks = 0.2, 0.05, 10
            plan.top_level_chunk_delays = (0.02,)
            plan.capacity_first_step, plan.capacity_max_streams = 5, 10
        else:
            plan = cls(False, 6, 3, 6, 32, 6, [100, 500, 1000])
        if args.seconds:
            plan.seconds = args.seconds
        if args.repeat:
            plan.repeat = args.repeat
        if args.levels:
            plan.stream_levels = [int(x) for x in args.levels.split(",")]
        return plan


class Bench:
    def __init__(self, plan: Plan, tmp: Path) -> None:
        self.plan = plan
        self.tmp = tmp
        self.report: dict[str, Any] = {}
        self.rows: list[tuple[str, str, dict[str, Any]]] = []
        self.fake: Fake | None = None
        self.redis: Redis | None = None
        self.api_key = ""
        self.stand_in = False
        self.hit_body = json.dumps(body("hit")).encode()
        self.started = time.monotonic()
        self.floor_servers: dict[str, Uvicorn] = {}
        self.variant_servers: list[Uvicorn] = []
        self.failures = FailureCounter(tmp)

    # -- set-up --------------------------------------------------------------------------------

    def product_env(self, settings_module: str = "resumesite.settings", **extra: str) -> dict:
        assert self.fake is not None and self.redis is not None
        if self.stand_in:
            settings_module = "bench.settings"  # adds the stand-in /api/v1/generate routes
        return child_env(
            DJANGO_SETTINGS_MODULE=settings_module,
            VAR_DIR=str(self.tmp / "var"),
            SECRET_KEY="bench-not-secret",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            REDIS_URL=self.redis.url,
            LLM_PROVIDER="anthropic",
            ANTHROPIC_API_KEY="bench",
            ANTHROPIC_BASE_URL=self.fake.url,
            ANTHROPIC_MODEL=MODEL,
            # On (it is in the measured path) but too high to trip.
            API_RATE_LIMIT_PER_MINUTE="100000000",
            **extra,
        )

    def manage(self, *args: str) -> str:
        out = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.product_env(),
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stderr}")
        return out.stdout

    def setup(self) -> None:
        self.fake = Fake(self.tmp)
        self.redis = Redis(self.tmp, REDIS_DB)
        self.redis.flush()
        # One Django start for all the set-up: migrate, "is the API on this branch?", a key.
        lines = self.manage("shell", "-c", SETUP_SCRIPT).strip().splitlines()
        self.stand_in = lines[-2] == "False"
        self.api_key = lines[-1]
        self.upstream_fast(timestamps=False)

    def upstream_fast(self, timestamps: bool) -> None:
        assert self.fake is not None
        p = self.plan
        self.fake.set_default(
            chunks=reply_chunks(p.chunks),
            input_tokens=2500,
            output_tokens=1200,
            first_token_delay=p.first_token,
            chunk_delay=p.chunk_delay,
            timestamp_chunks=timestamps,
            invisible_timestamps=timestamps,
        )

    def stop(self) -> None:
        for server in [*self.floor_servers.values(), *self.variant_servers]:
            server.stop()
        if self.fake is not None:
            self.fake.stop()
        if self.redis is not None:
            self.redis.flush()
            self.redis.stop()

    # -- measuring -----------------------------------------------------------------------------

    def hammer(self, url: str, concurrency: int, payload: bytes | None = None) -> dict[str, Any]:
        """A wrk row, repeated plan.repeat times: the median of each figure, errors summed."""
        runs = [
            load.hammer(
                url,
                payload or self.hit_body,
                self.api_key,
                concurrency,
                self.plan.seconds,
                self.tmp,
            )
            for _ in range(self.plan.repeat)
        ]
        row: dict[str, Any] = {"tool": runs[0]["tool"], "concurrency": concurrency}
        for name in ("rps", "p50_ms", "p95_ms", "p99_ms", "mean_ms"):
            values = [r[name] for r in runs if r[name] is not None]
            row[name] = round(statistics.median(values), 3) if values else None
        row["requests"] = sum(r["requests"] for r in runs)
        row["errors"] = sum(r["errors"] for r in runs)
        row["repeats"] = len(runs)
        row["runs_p50_ms"] = [r["p50_ms"] for r in runs]
        row["runs_rps"] = [r["rps"] for r in runs]
        return row

    def row(
        self, section: str, label: str, data: dict[str, Any], expected: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """Record a row, with the server-side failures since the previous one in its errors."""
        self.count_server_failures(data, expected)
        self.rows.append((section, label, data))
        elapsed = time.monotonic() - self.started
        print(f"{elapsed:6.1f}s {section:<11} {label:<34} {_fmt_row(data)}", flush=True)
        return data

    def count_server_failures(self, data: dict[str, Any], expected: tuple[str, ...] = ()) -> None:
        """The server-side failures since the previous row count in data's errors
        (bench/failures.py), apart from the log messages its method provokes (expected)."""
        server = self.failures.since_last_row(expected)
        data.setdefault("server_failures", {}).update(server["failures"])
        if server["expected"]:
            data["server_expected"] = server["expected"]
        data["errors"] = data.get("errors", 0) + sum(server["failures"].values())

    def check_hit(self, url: str) -> None:
        """One request must be a 200 cache hit before wrk hammers the same body."""
        response = httpx.post(
            url,
            content=self.hit_body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.api_key}"},
            timeout=30,
        )
        data = response.json()
        if response.status_code != 200 or not data.get("usage_stats", {}).get("cached"):
            raise RuntimeError(f"expected a cache hit, got {response.status_code}: {data}")

    def run(self) -> dict[str, Any]:
        p = self.plan
        self.setup()
        assert self.fake is not None and self.redis is not None
        self.report["meta"] = self.meta()
        print(
            f"bench: {'smoke' if p.smoke else 'full'} run; API: "
            f"{'STAND-IN (no /api/v1/generate on this branch)' if self.stand_in else 'product'}"
        )
        # first, while no server runs: a CPU-bound figure
        self.report["analysis"] = analysis.run(self)

        server = Uvicorn(
            "product-w1",
            "resumesite.asgi:application",
            self.product_env(),
            self.tmp,
            workers=1,
            ready_path="/api/v1/health",
        )
        try:
            self.report["cost"] = self.cost(server.url)
            self.report["value_bytes"] = self.entry_size()
            self.report["miss_latency"] = self.misses(server.url)
            self.check_hit(server.url + API_PATH)
            hit = {
                "c1": self.row(
                    "hit", "POST /api/v1/generate c=1", self.hammer(server.url + API_PATH, 1)
                ),
                "c16": self.row(
                    "hit", "POST /api/v1/generate c=16", self.hammer(server.url + API_PATH, 16)
                ),
            }
            self.report["hit_latency"] = hit
            self.report["streamed_hit"] = self.streamed_hits(server.url)
            throughput: dict[str, Any] = {"w1": {"c16": hit["c16"]}}
            throughput["w1"]["c64"] = self.row(
                "throughput", "hits, 1 worker, c=64", self.hammer(server.url + API_PATH, 64)
            )
            self.report["streaming"] = self.streaming(server.url)
            self.report["capacity"] = self.capacity(server)
            self.report["concurrent_streams"] = self.concurrent_streams(server)
        finally:
            server.stop()

        server = Uvicorn(
            "product-w2",
            "resumesite.asgi:application",
            self.product_env(),
            self.tmp,
            workers=2,
            ready_path="/api/v1/health",
        )
        try:
            self.check_hit(server.url + API_PATH)
            throughput["w2"] = {
                f"c{c}": self.row(
                    "throughput", f"hits, 2 workers, c={c}", self.hammer(server.url + API_PATH, c)
                )
                for c in (16, 64)
            }
        finally:
            server.stop()
        self.report["throughput"] = throughput
        self.report["scale"] = scale.run(self)
        self.start_comparison_servers()
        self.report["floors"] = self.floors()
        self.report["variants"] = self.variants(hit)
        self.report["targets"] = self.targets()
        self.report["meta"]["loadavg_after"] = os.getloadavg()
        self.report["meta"]["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        return self.report

    # -- sections ------------------------------------------------------------------------------

    def cost(self, url: str) -> dict[str, Any]:
        """The seed's scenario: 10 identical requests, one upstream call."""
        assert self.fake is not None and self.redis is not None
        self.redis.flush()
        self.fake.reset()
        self.upstream_fast(timestamps=False)
        results = [
            asyncio.run(load.post_json(url + API_PATH, [body("hit")], self.api_key, 1))[0]
            for _ in range(10)
        ]
        usages = [(data or {}).get("usage_stats", {}) for _, _, data in results]
        charged = sum(u.get("cost_usd") or 0.0 for u in usages)
        one_call = usages[0].get("cost_usd") or 0.0
        data = {
            "requests": 10,
            "ok": sum(1 for _, status, _ in results if status == 200),
            "cached_responses": sum(1 for u in usages if u.get("cached")),
            "upstream_calls": self.fake.stats()["calls"],
            "cost_usd": round(charged, 6),
            "cost_without_cache_usd": round(one_call * 10, 6),
            "saved_usd": round(sum(u.get("saved_usd") or 0.0 for u in usages), 6),
            "first_ms": round(results[0][0], 1),
            "repeat_p50_ms": round(statistics.median(r[0] for r in results[1:]), 3),
            "tool": "httpx",
        }
        self.row("cost", "10 identical requests", data)
        return data

    def entry_size(self) -> int:
        """Bytes of the one cache entry the cost scenario stored (the floor GETs as many)."""
        assert self.redis is not None
        sizes = [
            int(self.redis.client.strlen(key))
            for key in self.redis.client.scan_iter(match="*llm:*")
            if b"_stats:" not in key
        ]
        return max(sizes) if sizes else 0

    def misses(self, url: str) -> dict[str, Any]:
        self.upstream_fast(timestamps=False)
        p = self.plan
        result = {}
        for concurrency, count in ((1, p.miss_c1), (16, p.miss_c16)):
            bodies = [body(f"miss {concurrency}-{i}-{time.time_ns()}") for i in range(count)]
            answers = asyncio.run(load.post_json(url + API_PATH, bodies, self.api_key, concurrency))
            ok = [
                ms
                for ms, status, data in answers
                if status == 200 and data and not data["usage_stats"].get("cached")
            ]
            data = {
                **load.summarize_ms(ok),
                "concurrency": concurrency,
                "errors": len(answers) - len(ok),
                "tool": "httpx",
            }
            result[f"c{concurrency}"] = self.row(
                "miss", f"POST /api/v1/generate c={concurrency}", data
            )
        return result

    def streaming(self, url: str) -> dict[str, Any]:
        """Sequential streams of misses: time to first chunk and per-chunk relay delay."""
        self.upstream_fast(timestamps=True)
        results = []
        for i in range(self.plan.streams_sequential):
            results.append(
                asyncio.run(
                    load.sse_post(
                        url + STREAM_PATH,
                        body(f"stream {i} {time.time_ns()}"),
                        self.api_key,
                        seconds=60,
                    )
                )
            )
        ok = [r for r in results if r.ok]
        ttfc = [r.ttfc_ms for r in ok if r.ttfc_ms is not None]
        relay = [ms for r in ok for ms in r.relay_ms]
        data = {
            "streams": len(results),
            "errors": len(results) - len(ok),
            "chunks_per_stream": statistics.median(r.chunks for r in ok) if ok else 0,
            "upstream_first_token_ms": self.plan.first_token * 1000,
            "ttfc_ms": load.summarize_ms(ttfc),
            "ttfc_overhead_ms": load.summarize_ms([t - self.plan.first_token * 1000 for t in ttfc]),
            "relay_ms": load.summarize_ms(relay),
            "error_samples": [r.error for r in results if not r.ok][:3],
            "tool": "raw asyncio SSE client",
        }
        self.count_server_failures(data)  # the phase's, in its errors (the rows below: none)
        self.row("stream", "TTFC - upstream first token", data["ttfc_overhead_ms"])
        self.row("stream", "relay delay per chunk", data["relay_ms"])
        return data

    def streamed_hits(self, url: str) -> dict[str, Any]:
        """The same cache hit through POST /api/v1/generate/stream, one at a time: the time from
        the request's write to its done event (a new connection each: the SSE client closes)."""
        count = 10 if self.plan.smoke else 200

        async def one_by_one() -> list[load.StreamResult]:
            return [
                await load.sse_post(url + STREAM_PATH, body("hit"), self.api_key, seconds=30)
                for _ in range(count)
            ]

        results = asyncio.run(one_by_one())
        done = [(r.done_at - r.started_at) * 1000 for r in results if r.ok and r.done_at]
        data = {
            **load.summarize_ms(done),
            "chunks_per_stream": statistics.median(r.chunks for r in results) if results else 0,
            "errors": count - len(done),
            "tool": "raw asyncio SSE client",
        }
        return self.row("hit", "POST /api/v1/generate/stream c=1", data)

    def concurrent_streams(self, server: Uvicorn) -> dict[str, Any]:
        """Simultaneous streamed misses on one worker: each level at the plan's chunk interval,
        then the top level at the faster intervals too. Keys: "1000" (the plan's interval),
        "1000@40ms"... (each row says its own streams and interval)."""
        p = self.plan
        out: dict[str, Any] = {}
        for level in p.stream_levels:
            out[str(level)] = self.stream_burst(server, level, p.burst_chunk_delay)
        top = max(p.stream_levels)
        for delay in p.top_level_chunk_delays:
            out[f"{top}@{delay * 1000:g}ms"] = self.stream_burst(server, top, delay)
        self.upstream_fast(timestamps=False)
        return out

    def capacity(self, server: Uvicorn) -> dict[str, Any]:
        """The most chunks per second one worker relays with relay p99 <= 100 ms and no error:
        streams at a chunk every 100 ms, doubled from the plan's first step until a step fails.
        The bound is on the steady relay (each stream's second half): streams started together
        put their start-up in the first chunks' delay, which the other rows show."""
        p = self.plan
        steps: list[dict[str, Any]] = []
        level = p.capacity_first_step
        best = 0
        while level <= p.capacity_max_streams:
            row = self.stream_burst(server, level, p.burst_chunk_delay)
            passed = row["errors"] == 0 and (row["relay_steady_ms"]["p99_ms"] or 0) <= 100
            steps.append({"streams": level, "passed": passed, **row})
            if not passed:
                break
            best = row["chunks_per_second"]
            level *= 2
        data = {
            "chunks_per_second": best,
            "relay_p99_bound_ms": 100,
            "steps": [
                {k: step[k] for k in ("streams", "chunks_per_second", "passed", "errors")}
                | {
                    "relay_p99_ms": step["relay_ms"]["p99_ms"],
                    "steady_relay_p99_ms": step["relay_steady_ms"]["p99_ms"],
                    "cpu_s": step["worker_cpu_s"],
                    "seconds": step["seconds"],
                }
                for step in steps
            ],
        }
        print(f"{'':>7} capacity    {best} chunks/s with relay p99 <= 100 ms", flush=True)
        return data

    def stream_burst(self, server: Uvicorn, level: int, chunk_delay: float) -> dict[str, Any]:
        """`level` streamed misses started together, the upstream writing a chunk every
        `chunk_delay` seconds after its first token: relay delay, time to first chunk, the
        result's delay after the last chunk, memory."""
        assert self.fake is not None
        p = self.plan
        self.fake.reset()  # also restores the CLI default: set ours again
        self.fake.set_default(
            chunks=reply_chunks(p.burst_chunks),
            input_tokens=2500,
            output_tokens=1200,
            first_token_delay=p.burst_first_token,
            chunk_delay=chunk_delay,
            timestamp_chunks=True,
            invisible_timestamps=True,  # stamps the analysis does not read as claims
        )
        stream_seconds = p.burst_first_token + chunk_delay * (p.burst_chunks - 1)
        baseline = rss_bytes(server.proc.pid)
        gauge = load.OpenStreams()

        async def many() -> list[load.StreamResult]:
            return list(
                await asyncio.gather(
                    *(
                        load.sse_post(
                            server.url + STREAM_PATH,
                            body(f"c{level}-{i}-{time.time_ns()}"),
                            self.api_key,
                            seconds=stream_seconds + 120,
                            gauge=gauge,
                        )
                        for i in range(level)
                    )
                )
            )

        started = time.monotonic()
        cpu_before = cpu_seconds(server.proc.pid)
        with RssSampler(server.proc.pid) as rss:
            results = asyncio.run(many())
        elapsed = time.monotonic() - started
        cpu = cpu_seconds(server.proc.pid) - cpu_before
        ok = [r for r in results if r.ok]
        relay = [ms for r in ok for ms in r.relay_ms]
        # The second half of each stream's chunks: after the burst of stream starts.
        steady = [ms for r in ok for ms in r.relay_ms[len(r.relay_ms) // 2 :]]
        ttfc = [r.ttfc_ms for r in ok if r.ttfc_ms is not None]
        done_after = [ms for r in ok if (ms := r.done_after_last_chunk_ms) is not None]
        data = {
            "streams": level,
            "chunk_interval_ms": chunk_delay * 1000,
            "chunks_per_second": round(level / chunk_delay),
            "errors": level - len(ok),
            "peak_open_streams": gauge.peak,
            "upstream_calls": self.fake.stats()["calls"],
            "seconds": round(elapsed, 2),
            "upstream_first_token_ms": p.burst_first_token * 1000,
            "upstream_stream_seconds": stream_seconds,
            "relay_ms": load.summarize_ms(relay),
            "relay_steady_ms": load.summarize_ms(steady),
            "ttfc_ms": load.summarize_ms(ttfc),
            "done_after_last_chunk_ms": load.summarize_ms(done_after),
            "worker_cpu_s": round(cpu, 2),
            "rss_baseline_mb": round(baseline / 2**20, 1),
            "rss_peak_mb": round(rss.peak / 2**20, 1),
            "rss_per_stream_kb": round((rss.peak - baseline) / level / 1024, 1),
            "error_samples": sorted({str(r.error) for r in results if not r.ok})[:3],
            "tool": "raw asyncio SSE client",
        }
        self.row("streams", f"{level} SSE, chunk every {chunk_delay * 1000:g} ms", data)
        self.fake.wait_idle()
        return data

    def start_comparison_servers(self) -> None:
        """Start the floors and the variants together (idle servers cost no CPU): the Django
        imports overlap instead of adding up. Each is measured alone, then stopped."""
        assert self.redis is not None
        env = child_env(REDIS_URL=self.redis.url)
        self.floor_servers = {
            "asgi_redis": Uvicorn("floor-asgi", "bench.floor_asgi:app", env, self.tmp, wait=False),
            "django_empty": Uvicorn(
                "floor-django",
                "bench.floor_django:application",
                env,
                self.tmp,
                factory=True,
                wait=False,
            ),
        }
        self.variant_servers = [
            Uvicorn(
                f"variant-{name}",
                app,
                self.product_env(
                    "bench.settings", BENCH_MIDDLEWARE=middleware, BENCH_CACHE_READ=read
                ),
                self.tmp,
                ready_path="/api/v1/health",
                wait=False,
            )
            for name, app, middleware, read in self.VARIANTS
        ]

    def floors(self) -> dict[str, Any]:
        assert self.redis is not None
        size = self.report["value_bytes"] or 1
        self.redis.client.set("bench:floor", json.dumps({"v": "x" * max(size - 8, 0)}))
        out: dict[str, Any] = {"value_bytes": size}
        for name, server in self.floor_servers.items():
            try:
                server.wait_ready()
                out[name] = {
                    f"c{c}": self.row(
                        "floor", f"{name} c={c}", self.hammer(server.url + API_PATH, c)
                    )
                    for c in (1, 16)
                }
            finally:
                server.stop()
        hit = self.report["hit_latency"]["c1"]["p50_ms"]
        out["hit_vs_asgi_floor"] = _ratio(hit, out["asgi_redis"]["c1"]["p50_ms"])
        out["hit_vs_django_floor"] = _ratio(hit, out["django_empty"]["c1"]["p50_ms"])
        return out

    # (row name, ASGI app, BENCH_MIDDLEWARE, BENCH_CACHE_READ): each of our three hit-path
    # choices switched back to Django's default, one at a time, then all three together.
    VARIANTS = [
        ("stock_handler", "bench.stock_asgi:application", "native", "native"),
        ("django_middleware", "resumesite.asgi:application", "django", "native"),
        ("cache_aget_read", "resumesite.asgi:application", "native", "aget"),
        ("all_django_defaults", "bench.stock_asgi:application", "django", "aget"),
    ]

    def variants(self, hit: dict[str, Any]) -> dict[str, Any]:
        """With and without each hit-path choice, on one worker (bench/settings.py)."""
        out: dict[str, Any] = {"product": {**hit, "settings": "product"}}
        for (name, app, middleware, read), server in zip(
            self.VARIANTS, self.variant_servers, strict=True
        ):
            try:
                server.wait_ready()
                self.check_hit(server.url + API_PATH)
                out[name] = {
                    f"c{c}": self.row(
                        "variant", f"{name} c={c}", self.hammer(server.url + API_PATH, c)
                    )
                    for c in (1, 16)
                }
                out[name].update(app=app, middleware=middleware, cache_read=read)
            finally:
                server.stop()
        return out

    def targets(self) -> dict[str, Any]:
        r = self.report
        hit = r["hit_latency"]["c1"]["p50_ms"]
        ratio = _ratio(r["miss_latency"]["c1"]["p50_ms"], hit)
        r["hit_miss_ratio"] = ratio
        top = str(max(self.plan.stream_levels))
        streams = r["concurrent_streams"][top]
        floors = r["floors"]["django_empty"]
        tput = r["throughput"]
        first_token = streams["upstream_first_token_ms"]
        hundred = r["concurrent_streams"].get("100")
        json_hit = hit
        checks: list[tuple[str, str, Any, Callable[[Any], bool]]] = [
            # Issue 19, item 4: the hit path at the floor.
            (
                "hit_p50_c1_vs_django_floor",
                "<= 1.2x",
                r["floors"]["hit_vs_django_floor"],
                lambda v: v <= 1.2,
            ),
            (
                "hits_c16_vs_django_floor_rps",
                ">= 0.9x",
                _ratio(tput["w1"]["c16"]["rps"], floors["c16"]["rps"]),
                lambda v: v >= 0.9,
            ),
            (
                "streamed_hit_done_vs_json_hit",
                "<= 2x",
                _ratio(r["streamed_hit"]["p50_ms"], json_hit),
                lambda v: v <= 2,
            ),
            (
                "hits_2_workers_vs_1_c16",
                ">= 1.7x",
                _ratio(tput["w2"]["c16"]["rps"], tput["w1"]["c16"]["rps"]),
                lambda v: v >= 1.7,
            ),
            (
                "hits_2_workers_vs_1_c64",
                ">= 1.7x",
                _ratio(tput["w2"]["c64"]["rps"], tput["w1"]["c64"]["rps"]),
                lambda v: v >= 1.7,
            ),
            ("hit_miss_ratio", ">= 500x", ratio, lambda v: v >= 500),
            # The top level of simultaneous streams (1,000 in a full run).
            (f"streams_{top}_relay_p50_ms", "<= 20", streams["relay_ms"]["p50_ms"], _at_most(20)),
            (
                f"streams_{top}_relay_p99_ms",
                "<= 250",
                streams["relay_ms"]["p99_ms"],
                _at_most(250),
            ),
            (
                f"streams_{top}_ttfc_p99_ms",
                f"<= {first_token + 500:g}",
                streams["ttfc_ms"]["p99_ms"],
                _at_most(first_token + 500),
            ),
            (f"streams_{top}_errors", "== 0", streams["errors"], lambda v: v == 0),
            (
                f"streams_{top}_rss_per_stream_kb",
                "<= 100",
                streams["rss_per_stream_kb"],
                _at_most(100),
            ),
        ]
        if hundred is not None:
            checks += [
                ("streams_100_relay_p99_ms", "<= 10", hundred["relay_ms"]["p99_ms"], _at_most(10)),
                (
                    "streams_100_ttfc_p99_ms",
                    f"<= {first_token + 100:g}",
                    hundred["ttfc_ms"]["p99_ms"],
                    _at_most(first_token + 100),
                ),
                (
                    "streams_100_done_after_last_chunk_p99_ms",
                    "<= 150",
                    hundred["done_after_last_chunk_ms"]["p99_ms"],
                    _at_most(150),
                ),
            ]
        out = {}
        for name, target, value, passes in checks:
            out[name] = {
                "target": target,
                "value": value,
                "met": bool(value is not None and passes(value)),
            }
        return out

    def meta(self) -> dict[str, Any]:
        import django
        import uvicorn

        assert self.redis is not None
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        mem = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        wrk = None
        if load.wrk_available():
            out = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
            wrk = (out.stdout + out.stderr).split("[")[0].strip() or "wrk"
        p = self.plan
        return {
            "mode": "smoke" if p.smoke else "full",
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "api": "stand-in (bench/urls.py: no key auth, no rate limit)"
            if self.stand_in
            else "product (key auth and rate limit on)",
            "machine": {
                "nproc": os.cpu_count(),
                "cpu": cpu,
                "ram_gb": round(mem / 2**20, 1),
                "python": platform.python_version(),
                "uvicorn": uvicorn.__version__,
                "django": django.get_version(),
                "redis_server": self.redis.client.info("server")["redis_version"],
                "redis_started_by_bench": self.redis.started_by_us,
                "wrk": wrk,
                "loadavg_before": os.getloadavg(),
            },
            "upstream": {
                "first_token_ms": p.first_token * 1000,
                "chunk_interval_ms": p.chunk_delay * 1000,
                "chunks": len(reply_chunks(p.chunks)),
                "burst_first_token_ms": p.burst_first_token * 1000,
                "burst_chunk_interval_ms": p.burst_chunk_delay * 1000,
                "burst_chunks": len(reply_chunks(p.burst_chunks)),
                "top_level_chunk_intervals_ms": [d * 1000 for d in p.top_level_chunk_delays],
                "model": MODEL,
            },
            "wrk_seconds_per_run": p.seconds,
            "repeats": p.repeat,
            "redis_db": REDIS_DB,
        }


def _at_most(limit: float) -> Callable[[Any], bool]:
    return lambda value: value <= limit


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or not b:
        return None
    return round(a / b, 2)


def _fmt_row(d: dict[str, Any]) -> str:
    parts = []
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        if d.get(key) is not None:
            parts.append(f"{key[:3]} {d[key]:8.3f} ms")
    if "relay_ms" in d:
        relay = d["relay_ms"]
        parts.append(f"relay p50 {relay['p50_ms']} p99 {relay['p99_ms']} ms")
        parts.append(f"peak RSS {d['rss_peak_mb']} MB ({d['rss_per_stream_kb']} KB/stream)")
    if d.get("rps") is not None:
        parts.append(f"{d['rps']:8.1f} req/s")
    if "upstream_calls" in d and "cost_usd" in d:
        parts.append(
            f"upstream calls {d['upstream_calls']}, ${d['cost_usd']} "
            f"(without cache ${d['cost_without_cache_usd']})"
        )
    if "upstream_calls" in d and "cost_usd" not in d:
        parts.append(f"upstream calls {d['upstream_calls']}")
    if "restart_after_s" in d:
        parts.append(
            f"restart after {d['restart_after_s']} s, done after {d['done_after_s']} s "
            f"(lease {d['lease_seconds']} s, generation {d['generation_s']} s)"
        )
    if "errors" in d:
        parts.append(f"errors {d['errors']}")
    for kind, count in (d.get("server_failures") or {}).items():
        parts.append(f"\n{'':>47}server: {count} x {kind}")
    if "tool" in d:
        parts.append(f"[{d['tool']}]")
    return "  ".join(parts)


def print_summary(report: dict[str, Any]) -> None:
    print("\nTargets (issues 8 and 19):")
    for name, t in report["targets"].items():
        print(
            f"  {'MET ' if t['met'] else 'MISS'}  {name:<32} {t['value']!s:<10} target {t['target']}"
        )
    f = report["floors"]
    print(
        f"\nHit p50 c=1 = {f['hit_vs_asgi_floor']}x the bare ASGI+Redis floor, "
        f"{f['hit_vs_django_floor']}x the empty Django view; hit/miss = {report['hit_miss_ratio']}x"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a few seconds, small counts (CI)")
    parser.add_argument("--repeat", type=int, help="runs per wrk row (median reported)")
    parser.add_argument("--seconds", type=float, help="seconds per wrk run")
    parser.add_argument("--levels", help="concurrent stream counts, e.g. 100,500,1000")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "latest.json")
    args = parser.parse_args(argv)
    limit = raise_fd_limit()
    plan = Plan.make(args)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        bench = Bench(plan, Path(tmp))
        try:
            report = bench.run()
        finally:
            bench.stop()
    report["meta"]["fd_limit"] = limit
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print_summary(report)
    print(f"\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
