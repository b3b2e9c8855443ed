from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from optimizer.analysis import GroundingFlag, GroundingStream, check_grounding, is_blocking

ORIGINAL = """Jane Doe
EXPERIENCE
Acme Corp - Software Engineer (Jan 2019 - Mar 2022)
- Wrote Python services on Postgres and k8s
- Cut API latency 35% and saved $1,200,000 a year
- Mentored three junior developers; onboarding took 3 weeks
- Reduced build time from 40 to 25 minutes across 1,000 builds
EDUCATION
B.S. Computer Science, University of Arizona, 2018
CERTIFICATIONS
AWS Certified Developer"""

EVAL = json.loads((Path(__file__).parent / "data" / "grounding_eval.json").read_text())["pairs"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Cut costs by 40%", 'Unsupported number "40%" in "Cut costs by 40%"'),
        ("Shipped 12 releases.", 'Unsupported number "12" in "Shipped 12 releases"'),
        (
            "Saved $2.5M in cloud spend.",
            'Unsupported money amount "$2.5M" in "Saved $2.5M in cloud spend"',
        ),
        (
            "Led a team of 8 engineers.",
            'Unsupported team size "team of 8" in "Led a team of 8 engineers"',
        ),
        (
            "Managed 6 analysts.",
            'Unsupported team size "Managed 6 analysts" in "Managed 6 analysts"',
        ),
        ("Promoted in 2017.", 'Unsupported date "2017" in "Promoted in 2017"'),
        ("Started Feb 2020.", 'Unsupported date "Feb 2020" in "Started Feb 2020"'),
        (
            "Owned billing for 5 years.",
            'Unsupported duration "5 years" in "Owned billing for 5 years"',
        ),
        (
            "Previously worked at Initech.",
            'Unsupported employer "Initech" in "Previously worked at Initech"',
        ),
        (
            "Consulted for Globex Corporation.",
            'Unsupported employer "Globex Corporation" in "Consulted for Globex Corporation"',
        ),
        (
            "Staff Engineer at Acme Corp",
            'Unsupported job title "Staff Engineer" in "Staff Engineer at Acme Corp"',
        ),
        (
            "Senior Software Engineer with a Python focus.",
            'Unsupported job title "Senior Software Engineer" in "Senior Software Engineer with a Python focus"',
        ),
        ("MBA, 2018", 'Unsupported degree "MBA" in "MBA, 2018"'),
        (
            "Master of Science in Computer Science",
            'Unsupported degree "Master of Science in Computer Science" in "Master of Science in Computer Science"',
        ),
        (
            "Studied at Stanford University.",
            'Unsupported school "Stanford University" in "Studied at Stanford University"',
        ),
        (
            "PMP certified project lead.",
            'Unsupported certification "PMP" in "PMP certified project lead"',
        ),
        (
            "Certified Kubernetes Administrator (CKA)",
            'Unsupported certification "Certified Kubernetes Administrator" in "Certified Kubernetes Administrator (CKA)"',
        ),
        (
            "Built services in Go and Kafka.",
            'Unsupported skill "Go" in "Built services in Go and Kafka"',
        ),
    ],
)
def test_each_kind_is_flagged_with_exact_message(line: str, message: str) -> None:
    flags = check_grounding(ORIGINAL, f"- {line}")
    assert message in [f.message for f in flags], [f.message for f in flags]


def test_flag_shape() -> None:
    flag = check_grounding(ORIGINAL, "- Cut costs by 40%.")[0]
    assert flag == GroundingFlag(
        "percentage", "40%", "Cut costs by 40%", 'Unsupported number "40%" in "Cut costs by 40%"'
    )
    assert flag.to_dict() == {
        "kind": "percentage",
        "phrase": "40%",
        "sentence": "Cut costs by 40%",
        "message": 'Unsupported number "40%" in "Cut costs by 40%"',
    }
    json.dumps(flag.to_dict())


@pytest.mark.parametrize(
    "line",
    [
        "PROFESSIONAL EXPERIENCE",
        "Software Engineer | Acme Corporation | 01/2019 \u2013 03/2022",
        "Acme Corp — Software Engineer (January 2019 to March 2022)",
        "Built Python services on PostgreSQL and Kubernetes.",
        "Reduced API latency by 35 percent and saved $1.2M per year.",
        "Saved $1.2 million annually.",
        "Mentored 3 junior developers.",
        "Onboarding took three weeks.",
        "Cut build time from 40 minutes to 25 minutes across 1k builds.",
        "Processed 1000 builds.",
        "Bachelor of Science in Computer Science — University of Arizona (2018)",
        "BS, Computer Science, 2018",
        "AWS Certified Developer",
        "Collaborated with Product and Design to deliver features.",
        "TECHNICAL SKILLS: Python, PostgreSQL, Kubernetes",
        "Jane Doe",
    ],
)
def test_reformatted_facts_are_not_flagged(line: str) -> None:
    assert check_grounding(ORIGINAL, line) == []


