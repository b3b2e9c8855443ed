"""python manage.py evaluate_offline [--cases DIR] [--json]: the offline engine's figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from optimizer.offline.evaluation import evaluate, load_cases

DEFAULT_CASES = Path(settings.BASE_DIR) / "tests" / "data" / "offline_eval"


class Command(BaseCommand):
    help = (
        "Run the offline engine on a set of resumes and print, per case and in total: grounding "
        "flags, lost lines, match score and readability before and after, the job's wording."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="a folder of *.json")
        parser.add_argument("--json", action="store_true", help="one JSON document instead")
        parser.add_argument("--verbose", action="store_true", help="list every flag and lost line")

    def handle(self, *args: Any, **options: Any) -> None:
        cases = load_cases(options["cases"])
        if not cases:
            raise CommandError(f"No *.json cases in {options['cases']}")
        results = [evaluate(name, case) for name, case in cases.items()]
        if options["json"]:
            self.stdout.write(json.dumps([r.to_dict() for r in results], indent=2))
            return
        self.stdout.write(
            f"{'case':34} {'lang':4} {'flags':>5} {'lost':>4} {'score':>9} {'readab.':>9}  "
            "job wording"
        )
        for r in results:
            wording = ", ".join(r.alias_terms) or "-"
            if r.alias_terms_missing:
                wording += f" (missing: {', '.join(r.alias_terms_missing)})"
            self.stdout.write(
                f"{r.name:34} {r.language:4} {len(r.grounding):5} {len(r.lost_lines):4} "
                f"{r.score_before:3} -> {r.score_after:3} {r.readability_before:3} -> "
                f"{r.readability_after:3}  {wording}{'' if r.passed() else '  FAILED'}"
            )
            if options["verbose"]:
                for line in [*r.grounding, *r.lost_lines]:
                    self.stdout.write(f"    {line}")
        languages = sorted({r.language for r in results})
        rose = sum(r.score_after > r.score_before for r in results)
        must_rise = sum(r.score_must_rise for r in results)
        self.stdout.write(
            f"\n{len(results)} cases, {len(languages)} languages ({', '.join(languages)}): "
            f"{sum(len(r.grounding) for r in results)} grounding flags, "
            f"{sum(len(r.lost_lines) for r in results)} lost lines, "
            f"score rose in {rose} and fell in "
            f"{sum(r.score_after < r.score_before for r in results)} "
            f"({must_rise} had a job term the score did not credit under its other name), "
            f"readability rose in {sum(r.readability_after > r.readability_before for r in results)}"
            f" and fell in {sum(r.readability_after < r.readability_before for r in results)}, "
            f"job wording used for {sum(len(r.alias_terms) - len(r.alias_terms_missing) for r in results)}"
            f" of {sum(len(r.alias_terms) for r in results)} terms; "
            f"{sum(r.passed() for r in results)} of {len(results)} cases pass."
        )
