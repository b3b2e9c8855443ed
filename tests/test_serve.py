"""resumesite.serve: with several workers, accepted connections must have Nagle turned off, and
each worker listens on a SO_REUSEPORT socket of its own."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import uvicorn.config

import resumesite.serve  # patches Config.bind_socket, Server.startup and Server.shutdown


def test_connections_accepted_on_the_multi_worker_socket_have_tcp_nodelay() -> None:
    config = uvicorn.config.Config("resumesite.asgi:application", host="127.0.0.1", port=0)
    listener = config.bind_socket()  # what uvicorn calls for --workers > 1
    listener.listen()
    try:
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        client = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
        with client, accepted:
            # What asyncio would not set (proto 0): inherited from the listener instead.
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        listener.close()


def test_another_uvicorn_server_stopping_in_the_process_does_not_drain_it() -> None:
    """Only a server of resumesite's application drains (optimizer/drain.py): the tests' own
    fake Anthropic server, stopped in this process, must leave job viewers alone."""
    from optimizer import drain
    from optimizer.testing.fake_anthropic import FakeAnthropicServer

    server = FakeAnthropicServer()
    server.start()
    server.stop()
    assert not drain.draining()


def test_a_multi_worker_listener_is_bound_for_one_socket_per_worker() -> None:
    config = uvicorn.config.Config(
        "resumesite.asgi:application", host="127.0.0.1", port=0, workers=2
    )
    listener = config.bind_socket()
    try:
        assert listener.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        # A worker's own listener can bind the same address next to it.
        own = resumesite.serve._tcp_socket(listener.family, listener.getsockname())
        own.close()
    finally:
        listener.close()


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return inodes


def _tcp_inodes(port: int, state: str) -> set[str]:
    """Inodes of the TCP sockets on local port `port` in `state` (0A listen, 01 established)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                    found.add(fields[9])
    return found


def _workers(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


@pytest.mark.live
def test_two_workers_listen_apart_and_share_new_connections(
    live_server_factory: Callable[..., Any],
) -> None:
    server = live_server_factory(workers=2)
    port = int(server.url.rsplit(":", 1)[1])
    deadline = time.monotonic() + 30
    while len(_tcp_inodes(port, "0A")) < 2:
        assert time.monotonic() < deadline, "no second listener (uvicorn's way: one, shared)"
        time.sleep(0.05)  # start-up polling, with a deadline
    listening = _tcp_inodes(port, "0A")
    held = {pid: _socket_inodes(pid) & listening for pid in _workers(server.process.pid)}
    workers = [pid for pid, listeners in held.items() if listeners]
    # Two workers, each with one listener of its own (not the supervisor's, not shared).
    assert len(workers) == 2 and len(held[workers[0]] | held[workers[1]]) == 2, held

    clients = []
    try:
        for _ in range(40):  # held open at once, like keep-alive clients
            client = socket.create_connection(("127.0.0.1", port))
            client.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert client.recv(12).startswith(b"HTTP/1.1"), "no answer"
            clients.append(client)
        accepted = _tcp_inodes(port, "01")
        shares = [len(_socket_inodes(pid) & accepted) for pid in workers]
    finally:
        for client in clients:
            client.close()
    assert sum(shares) == 40
    # Spread by a hash of the client ports: below 8 of 40 is a 1-in-100,000 draw.
    assert min(shares) >= 8, shares
