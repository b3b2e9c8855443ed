"""Database connections and long-lived responses.

Under ASGI each request's ORM calls run on a thread of that request's own, which keeps its
connection until the response ends. An event stream lasts as long as a generation, so a
stream that kept its connection would hold one of DATABASE_POOL_SIZE for minutes: the next
viewers would wait for the pool (DATABASE_POOL_TIMEOUT) and then fail. Streams hand theirs
back as soon as they are done with the database, and after each later look at a record.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.db import connections

from optimizer import asgi


def _release() -> None:
    for connection in connections.all(initialized_only=True):
        # One inside transaction.atomic() (a caller's, or a test's) must stay: closing it would
        # break the transaction.
        if not connection.in_atomic_block:
            connection.close()


async def release_connections() -> None:
    """Give this request's connections back (to the pool, or closed without one). The next ORM
    call of the request takes one again.

    A request that ran no sync code has no thread of its own, so no connection to give back:
    nothing to do, and no thread started only to find that out (an API stream of a cache miss
    or hit reads its key from the process's cache; 1,000 of them started 1,000 threads)."""
    if asgi.in_request_without_sync_code():
        return
    await sync_to_async(_release)()
