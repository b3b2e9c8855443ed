"""The admin's prompt versions and experiments: validated forms, and the comparison page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from samples import RESUME
from test_experiments import TERSE_SYSTEM, TERSE_TEMPLATE, _record, _setup

from optimizer import experiments
from optimizer.models import Experiment, Optimization, PromptVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw"))
    return client


def _variants(*rows: tuple[int, int]) -> dict[str, Any]:
    """The inline formset's fields for these (prompt id, weight) rows."""
    data: dict[str, Any] = {
        "variants-TOTAL_FORMS": str(len(rows)),
        "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
    }
    for n, (prompt, weight) in enumerate(rows):
        data[f"variants-{n}-prompt"] = str(prompt)
        data[f"variants-{n}-weight"] = str(weight)
    return data


def test_the_prompt_list_always_has_the_builtin_version(staff_client: Client) -> None:
    page = staff_client.get("/admin/optimizer/promptversion/")
    assert page.status_code == 200
    builtin = PromptVersion.objects.get(builtin=True)
    assert f"v{builtin.pk}" in page.content.decode() and "built-in" in page.content.decode()
    # Its text is the code's: shown, not editable, and it cannot be deleted.
    change = staff_client.get(f"/admin/optimizer/promptversion/{builtin.pk}/change/")
    assert change.status_code == 200 and 'name="system_prompt"' not in change.content.decode()
    delete = staff_client.get(f"/admin/optimizer/promptversion/{builtin.pk}/delete/")
    assert delete.status_code == 403


def test_a_prompt_template_with_wrong_placeholders_is_refused_with_the_reason(
    staff_client: Client,
) -> None:
    form = {"name": "bad", "system_prompt": TERSE_SYSTEM, "active": "on"}
    bad = staff_client.post(
        "/admin/optimizer/promptversion/add/",
        {**form, "template": "Resume: {resume}\nFor: {candidate_name}"},
    )
    html = bad.content.decode()
    assert bad.status_code == 200
    assert "Unknown placeholder {candidate_name}" in html
    assert "The template must contain {job_description}" in html
    assert not PromptVersion.objects.filter(name="bad").exists()
    # Other braces are text (a template may show JSON); the two placeholders are there.
    template = TERSE_TEMPLATE + '\nAnswer like {"a": 1} if you must.'
    good = staff_client.post(
        "/admin/optimizer/promptversion/add/", {**form, "name": "good", "template": template}
    )
    assert good.status_code == 302
    assert PromptVersion.objects.get(name="good").template == template


def test_a_prompt_with_results_keeps_its_text(staff_client: Client) -> None:
    experiment, _builtin, terse = _setup()
    url = f"/admin/optimizer/promptversion/{terse.pk}/change/"
    form = {"name": terse.name, "system_prompt": TERSE_SYSTEM, "template": TERSE_TEMPLATE}
    # No results yet: it can still be edited.
    edited = staff_client.post(url, {**form, "system_prompt": TERSE_SYSTEM + " Be brief."})
    assert edited.status_code == 302
    _record(experiment, terse, 3)
    refused = staff_client.post(url, {**form, "system_prompt": "Something else entirely."})
    assert refused.status_code == 200
    assert f"{terse} already has 1 result(s): its text cannot change." in refused.content.decode()
    terse.refresh_from_db()
    assert terse.system_prompt == TERSE_SYSTEM + " Be brief."
    # Renaming it or stopping its traffic is fine.
    renamed = staff_client.post(
        url, {**form, "system_prompt": terse.system_prompt, "name": "terse, brief"}
    )
    assert renamed.status_code == 302
    terse.refresh_from_db()
    assert terse.name == "terse, brief" and not terse.active


