"""resumesite.serve: with several workers, accepted connections must have Nagle turned off."""

from __future__ import annotations

import socket

import uvicorn.config

import resumesite.serve  # noqa: F401  (patches Config.bind_socket and Server.shutdown)


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
