"""Print the analysis quality figures: grounding recall per kind and flags on honest rewrites."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from optimizer.analysis.evaluation import format_grounding_report, grounding_report

EVAL_SET = Path(__file__).resolve().parents[3] / "tests" / "data" / "grounding_eval_v2.json"


def grounding(path: Path = EVAL_SET, details: bool = False) -> list[str]:
    """The grounding section: figures on the v2 evaluation set, at the set's own 'today'."""
    data = json.loads(path.read_text(encoding="utf-8"))
    report = grounding_report(data["pairs"], today=date.fromisoformat(data["today"]))
    return ["GROUNDING", *format_grounding_report(report, details=details)]


class Command(BaseCommand):
    help = "Print the analysis figures (grounding) on the project's evaluation sets."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--details", action="store_true", help="list misses and false flags")

    def handle(self, *args: Any, **options: Any) -> None:
        for line in grounding(details=options["details"]):
            self.stdout.write(line)
