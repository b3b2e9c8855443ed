"""Profile the cache-hit path: `python -m bench.profile [--seconds 10] [--concurrency 16]`.

Starts the same set-up as the benchmark (fake upstream, Redis db 14, the product on one uvicorn
worker), stores one cache entry, then hammers it with wrk while py-spy samples the worker.
Writes bench/results/profile-hit.txt (the hottest frames, by own and total time) and
profile-hit.speedscope.json (open it at speedscope's site or any compatible viewer).
Needs py-spy (`pip install py-spy`) and permission to ptrace the worker (root here).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import shutil
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=int, default=500, help="py-spy samples per second")
    args = parser.parse_args(argv)
    if shutil.which("py-spy") is None:
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2
    raise_fd_limit()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    plan = Plan.make(argparse.Namespace(smoke=True, seconds=None, repeat=None, levels=None))
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
                url = server.url + API_PATH
                asyncio.run(load.post_json(url, [body("hit")], bench.api_key, 1))
                bench.check_hit(url)
                load.hammer(url, bench.hit_body, bench.api_key, args.concurrency, 2, Path(tmp))
                out = RESULTS_DIR / "profile-hit.speedscope.json"
                spy = subprocess.Popen(
                    [
                        "py-spy",
                        "record",
                        "--pid",
                        str(server.proc.pid),
                        "--rate",
                        str(args.rate),
                        "--duration",
                        str(args.seconds),
                        "--format",
                        "speedscope",
                        "--output",
                        str(out),
                        "--nonblocking",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
                result: dict = {}
                worker = threading.Thread(
                    target=lambda: result.update(
                        load.hammer(
                            url,
                            bench.hit_body,
                            bench.api_key,
                            args.concurrency,
                            args.seconds,
                            Path(tmp),
                        )
                    )
                )
                worker.start()
                spy.wait(timeout=args.seconds + 60)
                worker.join()
            finally:
                server.stop()
        finally:
            bench.stop()
    text = top_frames(out)
    summary = RESULTS_DIR / "profile-hit.txt"
    summary.write_text(f"wrk under profiling: {result}\n\n{text}")
    print(summary.read_text()[:6000])
    print(f"speedscope: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
