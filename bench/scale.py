"""The scale-out rows of the benchmark: single-flight fan-out, viewer delay across workers, and
recovery after a kill -9 (docs/performance.md, "Scale-out").

Each row runs its own product servers on the bench's Redis and SQLite file; jobs run in the web
process that starts them (no Celery broker here: the same task function, see optimizer/jobs.py).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

import httpx

from bench import load
from bench.servers import Uvicorn

if TYPE_CHECKING:
    from bench.run import Bench

FAN_OUT = 100  # identical requests at once, over the three entry points
CROSS_VIEWERS = 5  # viewers on worker B of a job run by worker A
LEASE_SECONDS = 2.0  # the recovery row's JOB_LEASE_SECONDS


def _client() -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    return httpx.AsyncClient(timeout=120, limits=limits)


async def _follow(
    client: httpx.AsyncClient, url: str, seen: dict[int, float] | None = None
) -> list[dict[str, Any]]:
    """A job's events over SSE to done or error; `seen` gets each event id's arrival time."""
    events: list[dict[str, Any]] = []
    async with client.stream("GET", url) as response:
        event_id = 0
        async for line in response.aiter_lines():
            if line.startswith("id:"):
                event_id = int(line[3:])
            elif line.startswith("data:"):
                if seen is not None:
                    seen[event_id] = time.perf_counter()
                events.append(json.loads(line[5:]))
                if events[-1]["type"] in ("done", "error"):
                    break
    return events


def _create_job(bench: Bench, url: str, payload: dict[str, str]) -> dict[str, Any]:
    response = httpx.post(
        url + "/api/v1/jobs",
        json=payload,
        headers={"Authorization": f"Bearer {bench.api_key}"},
        timeout=30,
    )
    response.raise_for_status()
    return dict(response.json())


def fan_out(bench: Bench) -> dict[str, Any]:
    """FAN_OUT identical requests at once over 2 workers and generate, generate/stream, jobs."""
    from bench.run import API_PATH, STREAM_PATH, body

    assert bench.fake is not None
    bench.upstream_fast(timestamps=False)
    server = Uvicorn(
        "product-fan-out",
        "resumesite.asgi:application",
        bench.product_env(),
        bench.tmp,
        workers=2,
        ready_path="/api/v1/health",
    )
    try:
        payload = body(f"fan-out {time.time_ns()}")
        headers = {"Authorization": f"Bearer {bench.api_key}"}
        calls_before = bench.fake.stats()["calls"]

        async def one(client: httpx.AsyncClient, n: int) -> tuple[float, str | None]:
            started = time.perf_counter()
            kind = n % 3
            if kind == 0:
                response = await client.post(server.url + API_PATH, json=payload, headers=headers)
                text = response.json().get("optimized_resume") if response.is_success else None
            elif kind == 1:
                stream = await load.sse_post(server.url + STREAM_PATH, payload, bench.api_key, 120)
                text = "streamed" if stream.ok else None
            else:
                response = await client.post(
                    server.url + "/api/v1/jobs", json=payload, headers=headers
                )
                events = await _follow(client, response.json()["stream_url"])
                done = events[-1] if events else {}
                text = done.get("result", {}).get("optimized_resume")
            return (time.perf_counter() - started) * 1000, text

        async def burst() -> list[tuple[float, str | None]]:
            async with _client() as client:
                return await asyncio.gather(*(one(client, n) for n in range(FAN_OUT)))

        results = asyncio.run(burst())
        answered = [ms for ms, text in results if text]
        by_kind = {
            name: load.summarize_ms([ms for n, (ms, text) in enumerate(results) if n % 3 == k])
            for k, name in enumerate(("generate", "generate/stream", "jobs"))
        }
        texts = {text for _, text in results if text and text != "streamed"}
        data = {
            "requests": FAN_OUT,
            "errors": FAN_OUT - len(answered),
            "upstream_calls": bench.fake.stats()["calls"] - calls_before,
            "identical_results": len(texts) == 1,
            "upstream_stream_ms": round(
                (bench.plan.first_token + bench.plan.chunk_delay * (bench.plan.chunks - 1)) * 1000
            ),
            **load.summarize_ms(answered),
            "by_entry_point": by_kind,
            "tool": "httpx + raw SSE client",
        }
        return bench.row("scale", f"{FAN_OUT} identical at once, 2 workers", data)
    finally:
        server.stop()


async def _raw_reader(redis_url: str, job_id: str, seen: dict[int, float]) -> None:
    """The job's Redis Stream read directly: when each event was appended, give or take."""
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        key = None
        while key is None:
            async for found in client.scan_iter(match=f"*job:{{{job_id}}}:events"):
                key = found
            await asyncio.sleep(0.001)  # until the first event creates the stream
        position = "0"
        while True:
            reply = await client.xread({key: position}, count=1000, block=5000)
            if not reply:
                return
            now = time.perf_counter()
            for entry_id, fields in reply[0][1]:
                position = entry_id
                seen[int(entry_id.split(b"-")[1])] = now
                if json.loads(fields[b"e"])["type"] in ("done", "error"):
                    return
    finally:
        await client.aclose()


