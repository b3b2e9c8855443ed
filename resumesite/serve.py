"""`python -m resumesite.serve [uvicorn options]`: uvicorn, with Nagle's algorithm off for
--workers > 1, and a graceful shutdown that drains event streams (optimizer/drain.py).

The shutdown patch must also reach the worker processes of --workers N, which uvicorn starts
with multiprocessing's spawn: they never run this module's main, but they import the ASGI
application, and resumesite/asgi.py imports this module.

With several workers uvicorn binds the listening socket itself (`socket.socket(family, type)`,
proto 0), and asyncio only sets TCP_NODELAY on accepted sockets whose proto is IPPROTO_TCP. So
every response waited for the client's delayed ACK: about 40 ms a request with --workers 2,
against 1.5 ms with one worker. Linux copies TCP_NODELAY from the listening socket to the
sockets it accepts, so setting it once on the listener fixes every connection.

Also with several workers, every worker accepts from that one shared listener, and the busiest
one (awake already) wins most accepts: keep-alive connections piled onto one worker (CPU ticks
1 against 401 in one run) and 2 workers served no more than one. Here each worker listens on a
socket of its own bound with SO_REUSEPORT to the same address, and the kernel spreads new
connections over them by a hash of each connection's addresses. The supervisor's socket is
bound with SO_REUSEPORT too (all sockets on a port must be) but never listens, so it takes no
connection. WEB_REUSEPORT=0 turns it off (shared listener, uvicorn's own way).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence

import uvicorn.config
import uvicorn.main
import uvicorn.server

_bind_socket = uvicorn.config.Config.bind_socket


def reuse_port(config: uvicorn.config.Config) -> bool:
    """One listener per worker: several workers on a TCP host and port, where Linux has it."""
    wanted = os.getenv("WEB_REUSEPORT", "1").strip().lower() not in ("0", "false", "no", "off")
    tcp = config.uds is None and config.fd is None
    return wanted and tcp and config.workers > 1 and hasattr(socket, "SO_REUSEPORT")


def _tcp_socket(family: socket.AddressFamily, address: tuple[str, int]) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(address)
    return sock


def bind_socket(self: uvicorn.config.Config) -> socket.socket:
    if reuse_port(self):
        family = socket.AF_INET6 if self.host and ":" in self.host else socket.AF_INET
        sock = _tcp_socket(family, (self.host, self.port))
        logging.getLogger("uvicorn.error").info(
            "Uvicorn running on %s:%d, one SO_REUSEPORT listener per worker", self.host, self.port
        )
        sock.set_inheritable(True)
        return sock
    sock = _bind_socket(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


uvicorn.config.Config.bind_socket = bind_socket  # type: ignore[method-assign]  # a monkey patch

_startup = uvicorn.server.Server.startup


async def startup(
    self: uvicorn.server.Server, sockets: Sequence[socket.socket] | None = None
) -> None:
    """In a worker of --workers N: listen on a socket of its own (see the module docstring)."""
    if sockets and reuse_port(self.config):
        own = []
        for shared in sockets:
            own.append(_tcp_socket(shared.family, shared.getsockname()[:2]))
            shared.close()  # this worker's copy; the supervisor keeps its own for restarts
        sockets = own
    await _startup(self, list(sockets) if sockets is not None else None)


uvicorn.server.Server.startup = startup  # type: ignore[method-assign]  # a monkey patch

_shutdown = uvicorn.server.Server.shutdown


async def shutdown(self: uvicorn.server.Server, sockets: list[socket.socket] | None = None) -> None:
    """On SIGTERM: job viewers end their responses so that their clients reconnect elsewhere
    (uvicorn waits for open responses), then the generations running here finish. Only for a
    server of this project's application: another uvicorn server in the same process (the
    tests' fake Anthropic server, say) stopping must not drain it."""
    if not str(self.config.app).startswith("resumesite."):
        await _shutdown(self, sockets)
        return
    from django.conf import settings

    from optimizer import drain, jobs

    drain.begin()
    await _shutdown(self, sockets)
    if not self.force_exit:
        left = await jobs.finish_running(settings.JOB_DRAIN_SECONDS)
        if left:
            uvicorn.server.logger.warning("%d job(s) still running at exit: leases lapse", left)


uvicorn.server.Server.shutdown = shutdown  # type: ignore[method-assign]  # a monkey patch

if __name__ == "__main__":
    uvicorn.main.main()