def test_is_blocking() -> None:
    flags = {
        f.kind: f
        for f in check_grounding(ORIGINAL, "- Led a team of 9 at Initech in 2016 using Go.")
    }
    assert is_blocking(flags["team_size"])
    assert is_blocking(flags["employer"])
    # Issue 14: invented skills and dates that extend the original's are blocking too.
    assert is_blocking(flags["date"])
    assert is_blocking(flags["skill"])


def test_a_date_inside_the_originals_dates_only_warns() -> None:
    original = "Engineer, Acme Corp, 2015 - 2020"
    flags = check_grounding(original, "Engineer, Acme Corp, Mar 2017 - 2020")
    assert [(f.kind, is_blocking(f)) for f in flags] == [("date", False)]


def test_flags_reported_once_per_sentence() -> None:
    flags = check_grounding(ORIGINAL, "- Saved 40% twice: 40% and 40%.\n- Saved 40% again.")
    assert [f.sentence for f in flags] == ["Saved 40% twice: 40% and 40%", "Saved 40% again"]


def _chunks(text: str, rng: random.Random) -> list[str]:
    out, i = [], 0
    while i < len(text):
        step = rng.choice([1, 1, 2, 3, 5, 8, 13, 40])
        out.append(text[i : i + step])
        i += step
    return out


@pytest.mark.parametrize("seed", range(8))
def test_streaming_matches_batch_for_random_chunkings(seed: int) -> None:
    rng = random.Random(seed)
    for pair in EVAL:
        expected = check_grounding(pair["original"], pair["rewritten"])
        stream = GroundingStream(pair["original"])
        got: list[GroundingFlag] = []
        for chunk in _chunks(pair["rewritten"], rng):
            got.extend(stream.feed(chunk))
        got.extend(stream.finish())
        assert got == expected, pair["id"]


def test_stream_reports_complete_sentences_early() -> None:
    stream = GroundingStream(ORIGINAL)
    assert stream.feed("- Cut costs by 4") == []
    assert stream.feed("0%") == []  # sentence not complete yet
    flags = stream.feed(". Then")  # ". " + capital letter ends the sentence
    assert [f.phrase for f in flags] == ["40%"]
    assert stream.feed(" shipped 7 apps") == []
    assert [f.phrase for f in stream.feed("\n")] == ["7"]
    assert stream.finish() == []


def test_abbreviations_do_not_split_sentences() -> None:
    flags = check_grounding("Engineer", "- Earned a B.S. in Physics from Reed College in 2015.")
    kinds = {f.kind: f.sentence for f in flags}
    assert (
        kinds["degree"]
        == kinds["school"]
        == kinds["date"]
        == "Earned a B.S. in Physics from Reed College in 2015"
    )


def test_a_title_that_starts_with_a_dot_is_the_originals() -> None:
    original = (
        "EXPERIENCE\n.NET Developer - Proseware (2020 - Present)\n- Built ASP.NET Core APIs\n"
    )
    rewrite = "EXPERIENCE\n.NET Developer at Proseware since 2020, building ASP.NET Core APIs\n"
    assert [flag.message for flag in check_grounding(original, rewrite)] == []
    invented = "EXPERIENCE\n.NET Architect at Proseware since 2020\n"
    assert [flag.kind for flag in check_grounding(original, invented)] == ["title"]


def test_the_original_is_read_once_for_several_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """One resume checked against several jobs (a batch, each save on the review page): the
    original's reading is shared, the job's own terms are each job's."""
    from optimizer.analysis import clear_caches, evidence

    clear_caches()
    reads: list[str] = []
    real = evidence.Evidence._read
    monkeypatch.setattr(
        evidence.Evidence, "_read", lambda self, *args: (reads.append("read"), real(self, *args))
    )
    original = "EXPERIENCE\nData Engineer - Acme (2020 - Present)\n- Built Airflow pipelines\n"
    rewrite = (
        "EXPERIENCE\nData Engineer - Acme (2020 - Present)\n- Built Airflow and Dagster pipelines\n"
    )
    with_dagster = check_grounding(original, rewrite, job="We use Dagster and Airflow.")
    without = check_grounding(original, rewrite, job="We use Airflow.")
    assert reads == ["read"]
    assert [flag.phrase for flag in with_dagster] == ["Dagster"]  # a term of that job's ad
    assert "Dagster" not in [flag.phrase for flag in without]
