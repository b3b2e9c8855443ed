"""Word-level diff between the original and optimized resume.

``word_diff`` splits both texts into words *and* the whitespace between them, runs
``difflib.SequenceMatcher`` over those pieces and merges adjacent operations of the
same kind. Concatenating equal+delete texts gives the original back; equal+insert
gives the optimized text back.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from .grounding import GroundingFlag

_PIECE_RE = re.compile(r"\s+|[^\s]+")
# SequenceMatcher without autojunk is quadratic on repetitive input (30,000 chars of "Aa Aa"
# took minutes). Above this many piece pairs, let difflib treat very common pieces as junk:
# the diff may be coarser there, but it stays fast and still rebuilds both texts.
EXACT_DIFF_BUDGET = 4_000_000


def _pieces(text: str) -> list[str]:
    return _PIECE_RE.findall(text)


def _merge(ops: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: list[dict[str, Any]] = []
    for op in ops:
        if not op["text"]:
            continue
        if merged and merged[-1]["op"] == op["op"]:
            merged[-1]["text"] += op["text"]
        else:
            merged.append(dict(op))
    return merged


def word_diff(original: str, optimized: str) -> list[dict[str, Any]]:
    """Return ``[{"op": "equal"|"insert"|"delete", "text": str}, ...]``.

    Inside a changed region the deletion comes first, then the insertion. A lone
    space (no newline) kept "equal" between two changes is folded into the change,
    so "small team." -> "team of 5." reads as one replacement, not four pieces.
    """
    a, b = _pieces(original), _pieces(optimized)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=len(a) * len(b) > EXACT_DIFF_BUDGET)
    raw: list[tuple[str, str, str]] = []  # (op, old text, new text)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = "".join(a[i1:i2]), "".join(b[j1:j2])
        raw.append(("equal" if tag == "equal" else "change", old, new))
    for k in range(1, len(raw) - 1):
        op, old, _ = raw[k]
        if (
            op == "equal"
            and old.isspace()
            and "\n" not in old
            and raw[k - 1][0] == raw[k + 1][0] == "change"
        ):
            raw[k] = ("change", old, old)
    ops: list[dict[str, Any]] = []
    k = 0
    while k < len(raw):
        if raw[k][0] == "equal":
            ops.append({"op": "equal", "text": raw[k][1]})
            k += 1
            continue
        old_parts: list[str] = []
        new_parts: list[str] = []
        while k < len(raw) and raw[k][0] == "change":
            old_parts.append(raw[k][1])
            new_parts.append(raw[k][2])
            k += 1
        ops.append({"op": "delete", "text": "".join(old_parts)})
        ops.append({"op": "insert", "text": "".join(new_parts)})
    return _merge(ops)


def annotate_unsupported(
    ops: list[dict[str, Any]], flags: Iterable[GroundingFlag]
) -> list[dict[str, Any]]:
    """Copy of ``ops`` where inserted text overlapping a flagged phrase gets
    ``"unsupported": message`` (several messages are joined with "; ").

    A flagged phrase is located in the optimized text (case-insensitive, every
    occurrence) and any insert overlapping it is marked, so "team of 5" marks the
    inserted " of 5" even when "team" was already in the original.
    """
    optimized = "".join(op["text"] for op in ops if op["op"] != "delete").lower()
    spans: list[tuple[int, int, str]] = []
    for flag in flags:
        needle = flag.phrase.lower()
        if not needle:
            continue
        start = optimized.find(needle)
        while start >= 0:
            spans.append((start, start + len(needle), flag.message))
            start = optimized.find(needle, start + 1)
    out: list[dict[str, Any]] = []
    pos = 0
    for op in ops:
        new = dict(op)
        if op["op"] == "delete":
            out.append(new)
            continue
        end = pos + len(op["text"])
        if op["op"] == "insert":
            messages = [m for s, e, m in spans if s < end and pos < e]
            if messages:
                new["unsupported"] = "; ".join(dict.fromkeys(messages))
        pos = end
        out.append(new)
    return out
