"""`make run`'s local_setup: a first API key for local use, printed once, and where to go."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from optimizer.models import ApiKey, hash_api_key

pytestmark = pytest.mark.django_db


def test_it_creates_one_admin_key_and_prints_it_once() -> None:
    out = StringIO()
    call_command("local_setup", "--url", "http://127.0.0.1:9000/", stdout=out)
    text = out.getvalue()
    raw = next(line for line in text.splitlines() if "export API_KEY=" in line).split("=", 1)[1]
    key = ApiKey.objects.get()
    assert key.is_admin and key.key_hash == hash_api_key(raw)
    assert "Open http://127.0.0.1:9000/" in text
    assert "  export API=http://127.0.0.1:9000\n" in text
    again = StringIO()
    call_command("local_setup", stdout=again)
    assert raw not in again.getvalue()
    assert (
        "export API_KEY=$(.venv/bin/python manage.py create_api_key local --admin"
        in again.getvalue()
    )
    assert "export API=http://127.0.0.1:8000\n" in again.getvalue()
    assert ApiKey.objects.count() == 1
