"""python manage.py evaluate_analysis [--score] [--json]: the analysis' figures on its
evaluation sets (the match score: ordering and stuffing; see optimizer/analysis/score_eval.py)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from optimizer.analysis.score_eval import MAX_STUFFING_GAIN, score_report

DATA = Path(settings.BASE_DIR) / "tests" / "data"


class Command(BaseCommand):
    help = (
        "Run the analysis on its evaluation sets and print the figures its targets are about: "
        "for the match score, better > original > worse per job and the points stuffing gains."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--score", action="store_true", help="only the match score's set")
        parser.add_argument(
            "--score-set", type=Path, default=DATA / "score_eval.json", help="the score's set"
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=datetime.date(2026, 12, 1),
            help="the date 'Present' means (default: the set's, so figures are repeatable)",
        )
        parser.add_argument("--json", action="store_true", help="one JSON document instead")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            items = json.loads(Path(options["score_set"]).read_text())["items"]
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Cannot read {options['score_set']}: {exc}") from exc
        report = score_report(items, today=options["today"])
        if options["json"]:
            self.stdout.write(json.dumps({"score": report}, indent=2, ensure_ascii=False))
            return
        self.score_section(report)

    def score_section(self, report: dict[str, Any]) -> None:
        w = self.stdout.write
        w("Match score")
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
