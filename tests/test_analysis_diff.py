from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from optimizer.analysis import check_grounding, word_diff
from optimizer.analysis.diff import annotate_unsupported

EVAL = json.loads((Path(__file__).parent / "data" / "grounding_eval.json").read_text())["pairs"]


def _rebuild(ops: list[dict[str, str]]) -> tuple[str, str]:
    old = "".join(op["text"] for op in ops if op["op"] != "insert")
    new = "".join(op["text"] for op in ops if op["op"] != "delete")
    return old, new


def _random_text(rng: random.Random) -> str:
    words = ["Led", "team", "of", "5", "engineers", "\n", "- ", "Python", "  ", "\t", "2019", "."]
    return "".join(
        rng.choice(words) + rng.choice([" ", "", "\n", "  "]) for _ in range(rng.randint(0, 40))
    )


@pytest.mark.parametrize("pair", EVAL, ids=[p["id"] for p in EVAL])
def test_reconstruction_on_eval_pairs(pair: dict[str, str]) -> None:
    ops = word_diff(pair["original"], pair["rewritten"])
    assert _rebuild(ops) == (pair["original"], pair["rewritten"])


def test_reconstruction_on_random_texts() -> None:
    rng = random.Random(1234)
    for _ in range(300):
        a, b = _random_text(rng), _random_text(rng)
        ops = word_diff(a, b)
        assert _rebuild(ops) == (a, b)
        assert all(op["text"] for op in ops)
        assert all(x["op"] != y["op"] for x, y in itertools.pairwise(ops))


def test_ops_are_merged_and_word_level() -> None:
    ops = word_diff("Led a small team.\nWrote code", "Led a team of 5.\nWrote clean code")
    assert ops == [
        {"op": "equal", "text": "Led a "},
        {"op": "delete", "text": "small team."},
        {"op": "insert", "text": "team of 5."},
        {"op": "equal", "text": "\nWrote "},
        {"op": "insert", "text": "clean "},
        {"op": "equal", "text": "code"},
    ]
    assert word_diff("same text", "same text") == [{"op": "equal", "text": "same text"}]
    assert word_diff("", "") == []
    assert word_diff("", "new") == [{"op": "insert", "text": "new"}]


def test_annotate_unsupported_marks_inserted_flagged_text() -> None:
    original = "Led a team.\nShipped the app in 2019."
    optimized = "Led a team of 12.\nShipped the new app in 2019."
    flags = check_grounding(original, optimized)
    ops = annotate_unsupported(word_diff(original, optimized), flags)
    marked = [op for op in ops if "unsupported" in op]
    assert marked == [
        {
            "op": "insert",
            "text": "team of 12.",
            "unsupported": 'Unsupported team size "team of 12" in "Led a team of 12"',
        }
    ]
    assert all("unsupported" not in op for op in ops if op["op"] != "insert")
    assert _rebuild(ops) == (original, optimized)


def test_annotate_marks_insert_when_phrase_spans_equal_text() -> None:
    original = "Saved 40 hours."
    optimized = "Saved 40 hours and $5M."
    ops = annotate_unsupported(word_diff(original, optimized), check_grounding(original, optimized))
    assert [op.get("unsupported") for op in ops if op["op"] == "insert"] == [
        'Unsupported money amount "$5M" in "Saved 40 hours and $5M"'
    ]
