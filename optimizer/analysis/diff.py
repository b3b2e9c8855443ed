"""Word-level diff between the original and optimized resume.

``word_diff`` first matches whole lines (``difflib.SequenceMatcher`` over the lines), then,
inside each run of changed lines only, matches words *and* the whitespace between them, and
merges adjacent operations of the same kind. Concatenating equal+delete texts gives the
original back; equal+insert gives the optimized text back.

Lines first, as ``git diff --word-diff`` does: a resume rewrite keeps many lines as they were.
The words of changed lines are aligned by rapidfuzz's Indel opcodes (the longest common
subsequence, bit-parallel in C++) rather than difflib's pure-Python longest-match search: on
30,000 characters that was about 85 ms of the analysis's 150 ms budget.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from rapidfuzz.distance import Indel

from .grounding import GroundingFlag

_PIECE_RE = re.compile(r"\s+|[^\s]+")
_LINE_RE = re.compile(r"[^\n]*\n|[^\n]+")
# SequenceMatcher without autojunk is quadratic on repetitive input (30,000 chars of "Aa Aa"
# took minutes). Above this many piece pairs, let difflib treat very common pieces as junk:
# the diff may be coarser there, but it stays fast and still rebuilds both texts.
EXACT_DIFF_BUDGET = 4_000_000


def _pieces(text: str) -> list[str]:
    return _PIECE_RE.findall(text)


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """How to turn ``a`` into ``b`` (lines or words): the longest common subsequence, or
    difflib with autojunk when the pair is too large for an exact alignment."""
    if len(a) * len(b) > EXACT_DIFF_BUDGET:
        return list(difflib.SequenceMatcher(None, a, b, autojunk=True).get_opcodes())
    return [
        (op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end) for op in Indel.opcodes(a, b)
    ]


def _changed_runs(
    opcodes: list[tuple[str, int, int, int, int]],
) -> list[tuple[str, int, int, int, int]]:
    """Adjacent deletions and insertions of lines joined into one change (the LCS reports a
    rewritten line as a deletion then an insertion): its words are then matched."""
    out: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag != "equal" and out and out[-1][0] == "change":
            out[-1] = ("change", out[-1][1], i2, out[-1][3], j2)
        else:
            out.append(("equal" if tag == "equal" else "change", i1, i2, j1, j2))
    return out


def _word_changes(old: str, new: str) -> list[tuple[str, str, str]]:
    """(op, old text, new text) for one run of changed lines, matched word by word."""
    a, b = _pieces(old), _pieces(new)
    raw = [
        ("equal" if tag == "equal" else "change", "".join(a[i1:i2]), "".join(b[j1:j2]))
        for tag, i1, i2, j1, j2 in _opcodes(a, b)
    ]
    return _words_first(raw)


_LEADING_SPACE_RE = re.compile(r"\s+")


def _words_first(raw: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Slide a pure insertion or deletion that starts with the whitespace the next equal text
    starts with, so it starts with its word: "Wrote[+ clean] code" reads "Wrote [+clean ]code".
    Either alignment rebuilds both texts; the longest common subsequence picks one at random."""
    out = list(raw)
    for k in range(1, len(out) - 1):
        (before, *_), (op, old, new), (after, eq, _) = out[k - 1], out[k], out[k + 1]
        if before != "equal" or op != "change" or after != "equal" or (old and new):
            continue
        text = old or new
        space = _LEADING_SPACE_RE.match(text)
        if space is None or not eq.startswith(space.group(0)) or len(text) == space.end():
            continue
        ws = space.group(0)
        moved = text[len(ws) :] + ws
        out[k - 1] = ("equal", out[k - 1][1] + ws, out[k - 1][2] + ws)
        out[k] = ("change", moved if old else "", moved if new else "")
        out[k + 1] = ("equal", eq[len(ws) :], eq[len(ws) :])
    return [piece for piece in out if piece[1] or piece[2]]


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
    a, b = _LINE_RE.findall(original), _LINE_RE.findall(optimized)
    raw: list[tuple[str, str, str]] = []  # (op, old text, new text)
    for tag, i1, i2, j1, j2 in _changed_runs(_opcodes(a, b)):
        old, new = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            raw.append(("equal", old, new))
        elif old and new:
            raw.extend(_word_changes(old, new))
        else:
            raw.append(("change", old, new))
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
