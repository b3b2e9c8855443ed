from __future__ import annotations

import datetime
import json

import pytest

from optimizer.analysis import compare_scores, extract_requirements, match_score

TODAY = datetime.date(2025, 6, 1)

JD = """Senior Backend Engineer

About us
We are a fintech company. Our stack includes Elixir.

Requirements
- 5+ years of experience with Python
- Strong knowledge of PostgreSQL and k8s
- Experience with distributed systems and code reviews
- Bachelor's degree in Computer Science

Nice to have
- Go or Rust
- AWS Certified Solutions Architect

We need someone comfortable with Docker. Terraform experience is a plus.
Benefits
- Unlimited PTO
"""


def _reqs(jd: str) -> dict[str, tuple[str, str]]:
    return {r.term: (r.category, r.importance) for r in extract_requirements(jd)}


def test_extracts_categories_and_importance_from_headings_and_wording() -> None:
    reqs = _reqs(JD)
    assert reqs["5+ years Python"] == ("experience", "must")
    assert reqs["PostgreSQL"] == ("tool", "must")
    assert reqs["Kubernetes"] == ("tool", "must")  # alias k8s -> Kubernetes
    assert reqs["distributed systems"] == ("skill", "must")
    assert reqs["Bachelor's degree"] == ("degree", "must")
    assert reqs["Go"] == ("skill", "nice")  # "Nice to have" heading
    assert reqs["Rust"] == ("skill", "nice")
    assert reqs["AWS Certified Solutions Architect"] == ("certification", "nice")
    assert reqs["Docker"] == ("tool", "must")  # "We need"
    assert reqs["Terraform"] == ("tool", "nice")  # "is a plus"
    assert "Elixir" not in reqs  # "About us" section is skipped


def test_wording_cues_inside_one_line() -> None:
    reqs = _reqs("Python required, Tableau preferred; R is a bonus. Minimum 3 years SQL.")
    assert reqs["Python"] == ("skill", "must")
    assert reqs["Tableau"] == ("tool", "nice")
    assert reqs["R"] == ("skill", "nice")
    assert reqs["3+ years SQL"] == ("experience", "must")


def test_key_phrases_outside_vocabulary() -> None:
    jd = "Requirements\n- Experience with insurance claims adjudication"
    assert _reqs(jd) == {"insurance claims adjudication": ("phrase", "must")}
    assert match_score("Streamlined insurance claims adjudication.", jd).score == 100
    assert match_score("Owned claims adjudication for insurance.", jd).score == 100  # any order
    assert match_score("Processed insurance paperwork.", jd).score == 0


@pytest.mark.parametrize(
    ("jd_term", "resume_term"),
    [
        ("Kubernetes", "k8s"),
        ("k8s", "Kubernetes"),
        ("JavaScript", "JS"),
        ("JS", "JavaScript"),
        ("TypeScript", "TS"),
        ("PostgreSQL", "Postgres"),
        ("Postgres", "PostgreSQL"),
        ("machine learning", "ML"),
        ("ML", "machine learning"),
        ("AI", "artificial intelligence"),
        ("GCP", "Google Cloud"),
        ("AWS", "Amazon Web Services"),
        ("CI/CD", "continuous integration"),
        ("Node.js", "Node"),
        ("React", "React.js"),
        ("Golang", "Go"),
        ("Go", "Golang"),
        ("C#", "C#"),
        ("C++", "C++"),
        (".NET", "dotnet"),
    ],
)
def test_aliases_both_directions(jd_term: str, resume_term: str) -> None:
    report = match_score(f"Built services with {resume_term}.", f"Required: {jd_term}")
    assert report.score == 100, report.to_dict()


def test_plural_and_stem_forms() -> None:
    jd = "Requirements\n- distributed systems\n- code review\n- REST APIs"
    resume = "Designed a distributed system; did weekly code reviews; built REST API."
    assert match_score(resume, jd).score == 100


@pytest.mark.parametrize(
    ("resume", "matched"),
    [
        ("Wrote services in Go.", True),
        ("GO and Python.", True),
        ("Led our go to market plan.", False),
        ("Built a go-to-market strategy.", False),
        ("Ready to go live.", False),
    ],
)
def test_go_is_only_golang_when_capitalized(resume: str, matched: bool) -> None:
    assert (match_score(resume, "Required: Go").score == 100) is matched


def test_short_tokens_are_whole_words() -> None:
    assert match_score("Maintained the API gateway.", "Required: AI").score == 0
    assert match_score("Shipped AI features.", "Required: AI").score == 100
    assert match_score("Statistics in R and SQL.", "Required: R").score == 100
    assert match_score("Our R&D group; C-level reporting.", "Required: R, C").score == 0
    assert match_score("Firmware in C.", "Required: C").score == 100


def test_missing_must_costs_more_than_missing_nice() -> None:
    jd = "Requirements\n- Python\n- Docker\nNice to have\n- Kafka"
    missing_must = match_score("Python and Kafka", jd)
    missing_nice = match_score("Python and Docker", jd)
    assert missing_nice.score > missing_must.score
    assert missing_nice.score == 86  # (3 + 3) / (3 + 3 + 1)
    assert missing_must.score == 57  # (3 + 1) / 7
    assert missing_must.categories["tool"] == {"matched": 1, "total": 2, "coverage": 0.5}


