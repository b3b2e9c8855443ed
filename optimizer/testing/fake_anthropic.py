"""A fake Anthropic Messages API server for tests, benchmarks and key-less demos.

It speaks enough of ``POST /v1/messages`` (JSON and SSE streaming) for the official ``anthropic``
SDK (2.13) to drive it through ``base_url``; the wire format is Anthropic's Messages API as that
SDK parses it (a stream is ``message_start``, ``content_block_start``, ``ping``, one
``content_block_delta`` per chunk, ``content_block_stop``, ``message_delta``, ``message_stop``).

In process (tests)::

    with FakeAnthropicServer() as fake:
        fake.enqueue(FakeReply(chunks=["Hel", "lo"]), FakeReply(status=529))
        client = anthropic.AsyncAnthropic(api_key="test", base_url=fake.base_url, max_retries=0)

From a shell (demos, benchmark)::

    python -m optimizer.testing.fake_anthropic --port 8765 --first-token-delay 0.8 --chunk-delay 0.02
    ANTHROPIC_BASE_URL=http://127.0.0.1:8765 ANTHROPIC_API_KEY=fake <run the product>

Another process can script a running fake over HTTP: ``POST /_fake/enqueue`` (a JSON list of
``FakeReply`` field objects, or one object), ``PUT /_fake/default`` (one object),
``POST /_fake/reset``, ``GET /_fake/stats`` and ``GET /_fake/requests``.

Timestamp markers (benchmark aid): with ``FakeReply(timestamp_chunks=True)`` (CLI
``--timestamp-chunks``) every text delta starts with ``⟦ts=<seconds>⟧``, where ``<seconds>`` is
``time.time()`` formatted with exactly 6 decimals (``f"{time.time():.6f}"``), taken just before the
frame is written to the socket, e.g. ``⟦ts=1767225600.123456⟧Hello ``. ``TIMESTAMP_MARKER_RE``
matches it; a downstream client subtracts the value from its own ``time.time()`` to get the relay
delay (same host, same clock). With ``invisible_timestamps=True`` too, the marker is written in
private-use characters (U+E000, one of U+E010-U+E01A per digit or the point, U+E001): the product's
analysis sees no word or number in it, so a benchmark's text costs what a real resume costs
(the visible marker's "ts" and ten-digit number were a flagged skill and contact detail in every
chunk). ``chunk_timestamp(text)`` reads the first marker of either kind.

Failure modes: ``status`` (HTTP error before any body; ``error.type`` follows the status, see
``ERROR_TYPES``), ``error_after_chunks`` (an in-stream ``event: error`` of ``error_type``, which the
SDK raises as plain ``APIStatusError`` with ``status_code == 200``; a non-streaming request gets the
matching HTTP error instead) and ``drop_after_chunks`` (the socket is closed mid-body; the SDK lets
``httpx2.RemoteProtocolError`` escape from a stream, and wraps it in ``APIConnectionError`` for a
non-streaming call).

Message Batches (``client.messages.batches.create/retrieve/results``): ``POST /v1/messages/batches``
takes ``{"requests": [{"custom_id", "params"}]}`` and answers a ``message_batch`` that is
``in_progress`` until it has been retrieved ``batch_polls_to_end`` times (0 by default: the first
retrieve sees it ``ended``). When it ends, each request takes the next scripted reply in request
order (a non-200 ``status`` becomes an ``errored`` result, ``batch_result="expired"`` or
``"canceled"`` that result), and ``GET .../results`` streams one JSON line per request, as the API
does. Batch requests are not ``calls``: ``batches`` and ``batch_requests`` count them.

Concurrency: ``max_in_flight`` is the most ``/v1/messages`` requests the fake was answering at
the same moment since the last ``reset()`` (``in_flight`` the number now).

Pytest: ``pytest_plugins = ["optimizer.testing.pytest_plugin"]`` gives a ``fake_anthropic`` fixture
(one server per session, reset per test, ``ANTHROPIC_BASE_URL``/``ANTHROPIC_API_KEY`` set).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import re
import signal
import socket
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import uvicorn

__all__ = [
    "DEFAULT_LETTER_TEXT",
    "DEFAULT_OUTREACH_TEXT",
    "DEFAULT_REPLY_TEXT",
    "ERROR_TYPES",
    "TIMESTAMP_MARKER_RE",
    "FakeAnthropicServer",
    "FakeReply",
    "RecordedRequest",
    "chunk_timestamp",
    "main",
    "split_chunks",
    "strip_timestamp_markers",
    "timestamp_marker",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

DEFAULT_REPLY_TEXT = """\
OPTIMIZED RESUME
Jane Doe
Senior Python Developer
jane.doe@example.com | Berlin, Germany | linkedin.com/in/janedoe

SUMMARY
Backend engineer with 6 years of experience building Python and Django web applications, \
REST APIs and background job pipelines on PostgreSQL and Redis.

SKILLS
- Python, Django, Django REST Framework, PostgreSQL, Redis
- Celery, Docker, GitHub Actions, AWS (EC2, S3, RDS)
- pytest, code review, mentoring junior developers

EXPERIENCE
Senior Software Engineer, Example Logistics GmbH (2021 - present)
- Built and maintained Django REST APIs used by the customer portal and mobile apps
- Moved slow reports to Celery background jobs backed by Redis
- Tuned PostgreSQL queries and indexes for the order search pages

Software Engineer, Sample Retail AG (2019 - 2021)
- Developed Python services for inventory and pricing data
- Wrote pytest suites and set up continuous integration with GitHub Actions

