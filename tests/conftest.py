"""Shared fixtures.

- Every test starts with an empty embedded cache and fresh provider/cache singletons.
- `fake_anthropic` (optimizer.testing.pytest_plugin): the fake Anthropic server over HTTP.
- `use_anthropic`: points the pipeline at that fake through the real SDK, with instant retries.
- `redis_url` / `real_redis`: the real Redis server; skipped without it, unless
  REQUIRE_SERVICES=1 (CI), where a missing service fails the test instead.
- `redis_cluster` / `cluster_redis`: a 3-master Redis Cluster started for the session on spare
  ports (skipped without redis-server, failed under REQUIRE_SERVICES=1), and the project's cache
  pointed at it, emptied around the test.
- `live_server_factory`: the product under uvicorn in a subprocess, on its own SQLite file.
- `CeleryWorkers`: `celery -A resumesite worker` processes of a test's own.
"""

from __future__ import annotations

import asyncio
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from samples import JOB, RESUME

pytest_plugins = ["optimizer.testing.pytest_plugin"]

BASE_DIR = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.getenv("REQUIRE_SERVICES", "") == "1"
REAL_REDIS_URL = os.getenv("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def require_service(name: str, reason: str) -> None:
    """Skip on a laptop without the service; fail in CI, where it must be there."""
    message = f"{name} is not reachable: {reason}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} (REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _fresh_singletons(settings: Any) -> Iterator[None]:
    from optimizer import experiments, redis_client
    from optimizer.llm import cache, client

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No prompt experiment runs, for good (tests without a database run the pipeline too): a
    # test that saves one makes the pipeline read it (the save signal forgets this), and a
    # rolled-back test's experiment, which sends no delete signal, is forgotten here.
    experiments.remember(None, seconds=math.inf)
    cache.reset_llm_cache()
    client.reset_provider()
    import fakeredis

    fakeredis.FakeRedis(server=redis_client.SERVER).flushall()
    if settings.REDIS_CLUSTER:  # the suite's run against a Redis Cluster: emptied, every node
        flush_cluster(settings.REDIS_URL)
    elif settings.REDIS_URL:  # the suite's run against a real Redis: a dedicated db, emptied
        import redis

        redis.Redis.from_url(settings.REDIS_URL).flushdb()
    yield
    cache.reset_llm_cache()
    client.reset_provider()


@pytest.fixture
def use_anthropic(settings: Any, fake_anthropic: Any) -> Any:
    """The pipeline talks to the fake Anthropic server through the real SDK; retries are instant."""
    from optimizer.llm import client

    settings.LLM_PROVIDER = "anthropic"
    settings.ANTHROPIC_API_KEY = "fake-test-key"
    settings.ANTHROPIC_BASE_URL = fake_anthropic.base_url
    settings.ANTHROPIC_MODEL = "claude-sonnet-4-20250514"
    _instant_retries(settings)
    client.reset_provider()
    return fake_anthropic


def _instant_retries(settings: Any) -> None:
    settings.LLM_RETRY_INITIAL_DELAY = 0.001
    settings.LLM_RETRY_MAX_DELAY = 1.0
    settings.LLM_RETRY_JITTER = False


@pytest.fixture
def use_openai(settings: Any, fake_openai: Any) -> Any:
    """The pipeline talks to the fake OpenAI-compatible server through the real openai SDK, as
    it would to Ollama (a local URL, so the model is free); retries are instant."""
    from optimizer.llm import client

    settings.LLM_PROVIDER = "openai_compatible"
    settings.LLM_BASE_URL = fake_openai.base_url + "/v1"
    settings.LLM_MODEL = "llama3.1:8b"
    settings.LLM_API_KEY = ""
    _instant_retries(settings)
    client.reset_provider()
    return fake_openai


def use_redis(settings: Any, url: str, *, cluster: bool = False, **options: Any) -> None:
    """Point the project's cache and Redis connection at the Redis (or cluster seed) at url."""
    from optimizer import redis_client
    from optimizer.llm import cache

    settings.REDIS_URL = url
    settings.REDIS_CLUSTER = cluster
    if cluster:
        options.update(redis_client.cluster_cache_options())
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"SERIALIZER": "django_redis.serializers.json.JSONSerializer", **options},
        }
    }
    cache.reset_llm_cache()