def test_years_of_experience() -> None:
    jd = "Requirements\n- 5+ years of Python experience"
    assert match_score("6 years of Python development.", jd).matched[0]["term"] == "5+ years Python"
    assert match_score("Backend engineer with 7 years of experience.", jd).score > 0
    short = match_score("3 years of Python.", jd)
    assert {
        "term": "5+ years Python",
        "category": "experience",
        "importance": "must",
    } in short.missing
    dated = "Acme - Engineer (2015 - 2018)\nGlobex - Engineer (2018 - Present)\nPython"
    report = match_score(dated, jd, today=TODAY)
    exp = [m for m in report.matched if m["category"] == "experience"]
    assert exp and exp[0]["where"] == [
        "Acme - Engineer (2015 - 2018)",
        "Globex - Engineer (2018 - Present)",
    ]
    education_only = "EDUCATION\nState University (2010 - 2016)\nPython"
    assert all(
        m["category"] != "experience" for m in match_score(education_only, jd, today=TODAY).matched
    )


def test_degree_level_satisfies_lower_requirement() -> None:
    jd = "Requirements\n- Bachelor's degree in a related field"
    assert match_score("M.S. in Statistics, State University", jd).score == 100
    assert match_score("Associate of Science, Community College", jd).score == 0


def test_matched_entries_have_where_lines() -> None:
    report = match_score("SKILLS\n- Python, Docker\n- Kubernetes (k8s)", "Required: Python, k8s")
    assert report.matched == [
        {"term": "Python", "category": "skill", "importance": "must", "where": ["Python, Docker"]},
        {
            "term": "Kubernetes",
            "category": "tool",
            "importance": "must",
            "where": ["Kubernetes (k8s)"],
        },
    ]
    assert report.missing == []
    assert report.requirements == 2


def test_deterministic_json() -> None:
    resume = "Python developer, 6 years. Postgres, Docker, go-to-market."
    first = json.dumps(compare_scores(resume, resume + " Kubernetes.", JD, today=TODAY))
    second = json.dumps(compare_scores(resume, resume + " Kubernetes.", JD, today=TODAY))
    assert first == second
    assert json.dumps(match_score(resume, JD, today=TODAY).to_dict()) == json.dumps(
        match_score(resume, JD, today=TODAY).to_dict()
    )


def test_compare_scores_rises_when_keywords_added_truthfully() -> None:
    original = "Engineer at Acme (2016 - 2024). Wrote python services on postgres. Used k8s."
    optimized = (
        "EXPERIENCE\nAcme - Engineer (2016 - 2024)\n- Built Python services on PostgreSQL and "
        "Kubernetes, with code reviews for a distributed system."
    )
    result = compare_scores(original, optimized, JD, today=TODAY)
    assert set(result) == {
        "before",
        "after",
        "delta",
        "matched",
        "missing",
        "newly_matched",
        "categories",
        "requirements",
        "readability",
        "components",
        "formatting_issues",
        "if_flagged_true",
        "matched_only_by_flagged_claims",
    }
    assert result["after"] > result["before"]
    assert result["delta"] == result["after"] - result["before"]
    newly = {m["term"] for m in result["newly_matched"]}
    assert {"distributed systems", "code review"} <= newly
    assert result["requirements"] == len(extract_requirements(JD))
    json.dumps(result)  # serializable


def test_empty_job_description() -> None:
    report = match_score("anything", "").to_dict()
    assert {k: v for k, v in report.items() if k != "components"} == {
        "score": 0,
        "matched": [],
        "missing": [],
        "categories": {},
        "requirements": 0,
        "formatting_issues": [],
    }
    assert [c["score"] for c in report["components"]] == [None] * 5


def test_a_phrase_is_found_as_whole_words_as_the_regex_would() -> None:
    """score._has_phrase replaces a regex compiled per skills-list item; same answers."""
    import random
    import re

    from optimizer.analysis.score import _has_phrase

    rng = random.Random(7)
    alphabet = "ab _-#.é1 "
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        phrase = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3)))
        expected = bool(re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text))
        assert _has_phrase(text, phrase) == expected, (text, phrase)


def test_the_original_is_scored_once_for_every_rewrite_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A generation's result scores the rewrite alone: the original's score was read while the
    # rewrite streamed (score.prime), and the job's requirements once per job.
    from optimizer.analysis import score

    original = "Jane Doe\nBackend Developer\n- Built Python services on PostgreSQL\n"
    job = "Backend Engineer\nRequirements:\n- Python\n- PostgreSQL\n- Kubernetes\n"
    rewrites = [original + "- Wrote Python tests\n", original + "- Reviewed PostgreSQL queries\n"]
    score.clear_caches()
    scored: list[str] = []
    jobs: list[str] = []
    real_score, real_requirements = score._score, score.extract_requirements

    def counted_score(resume: str, *args: object) -> score.MatchReport:
        scored.append(resume)
        return real_score(resume, *args)  # type: ignore[arg-type]

    def counted_requirements(text: str) -> list[score.Requirement]:
        jobs.append(text)
        return real_requirements(text)

    monkeypatch.setattr(score, "_score", counted_score)
    monkeypatch.setattr(score, "extract_requirements", counted_requirements)
    score.prime(original, job)
    reports = [compare_scores(original, rewrite, job) for rewrite in rewrites]
    assert scored.count(original) == 1 and jobs == [job]
    assert all(r["before"] == reports[0]["before"] for r in reports)
    score.clear_caches()
    assert [compare_scores(original, rewrite, job) for rewrite in rewrites] == reports
