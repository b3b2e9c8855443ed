from __future__ import annotations

from optimizer.analysis.readability import readability

CLEAN = """Jane Doe
SUMMARY
Python developer.
EXPERIENCE
Engineer — Acme (Jan 2019 – Mar 2022)
- Built APIs
SKILLS
Python, Django
"""


def checks(text: str, terms: list[str] | None = None) -> dict[str, bool]:
    return {c["check"]: c["passed"] for c in readability(text, terms)["checks"]}


def test_a_clean_resume_passes_every_check() -> None:
    assert readability(CLEAN, ["Python"])["score"] == 100


def test_each_layout_problem_fails_its_own_check() -> None:
    assert not checks(CLEAN.replace("EXPERIENCE", "Where I Have Worked"))["standard_headings"]
    assert not checks(CLEAN + "• Led a team\n")["one_bullet_style"]
    assert not checks(CLEAN + "Python\t| Django | Go\n")["no_tables"]
    assert not checks(CLEAN + "★ Star performer\n")["no_decorative_glyphs"]
    assert not checks(CLEAN + "Intern — Foo (06/2017 – 08/2017)\n")["one_date_format"]
    assert not checks(CLEAN, ["Kubernetes", "Terraform"])["keywords_near_top"]


def test_it_is_deterministic() -> None:
    assert readability(CLEAN, ["Python"]) == readability(CLEAN, ["Python"])


def test_a_contact_line_with_pipes_in_the_header_is_not_a_table() -> None:
    header = "Jane Doe\njane@example.com | Berlin | linkedin.com/in/jane\n"
    assert checks(header + CLEAN.split("\n", 1)[1])["no_tables"]
    assert not checks(header + CLEAN.split("\n", 1)[1] + "Go | Rust | C\n")["no_tables"]
