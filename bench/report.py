"""Render a benchmark JSON as Markdown tables: `python -m bench.report [bench/results/latest.json]`.

docs/performance.md's tables are this output for bench/results-reference.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.run import RESULTS_DIR


def _ms(value: Any) -> str:
    return "–" if value is None else f"{value:,.2f}"


def _rps(value: Any) -> str:
    return "–" if value is None else f"{value:,.0f}"


def latency_row(name: str, row: dict[str, Any]) -> str:
    return (
        f"| {name} | {_ms(row.get('p50_ms'))} | {_ms(row.get('p95_ms'))} | "
        f"{_ms(row.get('p99_ms'))} | {_rps(row.get('rps'))} | {row.get('errors', 0)} | "
        f"{row.get('tool', '')} |"
    )


def render(r: dict[str, Any]) -> str:
    m = r["meta"]
    mc = m["machine"]
    out = [
        f"Run: {m['mode']}, {m['started_at']} to {m.get('finished_at', '?')}; API: {m['api']}; "
        f"{m['repeats']} x {m['wrk_seconds_per_run']} s per wrk row (median shown); "
        f"load average before {mc['loadavg_before'][0]:.2f}, after {m['loadavg_after'][0]:.2f}.",
        "",
        "| Measure | p50 ms | p95 ms | p99 ms | req/s | errors | tool |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    h, miss, tp, f = r["hit_latency"], r["miss_latency"], r["throughput"], r["floors"]
    out += [
        latency_row("Cache hit, POST /api/v1/generate, c=1", h["c1"]),
        latency_row("Cache hit, c=16 (1 worker)", h["c16"]),
        latency_row("Cache hit, c=64 (1 worker)", tp["w1"]["c64"]),
        latency_row("Cache hit, c=16 (2 workers)", tp["w2"]["c16"]),
        latency_row("Cache hit, c=64 (2 workers)", tp["w2"]["c64"]),
        latency_row(f"Miss (unique bodies), c=1, n={miss['c1']['n']}", miss["c1"]),
        latency_row(f"Miss (unique bodies), c=16, n={miss['c16']['n']}", miss["c16"]),
        latency_row("Floor (a): bare ASGI + one redis.asyncio GET, c=1", f["asgi_redis"]["c1"]),
        latency_row("Floor (a), c=16", f["asgi_redis"]["c16"]),
        latency_row(
            "Floor (b): empty async Django view, no middleware, c=1", f["django_empty"]["c1"]
        ),
        latency_row("Floor (b), c=16", f["django_empty"]["c16"]),
    ]
    s = r["streaming"]
    out += [
        "",
        f"Hit p50 at c=1 = **{f['hit_vs_asgi_floor']}x** floor (a) and **{f['hit_vs_django_floor']}x** "
        f"floor (b); miss/hit p50 = **{r['hit_miss_ratio']}x**; cached value {f['value_bytes']:,} bytes.",
        "",
        "| Streaming (misses, one worker) | p50 ms | p95 ms | p99 ms | n | errors |",
        "|---|---:|---:|---:|---:|---:|",
        f"| Time to first chunk at the client | {_ms(s['ttfc_ms']['p50_ms'])} | "
        f"{_ms(s['ttfc_ms']['p95_ms'])} | {_ms(s['ttfc_ms']['p99_ms'])} | {s['ttfc_ms']['n']} | {s['errors']} |",
        f"| ... minus the upstream's first-token delay ({s['upstream_first_token_ms']:.0f} ms) | "
        f"{_ms(s['ttfc_overhead_ms']['p50_ms'])} | {_ms(s['ttfc_overhead_ms']['p95_ms'])} | "
        f"{_ms(s['ttfc_overhead_ms']['p99_ms'])} | {s['ttfc_overhead_ms']['n']} | |",
        f"| Relay delay per chunk (client arrival - fake send time) | {_ms(s['relay_ms']['p50_ms'])} | "
        f"{_ms(s['relay_ms']['p95_ms'])} | {_ms(s['relay_ms']['p99_ms'])} | {s['relay_ms']['n']} | |",
        "",
        "| Simultaneous SSE streams, 1 worker (upstream: 800 ms, then a chunk every N ms) | "
        "chunks/s | errors | relay p50 / p99 ms | steady relay p50 / p99 ms | TTFC p50 / p99 ms | "
        "done after last chunk p50 / p99 ms | worker CPU s | wall s | RSS per stream KB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, c in r["concurrent_streams"].items():
        steady = c.get("relay_steady_ms", {})
        done = c.get("done_after_last_chunk_ms", {})
        streams = c.get("streams", label)
        interval = c.get("chunk_interval_ms")
        name = f"{streams}, every {interval:g} ms" if interval else str(label)
        out.append(
            f"| {name} | {c.get('chunks_per_second', '')} | {c['errors']} | "
            f"{_ms(c['relay_ms']['p50_ms'])} / {_ms(c['relay_ms']['p99_ms'])} | "
            f"{_ms(steady.get('p50_ms'))} / {_ms(steady.get('p99_ms'))} | "
            f"{_ms(c['ttfc_ms']['p50_ms'])} / {_ms(c['ttfc_ms']['p99_ms'])} | "
            f"{_ms(done.get('p50_ms'))} / {_ms(done.get('p99_ms'))} | "
            f"{c.get('worker_cpu_s', '')} | {c['seconds']} | {c['rss_per_stream_kb']} |"
        )
    if "capacity" in r:
        cap = r["capacity"]
        steps = ", ".join(
            f"{st['streams']} streams: steady p99 {_ms(st['steady_relay_p99_ms'])} ms"
            f"{'' if st['passed'] else ' (fails)'}"
            for st in cap["steps"]
        )
        out += [
            "",
            f"Capacity of one worker (streams started together, a chunk every 100 ms each, "
            f"steady relay p99 <= {cap['relay_p99_bound_ms']} ms, no error): "
            f"**{cap['chunks_per_second']:,} chunks/s** ({steps}).",
        ]
    if "streamed_hit" in r:
        sh = r["streamed_hit"]
        out += [
            "",
            f"Streamed cache hit (POST /api/v1/generate/stream, c=1, new connection each): "
            f"done after {_ms(sh['p50_ms'])} ms p50, {_ms(sh['p99_ms'])} ms p99 "
            f"({sh['chunks_per_stream']} chunk events), against {_ms(r['hit_latency']['c1']['p50_ms'])} "
            f"ms for the JSON hit.",
        ]
    cost = r["cost"]
    out += [
        "",
        f"Cost, the seed's scenario (10 identical requests): **{cost['upstream_calls']} upstream "
        f"call**, ${cost['cost_usd']} charged instead of ${cost['cost_without_cache_usd']} "
        f"(${cost['saved_usd']} saved, {cost['cached_responses']} of 10 answered from the cache).",
        "",
        "| With / without (1 worker) | hit p50 c=1 ms | hits/s c=16 |",
        "|---|---:|---:|",
    ]
    for name, v in r["variants"].items():
        out.append(f"| {name} | {_ms(v['c1']['p50_ms'])} | {_rps(v['c16']['rps'])} |")
    out += ["", "| Target | value | target | met |", "|---|---:|---|---|"]
    for name, t in r["targets"].items():
        out.append(f"| {name} | {t['value']} | {t['target']} | {'yes' if t['met'] else 'NO'} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else RESULTS_DIR / "latest.json"
    print(render(json.loads(path.read_text())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
