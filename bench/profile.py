"""Profile one worker: `python -m bench.profile [--seconds 10] [--concurrency 16]` (cache hits)
or `python -m bench.profile --streams 500 [--chunk-ms 100]` (simultaneous streamed misses).

Starts the same set-up as the benchmark (fake upstream, Redis db 14, the product on one uvicorn
worker). Hits: stores one cache entry, then hammers it with wrk while py-spy samples the worker.
Streams: opens N streams at once (800 ms to the first token, then a chunk every --chunk-ms) and
samples the worker from the first request to the last `done`, with the streams' relay figures.
Writes bench/results/profile-<hit|streams>.txt (the hottest frames, by own and total time) and
profile-<...>.speedscope.json (open it at speedscope's site or any compatible viewer).
Needs py-spy (`pip install py-spy`) and permission to ptrace the worker (root here).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from bench import load
from bench.run import API_PATH, RESULTS_DIR, Bench, Plan, body
from bench.servers import Uvicorn, raise_fd_limit


def top_frames(speedscope: Path, limit: int = 40) -> str:
    """Own-time and total-time tables from a py-spy speedscope file."""
    data = json.loads(speedscope.read_text())
    frames = data["shared"]["frames"]
    own: collections.Counter[int] = collections.Counter()
    total: collections.Counter[int] = collections.Counter()
    samples = 0
    for profile in data["profiles"]:
        for stack, weight in zip(profile["samples"], profile["weights"], strict=True):
            samples += weight
            if stack:
                own[stack[-1]] += weight
            for index in set(stack):
                total[index] += weight

    def name(i: int) -> str:
        f = frames[i]
        return f"{f['name']} ({Path(f.get('file', '?')).name}:{f.get('line', '?')})"

    lines = [f"{samples} samples\n", "OWN TIME"]
    lines += [f"{100 * w / samples:6.1f}%  {name(i)}" for i, w in own.most_common(limit)]
    lines += ["", "TOTAL TIME"]
    lines += [f"{100 * w / samples:6.1f}%  {name(i)}" for i, w in total.most_common(limit)]
    return "\n".join(lines) + "\n"


# The virtualenv's py-spy (requirements.txt) when the venv is not on PATH.
PY_SPY = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))


def spy(pid: int, out: Path, rate: int, seconds: int | None = None) -> subprocess.Popen:
    """py-spy sampling `pid` into a speedscope file, for `seconds` or until SIGINT."""
    args = [str(PY_SPY), "record", "--pid", str(pid), "--rate", str(rate)]
    if seconds is not None:
        args += ["--duration", str(seconds)]
    args += ["--format", "speedscope", "--output", str(out)]
    if os.environ.get("PY_SPY_BLOCKING") != "1":
        args.append("--nonblocking")
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def profile_hits(bench: Bench, server: Uvicorn, args: argparse.Namespace, tmp: Path) -> tuple:
    url = server.url + API_PATH
    asyncio.run(load.post_json(url, [body("hit")], bench.api_key, 1))
    bench.check_hit(url)
    load.hammer(url, bench.hit_body, bench.api_key, args.concurrency, 2, tmp)
    out = RESULTS_DIR / "profile-hit.speedscope.json"
    sampler = spy(server.proc.pid, out, args.rate, args.seconds)
    result: dict = {}
    worker = threading.Thread(
        target=lambda: result.update(
            load.hammer(url, bench.hit_body, bench.api_key, args.concurrency, args.seconds, tmp)
        )
    )
    worker.start()
    sampler.wait(timeout=args.seconds + 60)
    worker.join()
    return out, f"wrk under profiling: {result}"


def profile_streams(bench: Bench, server: Uvicorn, args: argparse.Namespace) -> tuple:
    bench.plan.burst_first_token, bench.plan.burst_chunks = 0.8, 50
    # One stream first: the worker's imports, templates and connections are warm.
    bench.stream_burst(server, 1, args.chunk_ms / 1000)
    out = RESULTS_DIR / "profile-streams.speedscope.json"
    sampler = spy(server.proc.pid, out, args.rate)
    try:
        row = bench.stream_burst(server, args.streams, args.chunk_ms / 1000)
    finally:
        sampler.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
        sampler.wait(timeout=120)
    keys = ("relay_ms", "relay_steady_ms", "ttfc_ms", "done_after_last_chunk_ms")
    figures = {k: row[k] for k in ("streams", "chunk_interval_ms", "errors", "worker_cpu_s")}
    figures |= {k: {p: row[k][p] for p in ("p50_ms", "p99_ms")} for k in keys}
    figures["seconds"] = row["seconds"]
    return out, f"streams under profiling: {json.dumps(figures)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="hits: seconds of wrk")
    parser.add_argument("--concurrency", type=int, default=16, help="hits: wrk connections")
    parser.add_argument("--streams", type=int, help="profile N simultaneous streams instead")
    parser.add_argument("--chunk-ms", type=float, default=100, help="streams: chunk interval")
    parser.add_argument("--rate", type=int, default=500, help="py-spy samples per second")
    args = parser.parse_args(argv)
    if PY_SPY is None:
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2
    raise_fd_limit()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    plan = Plan.make(argparse.Namespace(smoke=True, seconds=None, repeat=None, levels=None))
    name = "streams" if args.streams else "hit"
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        bench = Bench(plan, Path(tmp))
        try:
            bench.setup()
            server = Uvicorn(
                "profile",
                "resumesite.asgi:application",
                bench.product_env(),
                Path(tmp),
                ready_path="/api/v1/health",
            )
            try:
                if args.streams:
                    out, what = profile_streams(bench, server, args)
                else:
                    out, what = profile_hits(bench, server, args, Path(tmp))
            finally:
                server.stop()
        finally:
            bench.stop()
    text = top_frames(out)
    summary = RESULTS_DIR / f"profile-{name}.txt"
    summary.write_text(f"{what}\n\n{text}")
    print(summary.read_text()[:6000])
    print(f"speedscope: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
