"""The pipeline's events and their two SSE renderings.

Events (the seed's types): start, chunk{content}, warning{issues}, done{message, result},
error{message, code}. Each carries an increasing id. The API renders each one as an unnamed SSE
event whose data is the JSON object (so `EventSource.onmessage` sees every one); the page renders
named events whose data is an HTML fragment for the htmx SSE extension. One producer, two renderers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from optimizer import jsonio

HEARTBEAT = b": ping\n\n"


@dataclass(frozen=True)
class Event:
    id: int
    data: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.data["type"])

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, **self.data}

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Event:
        data = dict(value)
        return cls(int(data.pop("id")), data)


def render_json(event: Event) -> bytes:
    """`id:` + one `data:` line of compact JSON (JSON never contains a raw newline)."""
    return b"id: %d\ndata: %s\n\n" % (event.id, jsonio.dumps(event.data))


def render_named(event_name: str, event_id: int | str, html: str) -> bytes:
    """A named event with HTML data for the htmx SSE extension; one data: line per line.

    EventSource ends a line at CR, LF or CRLF: a bare CR left inside a data: line would cut off
    the rest of it. HTML parsing turns CR and CRLF into LF anyway, so normalising loses nothing.
    """
    html = html.replace("\r\n", "\n").replace("\r", "\n")
    lines = "".join(f"data: {line}\n" for line in html.split("\n"))
    return f"event: {event_name}\nid: {event_id}\n{lines}\n".encode()
