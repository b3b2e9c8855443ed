"""Django's ASGI handler without the thread it starts for every request.

Stock Django 5.2 (`ASGIHandler.handle`) makes two `sync_to_async` calls on every request, even
for a fully async view: `request_started.asend()` (its receivers are sync functions) and
`sync_to_async(response.close)()` (which sends `request_finished`). Each request runs in its own
`ThreadSensitiveContext`, so the first call starts a new thread and the end of the request joins
it. On our 2-core machine that costs about 2 ms a request under load, more than everything else
a cache hit does, and it halves hit throughput (docs/performance.md).

The receivers of both signals (reset_queries, close_old_connections, close_caches,
reset_urlconf) act on the calling thread's database connections and on context-local state. The
event-loop thread holds no database connection (Django forbids sync ORM calls there), so:
- `request_started` is sent inline;
- a request that ran no sync code has no thread of its own: its response is closed inline;
- a request that did run sync code (ORM, sessions, file storage) closes its response in its own
  thread, exactly as Django does, so that thread's database connection is closed there.
A signal with an async receiver, or another Django version, falls back to Django's own path.
"""

from __future__ import annotations

import asyncio
from typing import Any

import django
from asgiref.sync import SyncToAsync, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import asgi
from django.dispatch import Signal
from django.urls import set_script_prefix

# handle() below is Django 5.2's, with the two calls changed; other versions use Django's.
SUPPORTED = django.VERSION[:2] == (5, 2)


def ran_sync_code() -> bool:
    """True when the current request's ThreadSensitiveContext has a thread (sync code ran)."""
    context = SyncToAsync.thread_sensitive_context.get(None)
    return context is not None and context in SyncToAsync.context_to_thread_executor


def in_request_without_sync_code() -> bool:
    """True inside a request (its ThreadSensitiveContext) that has run no sync code yet, so
    holds no thread and no database connection of its own."""
    in_request = SyncToAsync.thread_sensitive_context.get(None) is not None
    return in_request and not ran_sync_code()


def has_async_receivers(signal: Signal, sender: Any) -> bool:
    return bool(signal._live_receivers(sender)[1])


async def send_request_started(sender: Any, scope: Any) -> None:
    if has_async_receivers(signals.request_started, sender):
        await signals.request_started.asend(sender=sender, scope=scope)
    else:
        signals.request_started.send(sender=sender, scope=scope)


async def close_response(response: Any) -> None:
    """response.close() (which sends request_finished) in the request's own thread if it has one."""
    if ran_sync_code() or has_async_receivers(signals.request_finished, response._handler_class):
        await sync_to_async(response.close)()
    else:
        response.close()


class ASGIHandler(asgi.ASGIHandler):
    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        if not SUPPORTED:
            await super().handle(scope, receive, send)
            return
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(asgi.get_script_prefix(scope))
        await send_request_started(self.__class__, scope)  # changed: no thread hop
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            # create_request returns (None, an error response) when it cannot build a request.
            assert error_response is not None
            body_file.close()
            await self.send_response(error_response, send)
            await sync_to_async(error_response.close)()
            return

        async def process_request(request: Any, send: Any) -> Any:
            response = await self.run_get_response(request)
            try:
                await self.send_response(response, send)
            except asyncio.CancelledError:
                pass  # client disconnected during send_response
            return response

        tasks = [
            asyncio.create_task(self.listen_for_disconnect(receive)),
            asyncio.create_task(process_request(request, send)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if task.done():
                try:
                    task.result()
                except RequestAborted:
                    pass
                except AssertionError:
                    body_file.close()
                    raise
            else:
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
        try:
            response = tasks[1].result()
        except asyncio.CancelledError:
            await signals.request_finished.asend(sender=self.__class__)
        else:
            await close_response(response)  # changed: inline when no thread was used
        body_file.close()
        return None


def get_asgi_application() -> ASGIHandler:
    """django.core.asgi.get_asgi_application() with our handler."""
    django.setup(set_prefix=False)
    return ASGIHandler()
