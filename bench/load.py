"""Load generation: wrk for latency and throughput rows, our own asyncio clients for the rest.

- `hammer()`: the same POST over and over for a fixed time at a fixed concurrency (closed loop).
  wrk when installed (a C client: its own overhead is a few microseconds); otherwise (or for
  sub-second smoke rows, as wrk counts whole seconds) an httpx fallback (~0.3 ms of client overhead per request: fine for CI, not for the published table).
- `post_json()`: one-off JSON requests (misses, the cost scenario) with httpx.
- `sse_post()`: a minimal raw HTTP/1.1 SSE client on asyncio streams: cheap enough to hold 1,000
  streams in one process and stamp each chunk's arrival the moment its bytes are read.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from optimizer.testing.fake_anthropic import chunk_timestamp

LUA_SCRIPT = Path(__file__).with_name("post.lua")


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (no interpolation); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summarize_ms(values_ms: list[float]) -> dict[str, Any]:
    return {
        "n": len(values_ms),
        "p50_ms": _round(percentile(values_ms, 50)),
        "p95_ms": _round(percentile(values_ms, 95)),
        "p99_ms": _round(percentile(values_ms, 99)),
        "max_ms": _round(max(values_ms) if values_ms else None),
    }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


# -- closed-loop load: wrk or httpx ------------------------------------------------------------


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def hammer(
    url: str, body: bytes, api_key: str, concurrency: int, seconds: float, tmp: Path
) -> dict[str, Any]:
    """POST `body` to `url` with `concurrency` connections for `seconds`.

    Returns requests/s, latency percentiles (ms), error counts and the tool that measured them.
    """
    if wrk_available() and seconds >= 1:
        return _wrk(url, body, api_key, concurrency, seconds, tmp)
    return asyncio.run(_httpx_hammer(url, body, api_key, concurrency, seconds))


def _wrk(
    url: str, body: bytes, api_key: str, concurrency: int, seconds: float, tmp: Path
) -> dict[str, Any]:
    body_file = tmp / "wrk-body.json"
    body_file.write_bytes(body)
    env = {**os.environ, "BENCH_BODY_FILE": str(body_file), "BENCH_API_KEY": api_key}
    # One wrk thread: it keeps up with any rate this server reaches and leaves the second core
    # to the server.
    args = ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    args += ["-s", str(LUA_SCRIPT), url]
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out.stdout}\n{out.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    lat = data["latency_us"]
    seconds_run = data["duration_us"] / 1e6
    errors = sum(data["errors"].values())
    return {
        "tool": "wrk",
        "concurrency": concurrency,
        "seconds": round(seconds_run, 2),
        "requests": data["requests"],
        "rps": round(data["requests"] / seconds_run, 1),
        "errors": errors,
        "non_2xx": data["errors"]["status"],
        "p50_ms": lat["p50"] / 1000,
        "p95_ms": lat["p95"] / 1000,
        "p99_ms": lat["p99"] / 1000,
        "mean_ms": round(lat["mean"] / 1000, 3),
    }


async def _httpx_hammer(
    url: str, body: bytes, api_key: str, concurrency: int, seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    non_2xx = 0
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def worker() -> None:
            nonlocal errors, non_2xx
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    response = await client.post(url, content=body, headers=headers)
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append((time.perf_counter() - t0) * 1000)
                if response.status_code >= 300:
                    non_2xx += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "tool": "httpx",
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "errors": errors + non_2xx,
        "non_2xx": non_2xx,
        "p50_ms": _round(percentile(latencies, 50)),
        "p95_ms": _round(percentile(latencies, 95)),
        "p99_ms": _round(percentile(latencies, 99)),
        "mean_ms": _round(sum(latencies) / len(latencies) if latencies else None),
    }


# -- one-off JSON requests ---------------------------------------------------------------------


async def post_json(
    url: str, bodies: list[dict[str, Any]], api_key: str, concurrency: int
) -> list[tuple[float, int, dict[str, Any] | None]]:
    """POST each body (at most `concurrency` at a time): [(latency ms, status, json)]."""
    headers = {"Authorization": f"Bearer {api_key}"}
    semaphore = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:

        async def one(body: dict[str, Any]) -> tuple[float, int, dict[str, Any] | None]:
            async with semaphore:
                t0 = time.perf_counter()
                response = await client.post(url, json=body, headers=headers)
                elapsed = (time.perf_counter() - t0) * 1000
            try:
                data = response.json()
            except ValueError:
                data = None
            return elapsed, response.status_code, data

        return list(await asyncio.gather(*(one(body) for body in bodies)))


# -- SSE streams -------------------------------------------------------------------------------


@dataclass
class StreamResult:
    status: int = 0
    started_at: float = 0.0  # time.time() when the request was written
    first_chunk_at: float | None = None
    last_chunk_at: float | None = None
    done_at: float | None = None
    chunks: int = 0
    relay_ms: list[float] = field(default_factory=list)  # arrival - fake's send stamp, per chunk
    done: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.done and self.error is None

    @property
    def ttfc_ms(self) -> float | None:
        if self.first_chunk_at is None:
            return None
        return (self.first_chunk_at - self.started_at) * 1000

    @property
    def done_after_last_chunk_ms(self) -> float | None:
        """How long the result (`done`) came after the last chunk: the checks after the text."""
        if self.done_at is None or self.last_chunk_at is None:
            return None
        return (self.done_at - self.last_chunk_at) * 1000


class OpenStreams:
    """How many streams are open at once (start event seen, done not yet), and the peak."""

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0

    def opened(self) -> None:
        self.now += 1
        self.peak = max(self.peak, self.now)

    def closed(self) -> None:
        self.now -= 1


async def sse_post(
    url: str,
    body: dict[str, Any],
    api_key: str,
    seconds: float,
    gauge: OpenStreams | None = None,
) -> StreamResult:
    """POST and read an SSE response over a raw HTTP/1.1 connection (chunked or close-delimited)."""
    result = StreamResult()
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    payload = json.dumps(body).encode()
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/json\r\nAccept: text/event-stream\r\n"
        f"Authorization: Bearer {api_key}\r\nContent-Length: {len(payload)}\r\n"
        f"Connection: close\r\n\r\n"
    ).encode()
    writer: asyncio.StreamWriter | None = None
    counted = False
    try:
        async with asyncio.timeout(seconds):
            reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
            result.started_at = time.time()
            writer.write(head + payload)
            status_line = await reader.readline()
            result.status = int(status_line.split()[1])
            chunked = False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "transfer-encoding" and "chunked" in value.lower():
                    chunked = True
            buffer = b""
            while True:
                if chunked:
                    size = int((await reader.readline()).split(b";")[0], 16)
                    if size == 0:
                        break
                    data = (await reader.readexactly(size + 2))[:-2]
                else:
                    data = await reader.read(65536)
                    if not data:
                        break
                arrival = time.time()
                buffer += data
                while b"\n\n" in buffer:
                    raw_event, buffer = buffer.split(b"\n\n", 1)
                    for line in raw_event.split(b"\n"):
                        if not line.startswith(b"data:"):
                            continue
                        event = json.loads(line[5:])
                        kind = event.get("type")
                        if kind == "start" and gauge is not None and not counted:
                            gauge.opened()
                            counted = True
                        elif kind == "chunk":
                            result.chunks += 1
                            result.last_chunk_at = arrival
                            if result.first_chunk_at is None:
                                result.first_chunk_at = arrival
                            stamp = chunk_timestamp(event.get("content", ""))
                            if stamp is not None:
                                result.relay_ms.append((arrival - stamp) * 1000)
                        elif kind == "done":
                            result.done = True
                            result.done_at = arrival
                        elif kind == "error":
                            result.error = f"{event.get('code')}: {event.get('message')}"
            if result.status != 200 and result.error is None:
                result.error = f"HTTP {result.status}: {buffer[:200]!r}"
    except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError) as error:
        result.error = f"{type(error).__name__}: {error}"
    finally:
        if gauge is not None and counted:
            gauge.closed()
        if writer is not None:
            writer.close()
    return result
