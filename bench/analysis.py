"""The analysis of a finished text (grounding check, match score, word diff), timed in-process on
30,000-character resumes: one built from the evaluation sets' resumes and their honest rewrites
(each resume once, then again with its numbers moved, so that no line repeats), and the
repetitive inputs
that once made it quadratic (tests/test_analysis_worst_case.py). The issue's budget is 150 ms
for each. The memoized tokenization is emptied before every run, so each run starts cold, as a
new resume does."""

from __future__ import annotations

import json
import re
import statistics
import time
from typing import TYPE_CHECKING, Any

from bench.servers import BASE_DIR

if TYPE_CHECKING:
    from bench.run import Bench

BUDGET_MS = 150.0
CHARS = 30_000


def _honest_pairs() -> list[tuple[str, str]]:
    """(original, honest rewrite) of every resume of the evaluation sets, each resume once."""
    data = BASE_DIR / "tests" / "data"
    pairs: dict[str, str] = {}
    for name in ("grounding_eval_v2.json", "grounding_eval.json"):
        for pair in json.loads((data / name).read_text())["pairs"]:
            if not pair["planted"]:
                pairs.setdefault(pair["original"], pair["rewritten"])
    for item in json.loads((data / "score_eval.json").read_text())["items"]:
        pairs.setdefault(item["original"], item["better"])
    return list(pairs.items())


def _shifted(text: str, by: int) -> str:
    """Another candidate's numbers: every number moved by ``by``, so a second copy's lines are
    new lines (a long resume does not repeat itself, and the analysis caches per line)."""
    return re.sub(r"\d+", lambda m: str(int(m.group(0)) + by), text) if by else text


def cases() -> dict[str, tuple[str, str, str]]:
    pairs = _honest_pairs()
    copies: list[tuple[str, str]] = []
    while sum(len(original) for original, _ in copies) < CHARS:
        by = len(copies) // len(pairs)
        copies += [(_shifted(original, by), _shifted(rewrite, by)) for original, rewrite in pairs]
    original = "\n\n".join(o for o, _ in copies)[:CHARS]
    tailored = "\n\n".join(t for _, t in copies)[:CHARS]
    job = json.loads((BASE_DIR / "tests" / "data" / "score_eval.json").read_text())["items"][0]
    repetitive = "Aa " * 10_000
    return {
        "eval-set resumes, distinct": (original, tailored, job["job"]),
        "'Aa ' x 10,000": (repetitive, repetitive.replace("A", "B", 100), "B" * 20_000),
        "'0,' x 15,000": ("0," * 15_000, "0," * 15_000, "1." * 10_000),
        "'1 2 ' x 7,500": ("1 2 " * 7_500, "1 2 " * 7_500, "%" * 20_000),
    }


def _cold() -> None:
    from optimizer.analysis import clear_caches

    clear_caches()


def measure(repeat: int) -> dict[str, dict[str, Any]]:
    """Each case's analysis, cold: the whole of it (p50_ms), and the part a generation does
    after its last chunk (after_text_ms): the pipeline reads the original (Evidence) in a
    thread while the upstream writes, and the final check reuses that reading."""
    from optimizer.analysis import check_grounding, compare_scores, word_diff
    from optimizer.analysis.evidence import Evidence

    out: dict[str, dict[str, Any]] = {}
    for name, (original, optimized, job) in cases().items():
        times, after = [], []
        for _ in range(repeat):
            _cold()
            started = time.perf_counter()
            evidence = Evidence(original, job=job)
            read = time.perf_counter()
            flags = check_grounding(original, optimized, job=job, evidence=evidence)
            compare_scores(original, optimized, job, unsupported=flags)
            word_diff(original, optimized)
            ended = time.perf_counter()
            times.append((ended - started) * 1000)
            after.append((ended - read) * 1000)
        p50 = statistics.median(times)
        out[f"{name} ({len(original):,} chars)"] = {
            "n": repeat,
            "p50_ms": round(p50, 1),
            "min_ms": round(min(times), 1),
            "after_text_ms": round(statistics.median(after), 1),
            "budget_ms": BUDGET_MS,
            "within_budget": p50 <= BUDGET_MS,
            "chars": len(original),
        }
    return out


def run(bench: Bench) -> dict[str, Any]:
    repeat = 2 if bench.plan.smoke else 5
    return {name: bench.row("analysis", name, figures) for name, figures in measure(repeat).items()}


if __name__ == "__main__":
    # python -m bench.analysis: these rows alone, without starting any server.
    for name, figures in measure(5).items():
        print(
            f"{name:42s} p50 {figures['p50_ms']:7.1f} ms  min {figures['min_ms']:7.1f}  "
            f"after the text {figures['after_text_ms']:7.1f}  (budget {BUDGET_MS:.0f})"
        )