EDUCATION
B.Sc. Computer Science, Technical University of Munich

CHANGES MADE
- Moved Python and Django to the top of the skills list to match the job description
- Rewrote the summary around backend web development with Django and PostgreSQL
- Used the job description's wording (REST APIs, Redis, Celery) where the original resume \
already showed that experience
- Replaced a two-column layout with plain section headings that ATS parsers read reliably

EXPECTED IMPROVEMENT
Better keyword coverage for the Senior Python Developer role: Python, Django, REST APIs, \
PostgreSQL and Redis now appear in the summary, skills and experience sections, and the simpler \
layout lets applicant tracking systems extract each section correctly.
"""

# The default answer to a letter's prompt (optimizer/llm/prompts.py build_letter_prompt): true
# to tests/samples.py's resume, so that an honest letter has no grounding flag; 250 to 400 words.
DEFAULT_LETTER_TEXT = """\
Dear hiring team,

I am writing to apply for the Senior Python Developer role. Your description of the work, \
designing REST APIs, running background jobs with Celery and building on PostgreSQL and Redis, \
reads very much like the work I have been doing and enjoy most.

For six years I have been building Django web applications, REST APIs and Celery jobs on \
PostgreSQL and Redis. That work has taught me to care about the parts of a web application that \
users never see but always feel: an endpoint that behaves the same way every time, a background job \
that can be run again safely when something goes wrong, and a database that stays quick as the \
data grows. I like to keep code simple enough that the next person can change it with confidence, \
and I try to leave every part of a system a little clearer than I found it.

What draws me to this role is the chance to do that work on a product where it matters every \
day. I would bring steady, careful engineering habits, a habit of asking what a change is for \
before writing it, and a willingness to explain my reasoning and to learn from the people around \
me. I also value working closely with colleagues, reviewing each other's work openly and sharing \
what we learn along the way.

I would be glad to talk about how my experience with Django, REST APIs, Celery, PostgreSQL and \
Redis could help your team, and to hear more about the problems you are working on now and the \
ones you expect next year. Thank you for your time and for considering my application.

Kind regards,
Jane Doe
"""
DEFAULT_OUTREACH_TEXT = """\
Hello,

I am Jane Doe, a Senior Python Developer in Berlin. I saw your Senior Python Developer opening \
and it fits what I do: for six years I have been building Django web applications, REST APIs \
and Celery jobs on PostgreSQL and Redis. Would you be open to a short conversation about the \
role?

