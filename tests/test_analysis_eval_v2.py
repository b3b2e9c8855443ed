"""Grounding quality on the v2 evaluation set (tests/data/grounding_eval_v2.json, issue 14).

The bounds are the issue's targets: recall >= 97% overall and >= 90% per kind (each located at
the planted phrase), honest rewrites with any flag <= 5%, with a blocking flag <= 2%.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from optimizer.analysis.evaluation import format_grounding_report, grounding_report

DATA = json.loads((Path(__file__).parent / "data" / "grounding_eval_v2.json").read_text())
TODAY = date.fromisoformat(DATA["today"])


def test_eval_set_is_broad() -> None:
    pairs = DATA["pairs"]
    planted = [i for p in pairs for i in p["planted"]]
    assert len(planted) >= 150
    assert len({p["resume"] for p in pairs}) >= 12
    assert {p["lang"] for p in pairs} >= {"en", "de", "es", "fr"}
    for pair in pairs:
        for item in pair["planted"]:
            assert item["phrase"] in pair["rewritten"], pair["id"]


def test_grounding_figures() -> None:
    report = grounding_report(DATA["pairs"], today=TODAY)
    print("\n" + "\n".join(format_grounding_report(report, details=True)))
    assert report["recall"] >= 0.97, report["misses"]
    assert min(r["recall"] for r in report["recall_by_kind"].values()) >= 0.90
    assert report["honest_any_rate"] <= 0.05, report["false_flags"]
    assert report["honest_blocking_rate"] <= 0.02, report["false_flags"]


def test_grounding_is_deterministic_across_processes() -> None:
    code = (
        "import json,sys;from datetime import date;"
        "from optimizer.analysis.evaluation import grounding_report as g;"
        "d=json.load(open(sys.argv[1]));"
        "print(json.dumps(g(d['pairs'][::7],today=date.fromisoformat(d['today'])),sort_keys=True))"
    )
    path = str(Path(__file__).parent / "data" / "grounding_eval_v2.json")
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(Path(__file__).parents[1])}
        run = subprocess.run(
            [sys.executable, "-c", code, path], env=env, capture_output=True, text=True, check=True
        )
        outputs.append(run.stdout)
    assert outputs[0] == outputs[1]
