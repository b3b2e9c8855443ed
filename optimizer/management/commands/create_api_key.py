"""python manage.py create_api_key NAME [--admin]: the raw key is the last line of output."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from optimizer.models import ApiKey


class Command(BaseCommand):
    help = "Create an API key. Only its hash is stored: the raw key is printed once, last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Who or what the key is for, e.g. 'ci-integration'")
        parser.add_argument(
            "--admin", action="store_true", help="Allow admin endpoints (DELETE /api/v1/cache)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        if not name:
            self.stderr.write("The key needs a name")
            raise SystemExit(2)
        key, raw = ApiKey.create_key(name[:100], is_admin=options["admin"])
        kind = "admin key" if key.is_admin else "key"
        self.stdout.write(
            f"Created {kind} {key.name!r} (prefix {key.prefix}). "
            "Store it now: it cannot be shown again. Use it as 'Authorization: Bearer <key>'."
        )
        self.stdout.write(raw)