def cross_worker_delay(bench: Bench) -> dict[str, Any]:
    """Viewers on worker B of a job that worker A runs: each event's arrival at B after its
    append to the job's stream (read directly from Redis by the harness)."""
    from bench.run import body

    assert bench.fake is not None and bench.redis is not None
    bench.upstream_fast(timestamps=False)
    env = bench.product_env()
    a = Uvicorn("product-a", "resumesite.asgi:application", env, bench.tmp, ready_path="/")
    b = Uvicorn("product-b", "resumesite.asgi:application", env, bench.tmp, ready_path="/")
    try:
        job = _create_job(bench, a.url, body(f"cross {time.time_ns()}"))
        on_b = job["stream_url"].replace(a.url, b.url)
        appended: dict[int, float] = {}
        arrivals: list[dict[int, float]] = [{} for _ in range(CROSS_VIEWERS)]

        async def watch() -> None:
            async with _client() as client:
                reader = asyncio.ensure_future(_raw_reader(bench.redis.url, job["id"], appended))
                viewers = [_follow(client, on_b, seen) for seen in arrivals]
                await asyncio.gather(_follow(client, job["stream_url"]), *viewers, reader)

        asyncio.run(watch())
        delays = [
            (seen[event_id] - appended[event_id]) * 1000
            for seen in arrivals
            for event_id in seen
            if event_id in appended
        ]
        data = {
            "viewers": CROSS_VIEWERS,
            "events": len(appended),
            **load.summarize_ms(delays),
            "errors": sum(1 for seen in arrivals if len(seen) != len(appended)),
            "tool": "httpx SSE + redis XREAD",
        }
        return bench.row("scale", "viewer on B, job on A: after append", data)
    finally:
        a.stop()
        b.stop()


RECOVERY_CHUNK_DELAY = 0.12


def recovery(bench: Bench) -> dict[str, Any]:
    """kill -9 of the web process running a job mid-text: how long until a viewer on another
    server sees the restart, and the result."""
    from bench.run import body, reply_chunks

    assert bench.fake is not None
    # About 6 s of text in every mode, so the kill lands mid-text even when the viewer on the
    # other server sees the first chunk late (a loaded machine: 2.5 s of text was over by then).
    bench.fake.set_default(
        chunks=reply_chunks(bench.plan.chunks),
        input_tokens=2500,
        output_tokens=1200,
        first_token_delay=0.1,
        chunk_delay=RECOVERY_CHUNK_DELAY,
    )
    env = bench.product_env(JOB_LEASE_SECONDS=str(LEASE_SECONDS))
    a = Uvicorn("product-dies", "resumesite.asgi:application", env, bench.tmp, ready_path="/")
    b = Uvicorn("product-lives", "resumesite.asgi:application", env, bench.tmp, ready_path="/")
    try:
        job = _create_job(bench, a.url, body(f"recovery {time.time_ns()}"))
        # Started on A before anyone opens a stream: the first GET of either URL starts a job,
        # and B's viewer winning that race ran it on B, so the kill of A killed nothing.
        started = httpx.get(job["result_url"], timeout=30)
        assert started.status_code == 202, started.text
        on_b = job["stream_url"].replace(a.url, b.url)
        calls_before = bench.fake.stats()["calls"]

        async def watch() -> tuple[float, float | None, float | None]:
            async with _client() as client:
                starter = asyncio.ensure_future(_follow(client, job["stream_url"]))
                restart_at = done_at = None
                killed_at = 0.0
                async with client.stream("GET", on_b) as response:
                    async for line in response.aiter_lines():
                        if not line.startswith("data:"):
                            continue
                        event = json.loads(line[5:])
                        if event["type"] == "chunk" and not killed_at:
                            a.proc.process.kill()  # kill -9, mid-text
                            killed_at = time.perf_counter()
                        elif event["type"] == "start" and event.get("restart"):
                            restart_at = time.perf_counter()
                        elif event["type"] in ("done", "error"):
                            done_at = time.perf_counter() if event["type"] == "done" else None
                            break
                starter.cancel()  # its server is gone
                await asyncio.gather(starter, return_exceptions=True)
                return killed_at, restart_at, done_at

        killed_at, restart_at, done_at = asyncio.run(watch())
        generation = 0.1 + RECOVERY_CHUNK_DELAY * (len(reply_chunks(bench.plan.chunks)) - 1)
        data = {
            "lease_seconds": LEASE_SECONDS,
            "restart_after_s": round(restart_at - killed_at, 2) if restart_at else None,
            "done_after_s": round(done_at - killed_at, 2) if done_at else None,
            "generation_s": round(generation, 2),
            "upstream_calls": bench.fake.stats()["calls"] - calls_before,
            "errors": 0 if done_at else 1,
            "tool": "httpx SSE",
        }
        # The survivor logs the dead runner it takes over: the method, not a failure.
        expected = ("lost its runner", "lost its leader")
        return bench.row("scale", "kill -9 mid-text: restart, done", data, expected)
    finally:
        a.stop()
        b.stop()
        bench.upstream_fast(timestamps=False)


def run(bench: Bench) -> dict[str, Any]:
    return {
        "fan_out": fan_out(bench),
        "cross_worker": cross_worker_delay(bench),
        "recovery": recovery(bench),
    }