Thank you,
Jane Doe
"""
# How a letter's prompt starts, per default answer (the first match wins).
_LETTER_PROMPTS = (
    ("Write a short outreach message", DEFAULT_OUTREACH_TEXT),
    ("Write a cover letter", DEFAULT_LETTER_TEXT),
)

# Anthropic's documented error.type per HTTP status; anything else is reported as api_error.
ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

_ERROR_MESSAGES: dict[str, str] = {
    "invalid_request_error": "Invalid request",
    "authentication_error": "invalid x-api-key",
    "billing_error": "Your credit balance is too low to access the Anthropic API.",
    "permission_error": "Your API key does not have permission to use the specified resource.",
    "not_found_error": "Not found",
    "request_too_large": "Request exceeds the maximum allowed number of bytes.",
    "rate_limit_error": "Number of request tokens has exceeded your per-minute rate limit",
    "api_error": "Internal server error",
    "timeout_error": "Request timed out",
    "overloaded_error": "Overloaded",
}

TIMESTAMP_MARKER_RE = re.compile(r"⟦ts=(\d+\.\d{6})⟧")
INVISIBLE_MARKER_RE = re.compile("\ue000([\ue010-\ue01a]+)\ue001")
_INVISIBLE_DIGITS = {c: chr(0xE010 + int(c)) for c in "0123456789"} | {".": chr(0xE01A)}
_VISIBLE_DIGITS = {ord(v): k for k, v in _INVISIBLE_DIGITS.items()}


def timestamp_marker(at: float, invisible: bool = False) -> str:
    stamp = f"{at:.6f}"
    if not invisible:
        return f"⟦ts={stamp}⟧"
    return "\ue000" + "".join(_INVISIBLE_DIGITS[c] for c in stamp) + "\ue001"


def chunk_timestamp(text: str) -> float | None:
    """The time in the first timestamp marker of text (either kind), or None."""
    visible, invisible = TIMESTAMP_MARKER_RE.search(text), INVISIBLE_MARKER_RE.search(text)
    if visible and (not invisible or visible.start() < invisible.start()):
        return float(visible.group(1))
    return float(invisible.group(1).translate(_VISIBLE_DIGITS)) if invisible else None


_CHUNK_RE = re.compile(r"\S+\s*|\s+")
_MESSAGES_PATH_RE = re.compile(r"^(?:/.*)?/v1/messages/?$")
_BATCHES_PATH_RE = re.compile(
    r"^(?:/.*)?/v1/messages/batches(?:/(?P<id>[A-Za-z0-9_]+)(?P<results>/results)?)?/?$"
)
_CONTROL_PATH_RE = re.compile(r"^(?:/.*)?/_fake/(enqueue|reset|stats|default|requests)/?$")
_MAX_BODY_BYTES = 32 * 1024 * 1024

logger = logging.getLogger(__name__)


def strip_timestamp_markers(text: str) -> tuple[str, list[float]]:
    """Remove the timestamp markers from text; returns the clean text and the marker times."""
    stamps = [float(m) for m in TIMESTAMP_MARKER_RE.findall(text)]
    stamps += [float(m.translate(_VISIBLE_DIGITS)) for m in INVISIBLE_MARKER_RE.findall(text)]
    return INVISIBLE_MARKER_RE.sub("", TIMESTAMP_MARKER_RE.sub("", text)), stamps


def split_chunks(text: str) -> list[str]:
    """Split text into word-ish chunks that keep their whitespace, so ``"".join(...) == text``."""
    return _CHUNK_RE.findall(text)


@dataclass
class FakeReply:
    """One scripted answer to one ``POST /v1/messages`` request."""

    text: str | None = None
    chunks: list[str] | None = None
    input_tokens: int = 2500
    output_tokens: int | None = None
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    model: str | None = None
    first_token_delay: float = 0.0
    chunk_delay: float = 0.0
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error_after_chunks: int | None = None
    error_type: str = "overloaded_error"
    error_message: str | None = None
    error_code: str | None = None
    drop_after_chunks: int | None = None
    stop_reason: str = "end_turn"
    timestamp_chunks: bool = False
    invisible_timestamps: bool = False  # the markers in private-use characters (see above)
    # Rate-limit headers (anthropic-ratelimit-requests-*): remaining requests, and the reset
    # that many seconds after the answer is sent. None: no such headers.
    ratelimit_remaining: int | None = None
    ratelimit_reset_in: float = 1.0
    # False: report no prompt-cache tokens even for a system prompt marked cache_control.
    prompt_cache: bool = True
    # Anthropic caches a marked prefix only from a model's minimum length on (1,024 tokens for
    # Sonnet 4.5, Opus 4.1, Sonnet 4; 2,048 to 4,096 for others): a shorter one is processed
    # at full price and reports no cache tokens at all.
    prompt_cache_min_tokens: int = 1024
    # In a Message Batch: "succeeded" (the reply's text, or its status as an errored result),
    # "expired" or "canceled".
    batch_result: str = "succeeded"

    def __post_init__(self) -> None:
        if self.chunks is not None:
            joined = "".join(self.chunks)
            if self.text is not None and self.text != joined:
                raise ValueError("FakeReply: text and chunks disagree; give one of them")
            self.text = joined
        for name in ("error_after_chunks", "drop_after_chunks"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"FakeReply: {name} must be >= 0")

    @property
    def reply_text(self) -> str:
        return DEFAULT_REPLY_TEXT if self.text is None else self.text

    @property
    def reply_chunks(self) -> list[str]:
        return list(self.chunks) if self.chunks is not None else split_chunks(self.reply_text)

    @property
    def total_output_tokens(self) -> int:
        return len(self.reply_chunks) if self.output_tokens is None else self.output_tokens

    @property
    def error_status_type(self) -> str:
        return ERROR_TYPES.get(self.status, "api_error")

    @classmethod
    def from_dict(cls, data: Any) -> FakeReply:
        """Build a reply from JSON-ish data; raises ``ValueError`` on unknown or bad fields."""
        if not isinstance(data, dict):
            raise ValueError("a FakeReply must be a JSON object")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown FakeReply fields: {', '.join(unknown)}")
        try:
            return cls(**data)
        except TypeError as e:
            raise ValueError(str(e)) from e

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def wire_headers(self) -> dict[str, str]:
        """headers, plus the rate-limit headers as of now (the reset as RFC 3339, like the API)."""
        if self.ratelimit_remaining is None:
            return dict(self.headers)
        reset = datetime.fromtimestamp(time.time() + self.ratelimit_reset_in, UTC)
        return {
            "anthropic-ratelimit-requests-limit": "50",
            "anthropic-ratelimit-requests-remaining": str(self.ratelimit_remaining),
            "anthropic-ratelimit-requests-reset": reset.isoformat(timespec="milliseconds"),
            **self.headers,
        }


@dataclass
class RecordedRequest:
    """What the fake saw of one ``POST .../v1/messages`` request, and what it did with it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    received_at: float  # time.time()
    stream: bool = False
    status: int | None = None
    # completed | error_event | dropped | disconnected | http_error | stopped
    outcome: str | None = None
    headers_sent_at: float | None = None
    chunk_sent_at: list[float] = field(default_factory=list)
    request_id: str = ""

    @property
    def retry_count(self) -> int:
        return int(self.headers.get("x-stainless-retry-count", "0") or 0)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class _Exchange:
    """One /v1/messages request/response in flight (event-loop thread only)."""

    send: Send
    rec: RecordedRequest
    generation: int
    reply: FakeReply = field(default_factory=FakeReply)
    model: str = ""
    abort: asyncio.Event = field(default_factory=asyncio.Event)
    stream_open: bool = False
    settled: bool = False


class _DropConnection(Exception):
    """Raised inside the ASGI app after the response started: uvicorn then closes the socket."""


