"""python manage.py warm_cache FILE: generate and cache the requests of a JSONL file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from optimizer import warming
from optimizer.llm import budget


class Command(BaseCommand):
    help = (
        "Warm the LLM cache: run each request of a JSONL file (resume_raw_text, "
        "job_description_text per line) through the pipeline, skipping cached ones, within "
        "the daily budgets. Prints the estimated cost first; --dry-run stops there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSONL file of requests ('-' reads standard input)")
        parser.add_argument("--dry-run", action="store_true", help="estimate only: no calls")
        parser.add_argument(
            "--concurrency", type=int, default=2, help="requests at once (1-16, default 2)"
        )
        parser.add_argument(
            "--max-usd", type=float, default=None, help="stop before this run spends more"
        )
        parser.add_argument(
            "--refresh", action="store_true", help="regenerate requests that are cached too"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
            requests = warming.parse_requests(text.splitlines())
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from None
        except (warming.WarmInputError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: {error}") from None
        if not 1 <= options["concurrency"] <= warming.MAX_CONCURRENCY:
            raise CommandError(f"--concurrency must be 1 to {warming.MAX_CONCURRENCY}")
        if options["max_usd"] is not None and options["max_usd"] < 0:
            raise CommandError("--max-usd must not be negative")

        planned = async_to_sync(warming.plan)(requests, refresh=options["refresh"])
        self.stdout.write(warming.describe(planned, len(requests)))
        spent = async_to_sync(budget.spent_today)()
        limit = settings.SITE_DAILY_BUDGET_USD
        self.stdout.write(
            f"Site budget today: ${spent:.4f} spent of "
            + (f"${limit:g}" if limit else "no limit (SITE_DAILY_BUDGET_USD=0)")
        )
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was generated.")
            return

        tty = self.stderr.isatty()

        def progress(report: warming.Report) -> None:
            # A bar redrawn in place on a terminal; one line per step in a log.
            line = warming.bar(report)
            self.stderr.write(("\r" + line) if tty else line, ending="" if tty else "\n")

        report = async_to_sync(warming.warm)(
            requests,
            concurrency=options["concurrency"],
            max_usd=options["max_usd"],
            refresh=options["refresh"],
            progress=progress,
        )
        if tty:
            self.stderr.write("")
        for failure in sorted(set(report.errors)):
            self.stderr.write(f"failed: {failure}")
        self.stdout.write(
            f"Warmed {report.warmed}, already cached {report.cached}, failed {report.failed}, "
            f"not started {report.not_started}; spent ${report.spent_usd:.4f}"
        )
        if report.stopped:
            raise CommandError(f"Stopped early: {report.stopped}", returncode=2)
