"""Grounding quality on a hand-written evaluation set (tests/data/grounding_eval.json).

Metrics
-------
* **Recall**: share of planted inventions that are caught. A planted invention is
  caught when some flag on that pair has a phrase that contains it or is contained
  in it (case-insensitive). Must be >= 95%.
* **False-flag rate**: share of *honest* pairs (rewrites with no planted invention)
  that get at least one flag. Must be <= 5%. Also printed, not asserted: flags per
  honest pair, and spurious flags on planted pairs (flags matching no plant).
"""

from __future__ import annotations

import json
from pathlib import Path

from optimizer.analysis import check_grounding

DATA = json.loads((Path(__file__).parent / "data" / "grounding_eval.json").read_text())
PAIRS = DATA["pairs"]
KINDS = {
    "number",
    "percentage",
    "money",
    "team_size",
    "date",
    "duration",
    "employer",
    "title",
    "degree",
    "school",
    "certification",
    "skill",
}


def _overlaps(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a in b or b in a


def test_eval_set_is_well_formed() -> None:
    assert len(PAIRS) >= 30
    assert len({p["id"] for p in PAIRS}) == len(PAIRS)
    planted_kinds = {item["kind"] for p in PAIRS for item in p["planted"]}
    assert planted_kinds == KINDS
    for pair in PAIRS:
        for item in pair["planted"]:
            assert item["phrase"] in pair["rewritten"], (pair["id"], item)
    assert sum(1 for p in PAIRS if not p["planted"]) >= 15


def test_grounding_recall_and_false_flag_rate() -> None:
    planted = caught = 0
    honest = honest_flagged = honest_flags = 0
    spurious = 0
    misses: list[str] = []
    false_flags: list[str] = []
    for pair in PAIRS:
        flags = check_grounding(pair["original"], pair["rewritten"])
        if not pair["planted"]:
            honest += 1
            honest_flags += len(flags)
            honest_flagged += bool(flags)
            false_flags.extend(f"{pair['id']}: {f.message}" for f in flags)
            continue
        for item in pair["planted"]:
            planted += 1
            if any(_overlaps(item["phrase"], f.phrase) for f in flags):
                caught += 1
            else:
                misses.append(f"{pair['id']}: {item['kind']} {item['phrase']!r}")
        spurious += sum(
            1 for f in flags if not any(_overlaps(i["phrase"], f.phrase) for i in pair["planted"])
        )
    recall = caught / planted
    false_rate = honest_flagged / honest
    print(
        f"\ngrounding eval: {len(PAIRS)} pairs ({honest} honest, {len(PAIRS) - honest} planted)"
        f"\n  recall {caught}/{planted} = {recall:.1%}"
        f"\n  false-flag rate (honest pairs with any flag) {honest_flagged}/{honest} = {false_rate:.1%}"
        f"\n  flags per honest pair {honest_flags / honest:.2f}"
        f"\n  spurious flags on planted pairs {spurious}"
    )
    for line in misses + false_flags:
        print("  ", line)
    assert recall >= 0.95, misses
    assert false_rate <= 0.05, false_flags