class _QuietDrops(logging.Filter):
    """Keep uvicorn from logging a traceback for connections the fake drops on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, _DropConnection)


_quiet_drops = _QuietDrops()


class _UvicornServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self._ready.set()


class FakeAnthropicServer:
    """A fake ``/v1/messages`` endpoint served by uvicorn on a background thread.

    Every public method is thread-safe; the server answers on its own event loop.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, default: FakeReply | None = None
    ) -> None:
        self.host = host
        self.port = port
        self._initial_default = default or FakeReply()
        self._prompt_prefixes: set[str] = set()  # system prompt prefixes marked cache_control
        self._default = self._initial_default
        self._cond = threading.Condition(threading.RLock())
        self._queue: deque[FakeReply] = deque()
        self._requests: list[RecordedRequest] = []
        self._calls = 0
        self._disconnects = 0
        self._open_streams = 0
        self._in_flight = 0
        self._max_in_flight = 0
        self._batches: dict[str, dict[str, Any]] = {}
        self._batch_requests = 0
        # Retrieves of a batch that still see it in_progress before it ends.
        self.batch_polls_to_end = 0
        self._generation = 0  # bumped by reset(): late events of older requests are not counted
        self._thread: threading.Thread | None = None
        self._server: _UvicornServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._aborts: set[asyncio.Event] = set()  # one per in-flight request; loop thread only
        self._stopping = False
        self.base_url = ""

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> str:
        """Start serving on a background thread; returns the base URL."""
        if self._thread is not None:
            return self.base_url
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(1024)
        self.port = sock.getsockname()[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.base_url = f"http://{host}:{self.port}"
        config = uvicorn.Config(
            self._app,
            lifespan="off",
            interface="asgi3",
            proxy_headers=False,
            http="h11",
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        ready = threading.Event()
        self._server = _UvicornServer(config, ready)
        logging.getLogger("uvicorn.error").addFilter(_quiet_drops)
        self._stopping = False
        self._thread = threading.Thread(
            target=self._run, args=(sock,), name=f"fake-anthropic-{self.port}", daemon=True
        )
        self._thread.start()
        while not ready.wait(0.05):
            if not self._thread.is_alive():
                self._thread = None
                raise RuntimeError("fake Anthropic server failed to start")
        return self.base_url

    def _run(self, sock: socket.socket) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            assert self._server is not None
            loop.run_until_complete(self._server.serve(sockets=[sock]))
        finally:
            sock.close()
            loop.close()
            self._loop = None

    def stop(self) -> None:
        """Stop serving; in-flight streams are cut off. Safe to call twice."""
        thread, server, loop = self._thread, self._server, self._loop
        if thread is None or server is None:
            return
        self._stopping = True
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop may have just closed
                loop.call_soon_threadsafe(self._abort_all)
        server.should_exit = True
        thread.join(timeout=10)
        self._thread = None
        self._server = None

    def _abort_all(self) -> None:
        for event in self._aborts:
            event.set()

    def __enter__(self) -> FakeAnthropicServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- scripting -------------------------------------------------------------------------

    def enqueue(self, *replies: FakeReply) -> None:
        """Queue replies; each request takes the next one, then ``default`` answers."""
        with self._cond:
            self._queue.extend(replies)
            self._cond.notify_all()

    def fail(self, status: int, times: int = 1, **headers: str) -> None:
        """Queue ``times`` HTTP error replies; ``retry_after="2"`` becomes ``retry-after: 2``."""
        hdrs = {name.replace("_", "-").lower(): str(value) for name, value in headers.items()}
        self.enqueue(*(FakeReply(status=status, headers=dict(hdrs)) for _ in range(times)))

    def set_default(self, reply: FakeReply) -> None:
        """Answer with ``reply`` whenever the queue is empty (until ``reset()``)."""
        with self._cond:
            self._default = reply

    @property
    def default(self) -> FakeReply:
        with self._cond:
            return self._default

    def reset(self) -> None:
        """Clear the queue, counters and recorded requests; restore the constructor's default.

        ``open_streams`` is a live gauge and is not zeroed; streams still running from before the
        reset no longer change ``disconnects``.
        """
        with self._cond:
            self._queue.clear()
            self._requests.clear()
            self._calls = 0
            self._disconnects = 0
            self._max_in_flight = self._in_flight
            self._batches.clear()
            self._batch_requests = 0
            self.batch_polls_to_end = 0
            self._prompt_prefixes.clear()
            self._default = self._initial_default
            self._generation += 1
            self._cond.notify_all()

    # -- observation -----------------------------------------------------------------------

    @property
    def calls(self) -> int:
        with self._cond:
            return self._calls

    @property
    def disconnects(self) -> int:
        with self._cond:
            return self._disconnects

    @property
    def open_streams(self) -> int:
        with self._cond:
            return self._open_streams

    @property
    def in_flight(self) -> int:
        with self._cond:
            return self._in_flight

    @property
    def max_in_flight(self) -> int:
        with self._cond:
            return self._max_in_flight

    @property
    def batches(self) -> list[dict[str, Any]]:
        """The Message Batches created since reset(): id, requests, processing_status."""
        with self._cond:
            return [
                {"id": b["id"], "requests": list(b["requests"]), "status": b["status"]}
                for b in self._batches.values()
            ]

    @property
    def batch_requests(self) -> int:
        with self._cond:
            return self._batch_requests

    @property
    def queued(self) -> int:
        with self._cond:
            return len(self._queue)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._cond:
            return list(self._requests)

    @property
    def last_request(self) -> RecordedRequest:
        with self._cond:
            if not self._requests:
                raise LookupError("the fake has received no /v1/messages request")
            return self._requests[-1]

    def stats(self) -> dict[str, int]:
        with self._cond:
            return {
                "calls": self._calls,
                "disconnects": self._disconnects,
                "open_streams": self._open_streams,
                "queued": len(self._queue),
                "in_flight": self._in_flight,
                "max_in_flight": self._max_in_flight,
                "batches": len(self._batches),
                "batch_requests": self._batch_requests,
            }

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Block until ``predicate()`` is true (re-checked on every state change); False on timeout.

        The predicate runs under the server's lock, so it may read ``calls``, ``requests``... .
        """
        with self._cond:
            return self._cond.wait_for(predicate, timeout=timeout)

    # The timeout bounds a blocking wait on a worker thread, which asyncio.timeout cannot cancel.
    async def wait_for_async(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> bool:
        """``wait_for`` for async tests: waits on a worker thread, so the caller's loop runs on."""
        return await asyncio.to_thread(self.wait_for, predicate, timeout)

    # -- ASGI app --------------------------------------------------------------------------

    async def _app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # no lifespan, no websockets
            return
        path: str = scope["path"]
        method: str = scope["method"]
        headers = _header_dict(scope)
        if control := _CONTROL_PATH_RE.match(path):
            await self._control(control.group(1), method, receive, send)
        elif batch := _BATCHES_PATH_RE.match(path):
            await self._message_batches(batch, method, headers, receive, send)
        elif _MESSAGES_PATH_RE.match(path):
            if method != "POST":
                await _send_error(send, 405, "invalid_request_error", f"{method} not allowed")
                return
            await self._messages(scope, headers, receive, send)
        else:
            await _send_error(send, 404, "not_found_error", f"Not found: {method} {path}")

    async def _messages(
        self, scope: Scope, headers: dict[str, str], receive: Receive, send: Send
    ) -> None:
        raw = await _read_body(receive)
        body, ex = self._record(scope, headers, raw, send, _new_request_id())
        rec = ex.rec

        # Real API order: authentication, then request validation, then the model's answer.
        problem: tuple[int, str] | None = None
        if len(raw) > _MAX_BODY_BYTES:
            problem = (413, "Request exceeds the maximum allowed number of bytes.")
        elif not _authenticated(headers):
            problem = (401, "x-api-key header is required")
        elif (reason := _invalid_body(body)) is not None:
            problem = (400, reason)
        if problem is not None:
            status, message = problem
            self._settle(ex, "http_error", status)
            await _send_error(send, status, ERROR_TYPES[status], message, rec.request_id)
            return

        with self._cond:
            reply = self._queue.popleft() if self._queue else self._default
        if reply.text is None and (letter := _default_letter(body)) is not None:
            reply = dataclasses.replace(reply, text=letter)  # a letter was asked for
        if reply.status != 200:
            self._settle(ex, "http_error", reply.status)
            await _send_error(
                send,
                reply.status,
                reply.error_status_type,
                reply.error_message,
                rec.request_id,
                extra_headers=reply.wire_headers(),
                error_code=reply.error_code,
            )
            return

        ex.reply = self._with_prompt_cache(reply, body)
        ex.model = reply.model or body["model"]
        await self._answer(ex, receive, self._send_stream if rec.stream else self._send_json)

    def _record(
        self, scope: Scope, headers: dict[str, str], raw: bytes, send: Send, request_id: str
    ) -> tuple[Any, _Exchange]:
        """Count and record one request; returns its JSON body (None if not JSON) and exchange."""
        body: Any
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        rec = RecordedRequest(
            method=scope["method"],
            path=scope["path"],
            headers=headers,
            body=body if body is not None else raw.decode("utf-8", "replace"),
            received_at=time.time(),
            stream=isinstance(body, dict) and body.get("stream") is True,
            request_id=request_id,
        )
        with self._cond:
            self._calls += 1
            self._requests.append(rec)
            ex = _Exchange(send=send, rec=rec, generation=self._generation)
            self._cond.notify_all()
        return body, ex

    async def _answer(
        self, ex: _Exchange, receive: Receive, sender: Callable[[_Exchange], Awaitable[str]]
    ) -> None:
        """Send the scripted reply with `sender`, watching for the client going away."""
        watcher = asyncio.create_task(_watch_disconnect(receive, ex.abort))
        self._aborts.add(ex.abort)
        outcome = "error"
        with self._cond:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            self._cond.notify_all()
        try:
            outcome = await sender(ex)
        except _DropConnection:
            outcome = "stopped" if self._stopping else "dropped"
            raise
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()
            self._aborts.discard(ex.abort)
            watcher.cancel()
            self._settle(ex, outcome)  # no-op when the sender settled before its last write

    # -- Message Batches -------------------------------------------------------------------

    async def _message_batches(
        self,
        match: re.Match[str],
        method: str,
        headers: dict[str, str],
        receive: Receive,
        send: Send,
    ) -> None:
        """POST /v1/messages/batches, GET .../{id} and GET .../{id}/results (JSON lines)."""
        raw = await _read_body(receive)
        if not _authenticated(headers):
            await _send_error(send, 401, "authentication_error", "x-api-key header is required")
            return
        batch_id, results = match.group("id"), match.group("results")
        if batch_id is None:
            if method != "POST":
                await _send_error(send, 405, "invalid_request_error", f"{method} not allowed")
                return
            await self._create_batch(raw, headers, send)
            return
        if method != "GET":
            await _send_error(send, 405, "invalid_request_error", f"{method} not allowed")
            return
        with self._cond:
            batch = self._batches.get(batch_id)
            if batch is not None and not results:
                batch["polls"] += 1
                if batch["status"] == "in_progress" and batch["polls"] > self.batch_polls_to_end:
                    self._end_batch(batch)
            snapshot = dict(batch) if batch is not None else None
        if snapshot is None:
            await _send_error(send, 404, "not_found_error", f"No message batch {batch_id}")
            return
        if not results:
            await _send_json_body(send, 200, _batch_body(snapshot, _origin(headers)))
            return
        if snapshot["status"] != "ended":
            await _send_error(send, 404, "not_found_error", "The batch has no results yet")
            return
        payload = b"".join(_json_bytes(line) + b"\n" for line in snapshot["results"])
        hdrs = {"content-type": "application/binary", "content-length": str(len(payload))}
        await _start(send, 200, _new_request_id(), hdrs)
        await send({"type": "http.response.body", "body": payload})

    async def _create_batch(self, raw: bytes, headers: dict[str, str], send: Send) -> None:
        body: Any
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        problem = _invalid_batch(body)
        if problem is not None:
            await _send_error(send, 400, "invalid_request_error", problem)
            return
        now = time.time()
        batch = {
            "id": f"msgbatch_fake{uuid.uuid4().hex[:20]}",
            "requests": body["requests"],
            "status": "in_progress",
            "polls": 0,
            "created_at": now,
            "ended_at": None,
            "results": [],
        }
        with self._cond:
            self._batches[batch["id"]] = batch
            self._batch_requests += len(body["requests"])
            self._cond.notify_all()
        await _send_json_body(send, 200, _batch_body(batch, _origin(headers)))

    def _end_batch(self, batch: dict[str, Any]) -> None:
        """Answer every request of the batch, in order, with the next scripted replies (under
        the lock)."""
        results = []
        for request in batch["requests"]:
            reply = self._queue.popleft() if self._queue else self._default
            params = request["params"]
            if reply.text is None and (letter := _default_letter(params)) is not None:
                reply = dataclasses.replace(reply, text=letter)
            result: dict[str, Any]
            if reply.batch_result in ("expired", "canceled"):
                result = {"type": reply.batch_result}
            elif reply.status != 200:
                error = _error_body(reply.error_status_type, reply.error_message, None)
                result = {"type": "errored", "error": error}
            else:
                message = _message(
                    reply,
                    reply.model or params["model"],
                    reply.reply_text,
                    reply.total_output_tokens,
                    reply.stop_reason,
                )
                message["usage"]["service_tier"] = "batch"
                result = {"type": "succeeded", "message": message}
            results.append({"custom_id": request["custom_id"], "result": result})
        batch.update(status="ended", ended_at=time.time(), results=results)
        self._cond.notify_all()

    def _with_prompt_cache(self, reply: FakeReply, body: dict[str, Any]) -> FakeReply:
        """Anthropic's prompt caching, roughly: the system blocks up to the last one marked
        ``cache_control`` are a prefix (its tokens estimated at 4 characters each). The first
        request with a prefix of at least ``prompt_cache_min_tokens`` reports it as
        cache_creation_input_tokens, later ones as cache_read_input_tokens (until reset); a
        shorter prefix is not cached. A reply that sets either count keeps its own."""
        system = body.get("system")
        if reply.cache_creation_input_tokens or reply.cache_read_input_tokens:
            return reply
        if not reply.prompt_cache:
            return reply
        if not isinstance(system, list):
            return reply
        marked = [
            i
            for i, block in enumerate(system)
            if isinstance(block, dict) and "cache_control" in block
        ]
        if not marked:
            return reply
        prefix = "".join(
            str(block.get("text", ""))
            for block in system[: marked[-1] + 1]
            if isinstance(block, dict)
        )
        tokens = max(1, len(prefix) // 4)
        if tokens < reply.prompt_cache_min_tokens:
            return reply
        with self._cond:
            seen = prefix in self._prompt_prefixes
            self._prompt_prefixes.add(prefix)
        if seen:
            return dataclasses.replace(reply, cache_read_input_tokens=tokens)
        return dataclasses.replace(reply, cache_creation_input_tokens=tokens)

    def _settle(self, ex: _Exchange, outcome: str, status: int | None = None) -> None:
        """Record how a request ended, once.

        Senders call this just before their final write, so a client that has seen the end of
        the response also sees the fake's bookkeeping (outcome, ``open_streams``) done.
        """
        with self._cond:
            if ex.settled:
                return
            ex.settled = True
            ex.rec.status = status if status is not None else ex.rec.status or 200
            ex.rec.outcome = outcome
            if ex.stream_open:
                self._open_streams -= 1
            if outcome == "disconnected" and ex.generation == self._generation:
                self._disconnects += 1
            self._cond.notify_all()

    async def _pause(self, seconds: float, abort: asyncio.Event) -> None:
        """Sleep, but wake at once when the client goes away or the server stops."""
        if seconds > 0 and not abort.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(abort.wait(), timeout=seconds)

    def _aborted(self, abort: asyncio.Event) -> str | None:
        if not abort.is_set():
            return None
        if self._stopping:
            raise _DropConnection("server stopping")
        return "disconnected"

    async def _send_json(self, ex: _Exchange) -> str:
        reply, rec, send = ex.reply, ex.rec, ex.send
        n = len(reply.reply_chunks)
        # Take as long as the stream would have taken to produce the same text.
        await self._pause(reply.first_token_delay + reply.chunk_delay * max(n - 1, 0), ex.abort)
        if outcome := self._aborted(ex.abort):
            return outcome
        if reply.error_after_chunks is not None:
            # A non-streaming call cannot fail mid-body: report the error type as an HTTP error.
            status = next((s for s, t in ERROR_TYPES.items() if t == reply.error_type), 500)
            self._settle(ex, "http_error", status)
            await _send_error(
                send,
                status,
                reply.error_type,
                reply.error_message,
                rec.request_id,
                reply.wire_headers(),
            )
            return "http_error"
        message = _message(
            reply, ex.model, reply.reply_text, reply.total_output_tokens, reply.stop_reason
        )
        payload = _json_bytes(message)
        hdrs = {"content-type": "application/json", "content-length": str(len(payload))}
        await _start(send, 200, rec.request_id, {**hdrs, **reply.wire_headers()})
        rec.headers_sent_at = time.time()
        if reply.drop_after_chunks is not None:
            half = payload[: len(payload) // 2]
            await send({"type": "http.response.body", "body": half, "more_body": True})
            raise _DropConnection("drop_after_chunks")
        self._settle(ex, "completed")
        await send({"type": "http.response.body", "body": payload})
        return "completed"

    async def _send_stream(self, ex: _Exchange) -> str:
        reply, rec, send, abort = ex.reply, ex.rec, ex.send, ex.abort
        hdrs = {"content-type": "text/event-stream", "cache-control": "no-cache"}
        await _start(send, 200, rec.request_id, {**hdrs, **reply.wire_headers()})
        with self._cond:
            self._open_streams += 1
            ex.stream_open = True
            rec.headers_sent_at = time.time()
            self._cond.notify_all()

        async def frame(event: str, data: dict[str, Any], last: bool = False) -> str | None:
            payload = b"event: " + event.encode() + b"\ndata: " + _json_bytes(data) + b"\n\n"
            await send({"type": "http.response.body", "body": payload, "more_body": not last})
            return self._aborted(abort)  # uvicorn's send() is a silent no-op once disconnected

        start = _message(reply, ex.model, "", 1, None)
        start["content"] = []
        block_start = {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "text", "text": ""},
        }
        head: list[tuple[str, dict[str, Any]]] = [
            ("message_start", {"type": "message_start", "message": start}),
            ("content_block_start", block_start),
            ("ping", {"type": "ping"}),
        ]
        for event, data in head:
            if outcome := await frame(event, data):
                return outcome

        chunks = reply.reply_chunks
        for i in range(len(chunks) + 1):
            if i == reply.error_after_chunks:
                error = _error_body(reply.error_type, reply.error_message, None, reply.error_code)
                self._settle(ex, "error_event")
                await frame("error", error, last=True)
                return "error_event"
            if i == reply.drop_after_chunks:
                raise _DropConnection("drop_after_chunks")
            if i == len(chunks):
                break
            await self._pause(reply.first_token_delay if i == 0 else reply.chunk_delay, abort)
            if outcome := self._aborted(abort):
                return outcome
            text = chunks[i]
            if reply.timestamp_chunks:
                text = timestamp_marker(time.time(), reply.invisible_timestamps) + text
            delta = {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": text},
            }
            outcome = await frame("content_block_delta", delta)
            with self._cond:
                rec.chunk_sent_at.append(time.time())
                self._cond.notify_all()
            if outcome:
                return outcome

        message_delta = {
            "type": "message_delta",
            "delta": {"stop_reason": reply.stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": reply.total_output_tokens},
        }
        closing: list[tuple[str, dict[str, Any]]] = [
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            ("message_delta", message_delta),
        ]
        for event, data in closing:
            if outcome := await frame(event, data):
                return outcome
        self._settle(ex, "completed")
        await frame("message_stop", {"type": "message_stop"}, last=True)
        return "completed"

    # -- control endpoints -----------------------------------------------------------------

    async def _control(self, action: str, method: str, receive: Receive, send: Send) -> None:
        allowed = {
            "enqueue": "POST",
            "reset": "POST",
            "default": "PUT",
            "stats": "GET",
            "requests": "GET",
        }
        if method != allowed[action]:
            await _send_error(send, 405, "invalid_request_error", f"use {allowed[action]}")
            return
        raw = await _read_body(receive)
        try:
            data = json.loads(raw) if raw else None
            if action == "enqueue":
                items = data if isinstance(data, list) else [data]
                self.enqueue(*(FakeReply.from_dict(item) for item in items))
                result: Any = {"ok": True, "queued": self.queued}
            elif action == "default":
                self.set_default(FakeReply.from_dict(data if data is not None else {}))
                result = {"ok": True}
            elif action == "reset":
                self.reset()
                result = {"ok": True}
            elif action == "requests":
                result = [r.to_dict() for r in self.requests]
            else:
                result = self.stats()
        except ValueError as e:
            await _send_error(send, 400, "invalid_request_error", str(e))
            return
        await _send_json_body(send, 200, result)


# -- helpers -------------------------------------------------------------------------------


def _default_letter(body: dict[str, Any]) -> str | None:
    """The default letter text when the request's first message asks for a letter."""
    content = (body.get("messages") or [{}])[0].get("content", "")
    if isinstance(content, list):  # content blocks
        content = " ".join(str(block.get("text", "")) for block in content)
    for start, text in _LETTER_PROMPTS:
        if str(content).startswith(start):
            return text
    return None


def _header_dict(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        key = name.decode("latin-1").lower()
        val = value.decode("latin-1")
        headers[key] = f"{headers[key]}, {val}" if key in headers else val
    return headers


def _authenticated(headers: dict[str, str]) -> bool:
    if headers.get("x-api-key", "").strip():
        return True
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


def _invalid_body(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "request body must be a JSON object"
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model: Field required (a non-empty string)"
    max_tokens = body.get("max_tokens")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 0:
        return "max_tokens: Field required (a non-negative integer)"
    if not isinstance(body.get("messages"), list):
        return "messages: Field required (a list)"
    if "stream" in body and not isinstance(body["stream"], bool):
        return "stream: Input should be a valid boolean"
    return None


def _invalid_batch(body: Any) -> str | None:
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        return "requests: Field required (a list)"
    if not body["requests"]:
        return "requests: List should have at least 1 item"
    seen: set[str] = set()
    for index, request in enumerate(body["requests"]):
        custom_id = request.get("custom_id") if isinstance(request, dict) else None
        if not isinstance(custom_id, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", custom_id):
            return f"requests.{index}.custom_id: 1 to 64 letters, digits, _ or -"
        if custom_id in seen:
            return f"requests.{index}.custom_id: must be unique within the batch"
        seen.add(custom_id)
        if (reason := _invalid_body(request.get("params"))) is not None:
            return f"requests.{index}.params.{reason}"
        if request["params"].get("stream"):
            return f"requests.{index}.params.stream: not supported in a batch"
    return None


def _origin(headers: dict[str, str]) -> str:
    return f"http://{headers.get('host', '127.0.0.1')}"


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")


def _batch_body(batch: dict[str, Any], origin: str) -> dict[str, Any]:
    """A MessageBatch object as the API answers it."""
    ended = batch["status"] == "ended"
    counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
    if ended:
        for line in batch["results"]:
            counts[line["result"]["type"]] += 1
    else:
        counts["processing"] = len(batch["requests"])
    return {
        "id": batch["id"],
        "type": "message_batch",
        "processing_status": batch["status"],
        "request_counts": counts,
        "created_at": _iso(batch["created_at"]),
        "expires_at": _iso(batch["created_at"] + 24 * 3600),
        "ended_at": _iso(batch["ended_at"]),
        "archived_at": None,
        "cancel_initiated_at": None,
        "results_url": f"{origin}/v1/messages/batches/{batch['id']}/results" if ended else None,
    }


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= _MAX_BODY_BYTES + 1:
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _watch_disconnect(receive: Receive, abort: asyncio.Event) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            abort.set()
            return


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _message(
    reply: FakeReply, model: str, text: str, output_tokens: int, stop_reason: str | None
) -> dict[str, Any]:
    return {
        "id": f"msg_fake{uuid.uuid4().hex[:20]}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": reply.input_tokens,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": reply.cache_creation_input_tokens,
            "cache_read_input_tokens": reply.cache_read_input_tokens,
            "cache_creation": {
                "ephemeral_5m_input_tokens": reply.cache_creation_input_tokens,
                "ephemeral_1h_input_tokens": 0,
            },
            "service_tier": "standard",
        },
    }


def _error_body(
    error_type: str, message: str | None, request_id: str | None, error_code: str | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "type": error_type,
        "message": message or _ERROR_MESSAGES.get(error_type, "Error"),
    }
    if error_code:
        error["details"] = {"error_code": error_code}
    body: dict[str, Any] = {"type": "error", "error": error}
    if request_id:
        body["request_id"] = request_id
    return body


async def _start(send: Send, status: int, request_id: str, headers: dict[str, str]) -> None:
    merged = {"request-id": request_id, **{k.lower(): v for k, v in headers.items()}}
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in merged.items()],
        }
    )


async def _send_json_body(
    send: Send,
    status: int,
    data: Any,
    request_id: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> None:
    payload = _json_bytes(data)
    headers = {"content-type": "application/json", "content-length": str(len(payload))}
    await _start(
        send, status, request_id or _new_request_id(), {**headers, **(extra_headers or {})}
    )
    await send({"type": "http.response.body", "body": payload})


async def _send_error(
    send: Send,
    status: int,
    error_type: str,
    message: str | None = None,
    request_id: str | None = None,
    extra_headers: dict[str, str] | None = None,
    error_code: str | None = None,
) -> None:
    request_id = request_id or _new_request_id()
    body = _error_body(error_type, message, request_id, error_code)
    await _send_json_body(send, status, body, request_id, extra_headers)


def _new_request_id() -> str:
    return f"req_fake{uuid.uuid4().hex[:20]}"


# -- CLI -----------------------------------------------------------------------------------


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m optimizer.testing.fake_anthropic",
        description="Run a fake Anthropic Messages API for demos and benchmarks.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--first-token-delay", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--chunk-delay", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument(
        "--text-file", type=Path, help="reply with this text instead of the default"
    )
    parser.add_argument("--input-tokens", type=int, default=2500)
    parser.add_argument(
        "--timestamp-chunks", action="store_true", help="prefix each chunk with ⟦ts=...⟧"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    default = FakeReply(
        text=args.text_file.read_text(encoding="utf-8") if args.text_file else None,
        input_tokens=args.input_tokens,
        first_token_delay=args.first_token_delay,
        chunk_delay=args.chunk_delay,
        timestamp_chunks=args.timestamp_chunks,
    )
    server = FakeAnthropicServer(host=args.host, port=args.port, default=default)
    return serve_until_stopped(
        server,
        "Fake Anthropic API listening on {url}",
        "Point the product at it:  ANTHROPIC_BASE_URL={url} ANTHROPIC_API_KEY=fake",
    )


def serve_until_stopped(server: FakeAnthropicServer, *banner: str) -> int:
    """The CLI's loop: start, print the banner lines ({url} filled in), serve until Ctrl+C or
    SIGTERM. Returns the exit status (2 when the port is taken)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        url = server.start()
    except OSError as e:
        print(f"cannot listen on {server.host}:{server.port}: {e}", file=sys.stderr)
        return 2

    def _exit(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _exit)
    for line in banner:
        print(line.format(url=url), flush=True)
    print(f"Script it: POST {url}/_fake/enqueue, GET {url}/_fake/stats. Ctrl+C stops.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
