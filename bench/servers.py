"""Processes the harness starts on loopback: the fake upstream, Redis (when none runs), uvicorn.

Every process is started by us, tracked by its Popen object and stopped by its pid; nothing is
ever stopped by name.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def raise_fd_limit(wanted: int = 65536) -> int:
    """1,000 streams need ~3,000 descriptors in one process; children inherit the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Proc:
    """A child process with its log file."""

    def __init__(self, name: str, args: list[str], log: Path, env: dict[str, str]) -> None:
        self.name = name
        self.log = log
        self.process = subprocess.Popen(
            args, cwd=BASE_DIR, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def child_env(**overrides: str) -> dict[str, str]:
    """Our environment without anything that would point a child at other services."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "ANTHROPIC_", "REDIS_", "DATABASE_", "LLM_", "BENCH_"))
    }
    env.update(PYTHONPATH=str(BASE_DIR), PYTHONUNBUFFERED="1")
    env.update(overrides)
    return env


def _wait(predicate: Any, proc: Proc, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{what} exited:\n{proc.log_text()}")
        if predicate():
            return
        time.sleep(0.05)  # start-up polling with a deadline
    raise RuntimeError(f"{what} did not start in {timeout:.0f} s:\n{proc.log_text()}")


# -- the fake upstream --------------------------------------------------------------------------


class Fake:
    """The fake Anthropic server in its own process (its CPU is not the product's)."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [PYTHON, "-m", "optimizer.testing.fake_anthropic", "--port", str(self.port)]
        self.proc = Proc("fake", args, tmp / "fake.log", child_env())
        self.http = httpx.Client(base_url=self.url, timeout=10)
        _wait(self._up, self.proc, "fake Anthropic server")

    def _up(self) -> bool:
        try:
            return self.http.get("/_fake/stats").status_code == 200
        except httpx.HTTPError:
            return False

    def set_default(self, **reply: Any) -> None:
        self.http.put("/_fake/default", json=reply).raise_for_status()

    def reset(self) -> None:
        self.http.post("/_fake/reset").raise_for_status()

    def stats(self) -> dict[str, int]:
        return dict(self.http.get("/_fake/stats").json())

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Until no stream is open at the fake (the previous phase has fully ended)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.stats()["open_streams"] == 0:
                return True
            time.sleep(0.1)  # polling a remote gauge, with a deadline
        return False

    def stop(self) -> None:
        self.http.close()
        self.proc.stop()


# -- Redis --------------------------------------------------------------------------------------


def redis_reachable(host: str, port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(host=host, port=port, socket_connect_timeout=0.5).ping())
    except Exception:  # any failure: not usable
        return False


class Redis:
    """The running server on 127.0.0.1:6379, or one we start (no persistence) when absent."""

    def __init__(self, tmp: Path, db: int) -> None:
        self.proc: Proc | None = None
        self.port = 6379
        if not redis_reachable("127.0.0.1", self.port):
            binary = shutil.which("redis-server")
            if binary is None:
                raise RuntimeError("no Redis on 127.0.0.1:6379 and no redis-server to start")
            self.port = free_port()
            args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            args += ["--appendonly", "no", "--dir", str(tmp)]
            self.proc = Proc("redis", args, tmp / "redis.log", child_env())
            _wait(lambda: redis_reachable("127.0.0.1", self.port), self.proc, "redis-server")
        self.db = db
        self.url = f"redis://127.0.0.1:{self.port}/{db}"
        import redis

        self.client = redis.Redis.from_url(self.url)

    @property
    def started_by_us(self) -> bool:
        return self.proc is not None

    def flush(self) -> None:
        """FLUSHDB on our own database number only."""
        self.client.flushdb()

    def stop(self) -> None:
        self.client.close()
        if self.proc is not None:
            self.proc.stop()


# -- uvicorn ------------------------------------------------------------------------------------


class Uvicorn:
    """One ASGI app under uvicorn with the settings every measured server shares."""

    def __init__(
        self,
        name: str,
        app: str,
        env: dict[str, str],
        tmp: Path,
        workers: int = 1,
        factory: bool = False,
        ready_path: str = "/",
        wait: bool = True,
    ) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        # resumesite.serve is uvicorn with TCP_NODELAY on the listener (see that module): without
        # it every response of a multi-worker server waits ~40 ms for a delayed ACK.
        args = [PYTHON, "-m", "resumesite.serve", app, "--host", "127.0.0.1"]
        args += ["--port", str(self.port)]
        args += ["--lifespan", "off", "--workers", str(workers), "--log-level", "warning"]
        args += ["--no-access-log", "--backlog", "2048"]
        if factory:
            args.append("--factory")
        self.proc = Proc(name, args, tmp / f"uvicorn-{name}-{self.port}.log", env)
        self.ready_path = ready_path
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Until it answers (and, with several workers, until every worker is up)."""
        name, workers = self.name, self.workers
        _wait(self._up, self.proc, f"uvicorn {name}", timeout=60)
        if workers > 1:
            # The supervisor answers as soon as one worker is up: wait for all of them.
            _wait(lambda: len(descendants(self.proc.pid)) >= workers, self.proc, name)
            time.sleep(1.0)  # let the other workers finish importing Django (bounded, not a race)

    def _up(self) -> bool:
        try:
            httpx.get(self.url + self.ready_path, timeout=2)
        except httpx.HTTPError:
            return False
        return True

    def stop(self) -> None:
        self.proc.stop()


# -- memory -------------------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    stack = [pid]
    while stack:
        current = stack.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in children:
                found.append(int(child))
                stack.append(int(child))
    return found


def rss_bytes(pid: int) -> int:
    """Resident set size of a process and all its descendants (0 for vanished ones)."""
    total = 0
    for each in [pid, *descendants(pid)]:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            continue
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by a process and all its descendants."""
    ticks = 0
    for each in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


class RssSampler:
    """Peak RSS of a process tree, sampled every 50 ms on a thread while a phase runs."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = rss_bytes(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, rss_bytes(self.pid))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes(self.pid))
