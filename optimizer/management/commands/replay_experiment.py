"""python manage.py replay_experiment EXPERIMENT: past requests through each of its variants."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django.core.management.base import BaseCommand, CommandError, CommandParser

from optimizer import replay
from optimizer.llm.client import OfflineProvider, Provider


class Command(BaseCommand):
    help = (
        "Replay stored requests (the most recent distinct ones) through every prompt version "
        "of an experiment, recorded as replays that count in its comparison. "
        "See optimizer/replay.py."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("experiment", help="the experiment's name (or id)")
        parser.add_argument(
            "--limit", type=int, default=50, help=f"stored requests (1-{replay.MAX_LIMIT}, 50)"
        )
        parser.add_argument(
            "--provider",
            choices=("configured", "offline"),
            default="configured",
            help="configured: the site's LLM provider (default); offline: the offline engine, "
            "no network or cost (it ignores the prompt: a check of the plumbing, not a test)",
        )
        parser.add_argument(
            "--concurrency", type=int, default=2, help="calls at once (1-16, default 2)"
        )
        parser.add_argument(
            "--max-usd", type=float, default=None, help="stop before this run spends more"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            experiment = replay.find_experiment(options["experiment"])
            variants = replay.variants_of(experiment)
            requests = replay.stored_requests(options["limit"])
        except replay.ReplayError as error:
            raise CommandError(str(error)) from None
        if not requests:
            raise CommandError("No stored requests to replay: no finished optimization yet")
        provider: Provider | None = OfflineProvider() if options["provider"] == "offline" else None
        self.stdout.write(
            f"Replaying {len(requests)} request(s) through {len(variants)} variant(s) of "
            f"{experiment.name!r}: {len(requests) * len(variants)} generation(s)"
        )
        try:
            report = async_to_sync(replay.replay)(
                experiment.pk,
                variants,
                requests,
                provider=provider,
                concurrency=options["concurrency"],
                max_usd=options["max_usd"],
            )
        except replay.ReplayError as error:
            raise CommandError(str(error)) from None
        for failure in sorted(set(report.errors)):
            self.stderr.write(f"failed: {failure}")
        self.stdout.write(
            f"Replayed {report.warmed} of {report.total}, failed {report.failed}, "
            f"not started {report.not_started}; "
            f"spent ${report.spent_usd:.4f}"
        )
        if report.stopped:
            raise CommandError(f"Stopped early: {report.stopped}", returncode=2)