@pytest.fixture
def embedded_cache(settings: Any) -> None:
    """The embedded cache, even when the suite runs with REDIS_URL set (CI's second pass)."""
    from optimizer import redis_client
    from optimizer.llm import cache

    settings.REDIS_URL = ""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://embedded",
            "OPTIONS": {
                "SERIALIZER": "django_redis.serializers.json.JSONSerializer",
                "CONNECTION_POOL_KWARGS": redis_client.connection_pool_kwargs(),
            },
        }
    }
    cache.reset_llm_cache()


def _redis_reachable(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception as error:  # any failure means "not usable here"
        return str(error)
    return None


@pytest.fixture
def redis_url() -> str:
    if problem := _redis_reachable(REAL_REDIS_URL):
        require_service("Redis", problem)
    return REAL_REDIS_URL


@pytest.fixture
def real_redis(redis_url: str, settings: Any) -> Iterator[Any]:
    """The project's cache pointed at the real Redis server (db 15), emptied around the test."""
    import redis
    from django.core.cache import caches

    from optimizer.llm import cache

    use_redis(settings, redis_url)
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    caches["default"].close()
    cache.reset_llm_cache()


def _start_cluster(directory: Path) -> tuple[list[subprocess.Popen[bytes]], str]:
    """Three redis-server masters with cluster mode on spare ports, joined by redis-cli."""
    ports: list[int] = []
    while len(ports) < 3:
        port = free_port()
        # A node also listens on port + 10000 (the cluster bus), so it must stay below 55536.
        if port <= 55535 and port not in ports and _port_free(port + 10000):
            ports.append(port)
    nodes = [
        subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled",
             "yes", "--cluster-config-file", str(directory / f"nodes-{port}.conf"),
             "--save", "", "--appendonly", "no", "--dir", str(directory)],
            stdout=(directory / f"redis-{port}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for port in ports
    ]  # fmt: skip
    try:
        for port in ports:
            _wait_for(lambda port=port: _redis_reachable(f"redis://127.0.0.1:{port}") is None)
        subprocess.run(
            ["redis-cli", "--cluster", "create", *(f"127.0.0.1:{port}" for port in ports),
             "--cluster-replicas", "0", "--cluster-yes"],
            check=True, capture_output=True, timeout=30,
        )  # fmt: skip

        def ready() -> bool:
            info = subprocess.run(
                ["redis-cli", "-p", str(ports[0]), "cluster", "info"],
                capture_output=True,
                text=True,
            ).stdout
            return "cluster_state:ok" in info

        _wait_for(ready)
    except BaseException:
        _stop_nodes(nodes)
        raise
    return nodes, f"redis://127.0.0.1:{ports[0]}"


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the Redis Cluster did not come up")
        time.sleep(0.05)  # polling for start-up, not a race: the loop has a deadline


def _stop_nodes(nodes: list[subprocess.Popen[bytes]]) -> None:
    for node in nodes:
        node.kill()
        node.wait()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A 3-master Redis Cluster on loopback for the session: the seed node's URL."""
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        require_service("Redis Cluster", "redis-server and redis-cli are not installed")
    nodes, url = _start_cluster(tmp_path_factory.mktemp("redis-cluster"))
    yield url
    _stop_nodes(nodes)


def flush_cluster(url: str) -> None:
    import redis.cluster

    with redis.cluster.RedisCluster.from_url(url) as client:
        client.flushdb(target_nodes=redis.cluster.RedisCluster.PRIMARIES)


@pytest.fixture
def cluster_redis(redis_cluster: str, settings: Any) -> Iterator[str]:
    """The project's Redis is the cluster (REDIS_CLUSTER=True), emptied around the test."""
    from optimizer.llm import cache

    use_redis(settings, redis_cluster, cluster=True)
    flush_cluster(redis_cluster)
    yield redis_cluster
    flush_cluster(redis_cluster)
    cache.reset_llm_cache()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log = log

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def manage(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run a management command against this server's database."""
        out = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout


class CeleryWorkers:
    """Celery worker processes of the test's own."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        log = self.log_dir / f"celery-{name}.log"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "resumesite",
                "worker",
                "--hostname",
                f"{name}@%h",
                "--concurrency",
                "10",
                "--loglevel",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        deadline = time.monotonic() + 30
        while "ready." not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"celery worker did not start: {log.read_text()}")
            time.sleep(0.05)  # waiting for start-up, with a deadline
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def emptied_suite_redis() -> str:
    """The suite's own Redis database (TEST_REDIS_URL), emptied, for live servers to share;
    skipped (failed in CI) without a Redis server."""
    import redis

    client = redis.Redis.from_url(REAL_REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        require_service("Redis", str(error))
    client.flushdb()  # only ever this database of the suite's own
    return REAL_REDIS_URL


def fake_upstream_env(fake: Any) -> dict[str, str]:
    """The environment that points a live server at the fake Anthropic server, retries instant."""
    return {
        "LLM_PROVIDER": "anthropic",
        "ANTHROPIC_API_KEY": "fake-test-key",
        "ANTHROPIC_BASE_URL": fake.base_url,
        "ANTHROPIC_MODEL": "claude-sonnet-4-20250514",
        "LLM_RETRY_INITIAL_DELAY": "0.001",
        "LLM_RETRY_JITTER": "False",
    }


@pytest.fixture
def live_server_factory(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Start the product under uvicorn: factory(**env overrides) -> LiveServer with .url."""
    servers: list[LiveServer] = []

    def start(workers: int = 1, **overrides: str) -> LiveServer:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "ANTHROPIC_", "REDIS_", "DATABASE_", "LLM_"))
        }
        env.update(
            VAR_DIR=str(tmp_path / f"var{len(servers)}"),
            DJANGO_SETTINGS_MODULE="resumesite.settings",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            API_RATE_LIMIT_PER_MINUTE="0",
        )
        env.update(overrides)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=BASE_DIR, env=env, check=True
        )
        port = free_port()
        log = tmp_path / f"uvicorn-{port}.log"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "resumesite.serve",  # uvicorn, as the Dockerfile runs it
                "resumesite.asgi:application",
                "--lifespan",
                "off",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        server = LiveServer(process, f"http://127.0.0.1:{port}", log)
        server.env = env  # type: ignore[attr-defined]
        servers.append(server)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited: {log.read_text()}")
            try:
                if httpx.get(f"{server.url}/api/v1/health", timeout=1).status_code == 200:
                    return server
            except httpx.HTTPError:
                time.sleep(0.05)  # polling for start-up, not a race: the loop has a deadline
        raise RuntimeError(f"uvicorn did not start: {log.read_text()}")

    yield start
    for server in servers:
        server.stop()


