"""What Redis evicts first under maxmemory, per policy: `python -m bench.eviction`.

Starts a throwaway redis-server per policy (ports 7390+, 8 MB maxmemory, no persistence), writes
50 entries with the full TTL and 50 with the flagged TTL (as the quality-aware cache does), reads
20 of each 30 times (the "hot" ones), then writes 300 new entries to push memory past the limit,
and counts what is left. Also a counter with no TTL and a rate-limit window with a 120 s TTL, as
the project keeps beside the entries. The numbers are in docs/operations.md.
"""

from __future__ import annotations

import subprocess
import time

import redis

POLICIES = [
    "noeviction",
    "allkeys-lru",
    "allkeys-lfu",
    "volatile-lru",
    "volatile-lfu",
    "volatile-ttl",
]
VALUE = "x" * 20_000  # about one stored generation


def run(policy: str, port: int) -> str:
    command = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"]
    command += ["--maxmemory", "8mb", "--maxmemory-policy", policy]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port)
        for _ in range(50):
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                time.sleep(0.1)
        client.set("{llm_stats}:lookups", 0)
        client.set("ratelimit:key:1", 1, ex=120)
        for i in range(50):
            client.set(f"llm:clean{i}", VALUE, ex=3600)
            client.set(f"llm:flagged{i}", VALUE, ex=600)
        for _ in range(30):
            for i in range(20):
                client.get(f"llm:clean{i}")
                client.get(f"llm:flagged{i}")
            client.incr("{llm_stats}:lookups")
            client.incr("ratelimit:key:1")
        refused = 0
        for i in range(300):
            try:
                client.set(f"llm:new{i}", VALUE, ex=3600)
            except redis.exceptions.ResponseError:
                refused += 1

        def alive(name: str, numbers: range) -> str:
            return f"{sum(client.exists(f'llm:{name}{i}') for i in numbers)}/{len(numbers)}"

        return (
            f"| {policy} | {alive('clean', range(20))} | {alive('clean', range(20, 50))} "
            f"| {alive('flagged', range(20))} | {alive('flagged', range(20, 50))} "
            f"| {alive('new', range(300))} ({refused} refused) "
            f"| {client.exists('{llm_stats}:lookups')} | {client.exists('ratelimit:key:1')} |"
        )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    print(
        "| policy | hot full-TTL | cold full-TTL | hot flagged | cold flagged | new | counter | rate-limit window |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for number, policy in enumerate(POLICIES):
        print(run(policy, 7390 + number))
