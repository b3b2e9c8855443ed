"""Word lists of the grounding check, kept as plain text so they are easy to review and extend.

Each ``<name>.txt`` is read once, at import of the module that uses it. Lines starting with
``#`` are comments.
"""

from __future__ import annotations

from pathlib import Path

_DIR = Path(__file__).resolve().parent


def _lines(name: str) -> list[str]:
    text = (_DIR / f"{name}.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def words(name: str) -> frozenset[str]:
    """The whitespace-separated words of ``data/<name>.txt``."""
    return frozenset(word for line in _lines(name) for word in line.split())


def entries(name: str) -> tuple[str, ...]:
    """The lines of ``data/<name>.txt``, in order (for regex alternations, where order matters)."""
    return tuple(_lines(name))