# -- the JSON API (tests/test_api_*.py) ----------------------------------------------------------


@pytest.fixture
def api_body() -> dict[str, str]:
    return {"resume_raw_text": RESUME, "job_description_text": JOB}


BACKGROUND_DRAIN_SECONDS = 5


@pytest.fixture
async def drained_background() -> AsyncIterator[None]:
    """At teardown, waits for the bookkeeping still running after a test's last response (the
    API record inserted after it, a key's usage flushed). Requested by the fixtures that make
    the test's database (after transactional_db, so it ends before the flush): on PostgreSQL
    the flush's TRUNCATE deadlocked with such an INSERT holding its foreign-key lock."""
    yield
    from optimizer import background

    loop = asyncio.get_running_loop()
    if pending := [t for t in background._background if t.get_loop() is loop]:
        # Bounded: a deferred batch's poller is background work too, and would run until its
        # batch ends. What is still running then is cancelled, as the loop's end would.
        _, running = await asyncio.wait(pending, timeout=BACKGROUND_DRAIN_SECONDS)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


@pytest.fixture
def api_key(transactional_db: Any, drained_background: None) -> str:
    """A raw (non-admin) API key; the tests' async views see it from any thread."""
    from optimizer.models import ApiKey

    return ApiKey.create_key("tests")[1]


@pytest.fixture
def admin_api_key(transactional_db: Any, drained_background: None) -> str:
    from optimizer.models import ApiKey

    return ApiKey.create_key("tests-admin", is_admin=True)[1]


# -- a Redis server of a test's own (to kill, or to count its commands) ---------------------


class OwnRedis:
    """A redis-server of the test's own, that it can kill and start again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.02)  # waiting for start-up, with a deadline
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        require_service("redis-server", "the binary is not installed")
    server = OwnRedis()
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.kill()


# -- a PostgreSQL database of a test's own ------------------------------------------------

POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this test's own, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    name = f"ats_live_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=2) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        require_service("PostgreSQL", str(error))
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