def test_an_experiment_needs_two_variants_and_runs_alone(staff_client: Client) -> None:
    builtin = experiments.builtin_version()
    terse = PromptVersion.objects.create(
        name="terse", system_prompt=TERSE_SYSTEM, template=TERSE_TEMPLATE
    )
    add = "/admin/optimizer/experiment/add/"
    one = staff_client.post(add, {"name": "e1", "active": "on", **_variants((builtin.pk, 1))})
    assert "An experiment needs at least 2 prompt versions." in one.content.decode()
    zero = staff_client.post(
        add, {"name": "e1", "active": "on", **_variants((builtin.pk, 0), (terse.pk, 0))}
    )
    assert "At least one variant needs a weight above 0." in zero.content.decode()
    terse.active = False
    terse.save()
    inactive = staff_client.post(
        add, {"name": "e1", "active": "on", **_variants((builtin.pk, 1), (terse.pk, 1))}
    )
    assert "Inactive prompt versions cannot get traffic: v" in inactive.content.decode()
    assert not Experiment.objects.exists()
    terse.active = True
    terse.save()

    ok = staff_client.post(
        add, {"name": "e1", "active": "on", **_variants((builtin.pk, 1), (terse.pk, 3))}
    )
    assert ok.status_code == 302
    experiment = Experiment.objects.get(name="e1")
    assert [(v.prompt_id, v.weight) for v in experiment.variants.all()] == [
        (builtin.pk, 1),
        (terse.pk, 3),
    ]
    second = staff_client.post(
        add, {"name": "e2", "active": "on", **_variants((builtin.pk, 1), (terse.pk, 1))}
    )
    assert "“e1” is already running: one experiment runs at a time." in second.content.decode()
    _record(experiment, terse, 3)
    listed = staff_client.get("/admin/optimizer/experiment/").content.decode()
    assert f"{builtin} x1, {terse} x3" in listed
    assert '<td class="field-results">1</td>' in listed


def test_the_experiment_page_shows_the_comparison(staff_client: Client) -> None:
    experiment, builtin, terse = _setup()
    for n in range(30):
        _record(experiment, builtin, 2 + n % 2)
        _record(experiment, terse, 5 + n % 2, download_count=1)
    page = staff_client.get(f"/admin/optimizer/experiment/{experiment.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="experiment-comparison"' in html
    assert f"against the control, <strong>{builtin}</strong>" in html
    gain = html[html.index("Match-score gain") : html.index("Unsupported claims")]
    # 2.5 vs 5.5: +3.0, s^2 = 7.5/29 each, se = sqrt(2 * 0.2586 / 30) = 0.1313, 1.96 se = 0.2574
    assert "<td>2.5</td>" in gain and "<td>5.5</td>" in gain
    assert "<td>+3.0</td><td>[+2.7, +3.3]</td><td>higher (better)</td>" in gain
    downloaded = html[html.index("Downloaded") :]
    assert "<td>0.0%</td>" in downloaded and "<td>100.0%</td>" in downloaded
    # 0/30 vs 30/30: +100 points. Wilson's upper bound of 0/30 is 2 * (z^2/60) / (1 + z^2/30)
    # = 0.1135, so Newcombe's lower bound is 1 - sqrt(2) * 0.1135 = 0.8395.
    assert "<td>+100.0 pp</td><td>[+83.9 pp, +100.0 pp]</td><td>higher (better)</td>" in downloaded
    # Each record says what made it.
    record = experiment.results.filter(prompt_version=terse).first()
    assert record is not None
    shown = staff_client.get(f"/admin/optimizer/optimization/{record.pk}/change/").content.decode()
    assert str(terse) in shown and experiment.name in shown
    # One record fewer in a variant: too few to tell.
    experiment.results.filter(prompt_version=terse).first().delete()  # type: ignore[union-attr]
    html = staff_client.get(f"/admin/optimizer/experiment/{experiment.pk}/change/").content.decode()
    assert "too few results to tell (fewer than 30 in a variant)" in html


def test_the_replay_action_fills_the_comparison(staff_client: Client, use_anthropic: Any) -> None:
    experiment, builtin, terse = _setup()
    changelist = "/admin/optimizer/experiment/"
    action = {"action": "replay_recent", "_selected_action": [str(experiment.pk)]}
    nothing = staff_client.post(changelist, action, follow=True)
    assert "No stored requests to replay yet." in nothing.content.decode()
    for job in ("Python Developer, Django", "Backend Engineer, Python"):
        Optimization.objects.create(
            resume_text=RESUME, job_description=job, status=Optimization.Status.DONE
        )
    done = staff_client.post(changelist, action, follow=True)
    assert f"Replayed 4 of 4 for “{experiment}”, failed 0" in done.content.decode()
    assert use_anthropic.calls == 4
    assert sorted(
        Optimization.objects.filter(replay=True).values_list("prompt_version_id", flat=True)
    ) == sorted([builtin.pk, builtin.pk, terse.pk, terse.pk])
    other = Experiment.objects.create(name="other")
    both = {"action": "replay_recent", "_selected_action": [str(experiment.pk), str(other.pk)]}
    refused = staff_client.post(changelist, both, follow=True)
    assert "Select one experiment to replay." in refused.content.decode()
    assert use_anthropic.calls == 4
