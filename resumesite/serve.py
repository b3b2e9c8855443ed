"""`python -m resumesite.serve [uvicorn options]`: uvicorn, with Nagle's algorithm off for
--workers > 1.

With several workers uvicorn binds the listening socket itself (`socket.socket(family, type)`,
proto 0), and asyncio only sets TCP_NODELAY on accepted sockets whose proto is IPPROTO_TCP. So
every response waited for the client's delayed ACK: about 40 ms a request with --workers 2,
against 1.5 ms with one worker. Linux copies TCP_NODELAY from the listening socket to the
sockets it accepts, so setting it once on the listener fixes every connection.
"""

from __future__ import annotations

import socket

import uvicorn.config
import uvicorn.main

_bind_socket = uvicorn.config.Config.bind_socket


def bind_socket(self: uvicorn.config.Config) -> socket.socket:
    sock = _bind_socket(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


uvicorn.config.Config.bind_socket = bind_socket  # type: ignore[method-assign]  # a monkey patch

if __name__ == "__main__":
    uvicorn.main.main()
