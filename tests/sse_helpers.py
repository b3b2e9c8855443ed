"""Small SSE readers for the API tests (not a test module)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass
class SseEvent:
    id: int | None
    data: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.data["type"])


def parse_sse(text: str) -> tuple[list[SseEvent], int]:
    """Events and the number of comment heartbeats in an SSE body (per the WHATWG rules)."""
    events: list[SseEvent] = []
    pings = 0
    for block in text.replace("\r\n", "\n").split("\n\n"):
        event_id: int | None = None
        data: list[str] = []
        for line in block.split("\n"):
            if line.startswith(":"):
                pings += 1
            elif line.startswith("id:"):
                event_id = int(line[3:].strip())
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif line.startswith("event:"):
                raise AssertionError(f"API events must be unnamed, got {line!r}")
        if data:
            events.append(SseEvent(event_id, json.loads("\n".join(data))))
    return events, pings


def seed_onmessage_client(lines: Iterable[str]) -> dict[str, Any]:
    """The seed's JavaScript client, line for line: onmessage sees only `data:`; switch on type."""
    shown: list[str] = []
    state: dict[str, Any] = {"started": False, "done": None, "error": None}
    for line in lines:
        if not line.startswith("data:"):
            continue  # EventSource hides ids and comments from onmessage
        data = json.loads(line[5:].strip())
        match data["type"]:
            case "start":
                state["started"] = True
            case "chunk":
                shown.append(data["content"])  # appendToDisplay(data.content)
            case "done":
                state["done"] = data
                break  # eventSource.close()
            case "error":
                state["error"] = data["message"]
                break
    state["display"] = "".join(shown)
    return state
