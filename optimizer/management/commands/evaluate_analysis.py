"""python manage.py evaluate_analysis [--grounding | --score] [--details] [--json]: the
analysis' figures on its evaluation sets: the grounding check's recall per kind and flags on
honest rewrites (tests/data/grounding_eval_v2.json, optimizer/analysis/evaluation.py), and the
match score's ordering and stuffing figures (tests/data/score_eval.json, score_eval.py)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from optimizer.analysis.evaluation import format_grounding_report, grounding_report
from optimizer.analysis.score_eval import MAX_STUFFING_GAIN, score_report

DATA = Path(settings.BASE_DIR) / "tests" / "data"
EVAL_SET = DATA / "grounding_eval_v2.json"


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise CommandError(f"{path}: expected a JSON object")
    return data


def grounding(path: Path = EVAL_SET, details: bool = False) -> list[str]:
    """The grounding section: figures on the v2 evaluation set, at the set's own 'today'."""
    data = _read(path)
    report = grounding_report(data["pairs"], today=datetime.date.fromisoformat(data["today"]))
    return ["GROUNDING", *format_grounding_report(report, details=details)]


class Command(BaseCommand):
    help = (
        "Run the analysis on its evaluation sets and print the figures its targets are about: "
        "grounding recall per kind and flags on honest rewrites; for the match score, "
        "better > original > worse per job and the points stuffing gains."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--grounding", action="store_true", help="only the grounding set")
        parser.add_argument("--score", action="store_true", help="only the match score's set")
        parser.add_argument("--details", action="store_true", help="list misses and false flags")
        parser.add_argument(
            "--score-set", type=Path, default=DATA / "score_eval.json", help="the score's set"
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=datetime.date(2026, 12, 1),
            help="the date 'Present' means for the score's set (fixed, so figures repeat)",
        )
        parser.add_argument("--json", action="store_true", help="the score's figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        both = not (options["grounding"] or options["score"])
        if options["grounding"] or both:
            for line in grounding(details=options["details"]):
                self.stdout.write(line)
        if options["score"] or both:
            items = _read(options["score_set"]).get("items")
            if not isinstance(items, list):
                raise CommandError(f"{options['score_set']}: expected an 'items' list")
            report = score_report(items, today=options["today"])
            if options["json"]:
                self.stdout.write(json.dumps({"score": report}, indent=2, ensure_ascii=False))
                return
            self.score_section(report)

    def score_section(self, report: dict[str, Any]) -> None:
        w = self.stdout.write
        w("MATCH SCORE")
        w(f"{'job':22} {'lang':4} {'worse':>5} {'orig.':>5} {'better':>6}  largest stuffing gain")
        for row in report["rows"]:
            worst = max(row["stuffing_gain"].items(), key=lambda kv: kv[1])
            w(
                f"{row['id']:22} {row['language']:4} {row['worse']:>5} {row['original']:>5} "
                f"{row['better']:>6}  {worst[1]:+d} ({worst[0]})"
            )
        n = report["items"]
        w(f"better > original > worse: {report['ordered']}/{n}")
        w(
            f"largest stuffing gain: {report['max_stuffing_gain']} points "
            f"(target <= {MAX_STUFFING_GAIN}; {len(report['rows'][0]['stuffing_gain'])} kinds of "
            f"stuffing into the original and the tailored version of {n} resumes, "
            f"languages {', '.join(report['languages'])})"
        )
        for job, kind in report["stuffing_over_limit"]:
            w(f"  over the limit: {job} {kind}")
