"""Cache warming: `manage.py warm_cache FILE` and the admin action, on the one pipeline, within
the budgets: progress, the budget stop, the dry run, and clear errors for bad files."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.management import CommandError, call_command
from samples import JOB, RESUME

from optimizer import services, warming
from optimizer.llm import budget
from optimizer.llm.cache import get_llm_cache
from optimizer.models import Optimization

pytestmark = pytest.mark.django_db

REQUESTS = [
    {"resume_raw_text": RESUME + f"\nProject {n}: a Django REST API.", "job_description_text": JOB}
    for n in range(3)
]


def write(tmp_path: Path, rows: list[Any], name: str = "requests.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("warm_cache", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def is_cached(row: dict[str, str]) -> bool:
    request = services.OptimizeRequest(row["resume_raw_text"], row["job_description_text"])
    cache = get_llm_cache()
    raw = cache.redis.sync_client().get(cache.full_key(warming._key(request)))
    return raw is not None


def worst_case(row: dict[str, str]) -> float:
    request = services.OptimizeRequest(row["resume_raw_text"], row["job_description_text"])
    estimate = budget.estimate_usd(services.build_llm_request(request))
    assert estimate is not None
    return estimate


def test_a_dry_run_prints_the_estimate_and_calls_nothing(
    use_anthropic: Any, embedded_cache: None, tmp_path: Path
) -> None:
    first = REQUESTS[0]
    async_to_sync(services.generate)(
        services.OptimizeRequest(first["resume_raw_text"], first["job_description_text"])
    )
    calls = use_anthropic.calls
    out, _ = run(str(write(tmp_path, REQUESTS)), "--dry-run")
    expected = worst_case(REQUESTS[1]) + worst_case(REQUESTS[2])
    assert (
        f"3 request(s): 1 already cached, 2 to generate, estimated at most ${expected:.4f}" in out
    )
    assert "Dry run: nothing was generated." in out
    assert use_anthropic.calls == calls
    assert not is_cached(REQUESTS[1]) and not is_cached(REQUESTS[2])


def test_warming_runs_what_is_missing_and_reports_progress(
    use_anthropic: Any, embedded_cache: None, tmp_path: Path
) -> None:
    first = REQUESTS[0]
    async_to_sync(services.generate)(
        services.OptimizeRequest(first["resume_raw_text"], first["job_description_text"])
    )
    calls = use_anthropic.calls
    path = write(tmp_path, ["# a comment", *REQUESTS, ""])
    out, err = run(str(path), "--concurrency", "2")
    assert use_anthropic.calls == calls + 2  # the cached one was skipped
    assert all(is_cached(row) for row in REQUESTS)
    lines = err.splitlines()  # not a terminal: one line per step
    assert lines[0].startswith("[") and " 1/3 " in lines[0]  # the cached one counts as done
    assert [line.split("] ")[1].split(" ")[0] for line in lines] == ["1/3", "2/3", "3/3"]
    assert lines[-1].startswith("[" + "#" * 30 + "]")
    assert "Warmed 2, already cached 1, failed 0, not started 0" in out


def test_warming_stops_at_the_daily_budget(
    use_anthropic: Any, embedded_cache: None, tmp_path: Path, settings: Any
) -> None:
    # Less than one request's worst case: the site budget refuses the first call.
    settings.SITE_DAILY_BUDGET_USD = worst_case(REQUESTS[0]) / 2
    with pytest.raises(CommandError, match="Stopped early: daily budget reached") as stopped:
        run(str(write(tmp_path, REQUESTS)), "--concurrency", "1")
    assert stopped.value.returncode == 2
    assert use_anthropic.calls == 0
    assert not any(is_cached(row) for row in REQUESTS)


def test_warming_stays_within_its_own_cap(
    use_anthropic: Any, embedded_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests = warming.parse_requests(json.dumps(r) for r in REQUESTS)
    worst = worst_case(REQUESTS[0])
    # Under one worst case: nothing starts.
    report = async_to_sync(warming.warm)(requests, concurrency=2, max_usd=worst / 2)
    assert (report.warmed, report.not_started, use_anthropic.calls) == (0, 3, 0)
    assert report.stopped == f"--max-usd {worst / 2:g} reached"

    # Room for one worst case at a time (the real costs are far lower): all run, never two
    # at once, although three workers were allowed.
    running = peak = 0
    generate = services.generate

    async def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        try:
            return await generate(*args, **kwargs)
        finally:
            running -= 1

    monkeypatch.setattr(services, "generate", counting)
    report = async_to_sync(warming.warm)(requests, concurrency=3, max_usd=worst * 1.5)
    assert (report.warmed, report.stopped, peak) == (3, "", 1)
    assert report.spent_usd <= worst * 1.5


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["{not json"], "line 1: not JSON"),
        ([REQUESTS[0], "[1, 2]"], "line 2: expected a JSON object"),
        ([{**REQUESTS[0], "resume": "x"}], "line 1: unknown field(s) resume"),
        ([{"resume_raw_text": RESUME}], "line 1: job_description_text: This field is required."),
        (["# only a comment"], "no requests"),
    ],
)
def test_a_bad_file_is_a_clear_error(
    embedded_cache: None, tmp_path: Path, rows: list[Any], message: str
) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(str(write(tmp_path, rows)))


def test_bad_options_are_clear_errors(embedded_cache: None, tmp_path: Path) -> None:
    path = str(write(tmp_path, REQUESTS))
    with pytest.raises(CommandError, match="--concurrency must be 1 to 16"):
        run(path, "--concurrency", "0")
    with pytest.raises(CommandError, match="--max-usd must not be negative"):
        run(path, "--max-usd", "-1")
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.jsonl"))


def test_the_admin_action_re_runs_the_selected_records(
    use_anthropic: Any, embedded_cache: None, admin_client: Any
) -> None:
    rows = [
        Optimization.objects.create(resume_text=r["resume_raw_text"], job_description=JOB)
        for r in REQUESTS[:2]
    ]
    response = admin_client.post(
        "/admin/optimizer/optimization/",
        {"action": "warm_cache", "_selected_action": [str(row.pk) for row in rows]},
        follow=True,
    )
    text = response.content.decode()
    assert "Warmed 2 of 2 request(s), failed 0" in text
    assert use_anthropic.calls == 2
    assert is_cached(REQUESTS[0]) and is_cached(REQUESTS[1]) and not is_cached(REQUESTS[2])
