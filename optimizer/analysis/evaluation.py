"""Grounding quality on an evaluation set: recall per kind, and flags on honest rewrites.

A pair is ``{"id", "original", "rewritten", "planted": [{"kind", "phrase"}], "job"?}``; honest
pairs plant nothing. A planted invention is *caught* when a flag of its pair is located at it:
the flag's phrase and the planted phrase overlap (one contains the other, case-insensitive).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from .grounding import check_grounding, is_blocking


def _overlaps(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a in b or b in a


def grounding_report(pairs: Iterable[dict[str, Any]], today: date | None = None) -> dict[str, Any]:
    """Recall per kind and overall, and the share of honest pairs with any / a blocking flag."""
    kinds: dict[str, dict[str, int]] = {}
    honest = honest_any = honest_blocking = 0
    misses: list[str] = []
    false_flags: list[str] = []
    count = 0
    for pair in pairs:
        count += 1
        flags = check_grounding(
            pair["original"], pair["rewritten"], job=pair.get("job") or None, today=today
        )
        if not pair["planted"]:
            honest += 1
            honest_any += bool(flags)
            honest_blocking += any(is_blocking(f) for f in flags)
            false_flags.extend(
                f"{pair['id']}: {'BLOCKING ' if is_blocking(f) else ''}{f.message}" for f in flags
            )
            continue
        for item in pair["planted"]:
            row = kinds.setdefault(item["kind"], {"planted": 0, "caught": 0})
            row["planted"] += 1
            if any(_overlaps(item["phrase"], f.phrase) for f in flags):
                row["caught"] += 1
            else:
                got = "; ".join(f"{f.kind} {f.phrase!r}" for f in flags) or "no flag"
                misses.append(f"{pair['id']}: {item['phrase']!r} ({got})")
    planted = sum(r["planted"] for r in kinds.values())
    caught = sum(r["caught"] for r in kinds.values())
    return {
        "pairs": count,
        "planted": planted,
        "caught": caught,
        "recall": caught / planted if planted else 1.0,
        "recall_by_kind": {
            k: {**r, "recall": r["caught"] / r["planted"]} for k, r in sorted(kinds.items())
        },
        "honest": honest,
        "honest_with_any_flag": honest_any,
        "honest_with_blocking_flag": honest_blocking,
        "honest_any_rate": honest_any / honest if honest else 0.0,
        "honest_blocking_rate": honest_blocking / honest if honest else 0.0,
        "misses": misses,
        "false_flags": false_flags,
    }


def format_grounding_report(report: dict[str, Any], details: bool = False) -> list[str]:
    """The report as printable lines (``details`` adds every miss and every false flag)."""
    lines = [
        f"recall {report['caught']}/{report['planted']} = {report['recall']:.1%}",
        *(
            f"  {kind:<14} {r['caught']:>3}/{r['planted']:<3} {r['recall']:.1%}"
            for kind, r in report["recall_by_kind"].items()
        ),
        f"honest rewrites with any flag {report['honest_with_any_flag']}/{report['honest']}"
        f" = {report['honest_any_rate']:.1%}",
        f"honest rewrites with a blocking flag {report['honest_with_blocking_flag']}"
        f"/{report['honest']} = {report['honest_blocking_rate']:.1%}",
    ]
    if details:
        lines += [f"  missed {m}" for m in report["misses"]]
        lines += [f"  flagged {f}" for f in report["false_flags"]]
    return lines
