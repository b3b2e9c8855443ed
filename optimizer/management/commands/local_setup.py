"""Run by `make run` before the server starts: tells a new user where things are.

On a database with no API key yet it creates one for local use and prints it (once: only its hash
is stored), so the README's curl examples work on a fresh machine.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from optimizer.models import ApiKey


class Command(BaseCommand):
    help = "Print where the product runs and create a first API key for local use."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="where it will run")

    def handle(self, *args: Any, **options: Any) -> None:
        provider = settings.LLM_PROVIDER
        if provider == "offline":
            self.stdout.write(
                "LLM: no ANTHROPIC_API_KEY set, the offline optimizer answers (no network, no cost)."
            )
        else:
            self.stdout.write(f"LLM: Claude ({settings.ANTHROPIC_MODEL}).")
        self.stdout.write(
            "Cache: " + ("Redis at " + settings.REDIS_URL if settings.REDIS_URL else "embedded")
        )
        # The README's API examples use exactly these two variables: paste the lines as printed.
        self.stdout.write("For the README's API examples, paste:")
        self.stdout.write(f"  export API={options['url'].rstrip('/')}")
        if not ApiKey.objects.exists():
            _, raw = ApiKey.create_key("local", is_admin=True)
            self.stdout.write(f"  export API_KEY={raw}")
            self.stdout.write("  (a new admin API key for local use, shown only now)")
        else:
            # Only hashes are stored, so the first key cannot be shown again: this makes another.
            self.stdout.write(
                "  export API_KEY=$(.venv/bin/python manage.py create_api_key local --admin"
                " | tail -n 1)"
            )
        self.stdout.write("Admin user: .venv/bin/python manage.py createsuperuser")
        self.stdout.write(f"Open {options['url']}")
