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
"""

from __future__ import annotations

import socket

import uvicorn.config
import uvicorn.main
import uvicorn.server

_bind_socket = uvicorn.config.Config.bind_socket


def bind_socket(self: uvicorn.config.Config) -> socket.socket:
    sock = _bind_socket(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


uvicorn.config.Config.bind_socket = bind_socket  # type: ignore[method-assign]  # a monkey patch

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
