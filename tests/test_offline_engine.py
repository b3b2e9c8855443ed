"""The offline optimizer: only the candidate's own facts, restructured for ATS parsing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from optimizer.offline import OFFLINE_MODEL_NAME, extract_job_keywords, optimize_offline
from optimizer.offline.engine import normalize_dates

HEADINGS = ("OPTIMIZED RESUME", "CHANGES MADE", "EXPECTED IMPROVEMENT")


def split_answer(answer: str) -> dict[str, str]:
    lines = answer.split("\n")
    positions = [i for i, line in enumerate(lines) if line in HEADINGS]
    assert [lines[i] for i in positions] == list(HEADINGS)
    parts: dict[str, str] = {}
    for index, start in enumerate(positions):
        end = positions[index + 1] if index + 1 < len(positions) else len(lines)
        parts[lines[start]] = "\n".join(lines[start + 1 : end]).strip()
    return parts


def resume_of(answer: str) -> str:
    return split_answer(answer)["OPTIMIZED RESUME"]


def changes_of(answer: str) -> str:
    return split_answer(answer)["CHANGES MADE"]


def section(resume: str, heading: str) -> list[str]:
    lines = resume.split("\n")
    start = lines.index(heading) + 1
    out: list[str] = []
    for line in lines[start:]:
        if line.isupper() and len(line.split()) <= 3 and not line.startswith("- "):
            break
        if line:
            out.append(line)
    return out


def numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:[.,]\d+)?", text))


def assert_facts_kept(original: str, answer: str, employers: list[str]) -> None:
    optimized = resume_of(answer)
    extra = numbers(optimized) - numbers(original)
    assert not extra, f"numbers not in the input: {extra}"
    for employer in employers:
        assert employer in optimized


SOFTWARE_RESUME = """★ John Smith ★
john.smith@email.com | (555) 123-4567 | Austin, TX
═══════════════════════

Professional Experience
Software Engineer\tAcme Corp\t01/2019 - present
• Wrote documentation for internal tools
• Built REST APIs in Python and Django serving 2M requests/day
● Migrated services to Kubernetes on AWS, cutting costs 25%
Junior Developer | Beta LLC | June 2016 – December 2018
* Maintained PHP legacy code
* Added unit testing with pytest

Technical Skills
Java, PHP, Python, Docker, Kubernetes, AWS, Git
-----
Academic Background
B.S. Computer Science, University of Texas, 2016
"""

SOFTWARE_JD = """Senior Backend Engineer
We are looking for a backend engineer with strong Python and Django experience.
You will build REST APIs, deploy on Kubernetes and AWS, and use Terraform and PostgreSQL.
Experience with CI/CD, Docker and Terraform is a plus. Knowledge of Kafka preferred.
"""

NURSING_RESUME = """Maria García, RN
maria.garcia@example.com
(312) 555-0199
Chicago, IL

Profile
Compassionate registered nurse with 6 years in acute care.

Work History
Registered Nurse — Northwestern Memorial Hospital
2019-03 – Current
1. Provided patient care for 5-6 patients per shift on a 32-bed med-surg unit
2. Administered IV therapy and medication administration per protocol
3. Precepted 8 new graduate nurses
Staff Nurse, Mercy Hospital    Aug 2016 - Feb 2019
➤ Performed wound care and infection control audits
➤ Documented care in Epic EHR

Licenses & Certifications
✓ Registered Nurse (RN), Illinois, 2016
✓ BLS, American Heart Association, 2023

Education
Bachelor of Science in Nursing — Loyola University Chicago (2016)

Core Competencies
• Wound care • Epic • Patient education • IV therapy • Infection control
"""

NURSING_JD = """Registered Nurse - Telemetry Unit
Join our Telemetry team. Requirements: active RN license, BLS and ACLS certification.
Provide patient care and patient education, IV therapy, medication administration,
and telemetry monitoring. Experience with Epic EHR required. Telemetry experience preferred.
"""

SALES_RESUME = """Dana Lee
dana.lee@example.com · linkedin.com/in/danalee · Denver, CO

About Me
Quota-carrying seller who loves building relationships.

Employment
Account Executive | CloudCo | 2020 - Present
- Closed $1.2M in new B2B SaaS revenue in 2022 (118% of quota)
- Hosted quarterly customer events
- Managed pipeline in Salesforce and forecasted weekly
Sales Development Representative, DataWorks, 2018 to 2020
- Booked 40+ meetings per month through cold calling and prospecting

Skills
Languages: English, Korean
Tools: HubSpot, Salesforce, Outreach
Selling: Cold calling, Negotiation, Prospecting

Education
BA Communications, University of Colorado, 2018
"""

SALES_JD = """Enterprise Account Executive
You will own the full sales cycle for B2B SaaS accounts: prospecting, negotiation and closing.
Must have Salesforce experience and a track record of exceeding quota. MEDDIC experience and
Gong familiarity are a plus. Strong negotiation and pipeline management skills.
"""


# --------------------------------------------------------------------------- format


def test_model_name() -> None:
    assert OFFLINE_MODEL_NAME == "offline-ats-v2"


def test_three_sections_in_order() -> None:
    answer = optimize_offline(SOFTWARE_RESUME, SOFTWARE_JD)
    parts = split_answer(answer)
    assert list(parts) == list(HEADINGS)
    assert all(parts.values())
    assert answer.startswith("OPTIMIZED RESUME\n")
    for line in changes_of(answer).splitlines():
        assert line.startswith("- ")


def test_deterministic_byte_for_byte() -> None:
    first = optimize_offline(SALES_RESUME, SALES_JD)
    assert first == optimize_offline(SALES_RESUME, SALES_JD)


def test_deterministic_across_hash_seeds() -> None:
    root = Path(__file__).resolve().parent.parent
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[1] + '/tests'];"
        "from test_offline_engine import NURSING_JD, NURSING_RESUME, optimize_offline;"
        "sys.stdout.write(optimize_offline(NURSING_RESUME, NURSING_JD))"
    )
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", code, str(root)],
            capture_output=True,
            env=env,
            check=True,
            cwd=root,
        )
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].decode("utf-8") == optimize_offline(NURSING_RESUME, NURSING_JD)


# --------------------------------------------------------------------------- transformations


@pytest.mark.parametrize(
    ("heading", "canonical"),
    [
        ("Work History", "EXPERIENCE"),
        ("Professional Experience", "EXPERIENCE"),
        ("Employment", "EXPERIENCE"),
        ("Profile", "SUMMARY"),
        ("About me", "SUMMARY"),
        ("Objective:", "SUMMARY"),
        ("Technical Skills", "SKILLS"),
        ("Core Competencies", "SKILLS"),
        ("Academic Background", "EDUCATION"),
        ("Licenses & Certifications", "CERTIFICATIONS"),
        ("PERSONAL PROJECTS", "PROJECTS"),
    ],
)
def test_headings_normalized(heading: str, canonical: str) -> None:
    resume = f"Jane Doe\njane@example.com\n\n{heading}\nSomething true about Jane\n"
    optimized = resume_of(optimize_offline(resume, "Python developer"))
    assert canonical in optimized.split("\n")
    assert heading.rstrip(":") not in optimized.split("\n")


def test_bullets_unified() -> None:
    resume = (
        "Jane Doe\njane@example.com\nEXPERIENCE\nEngineer — Acme (2019 – 2022)\n"
        "• one\n● two\n▪ three\n* four\n– five\n· six\n1. seven\n2) eight\n- nine\n"
    )
    optimized = resume_of(optimize_offline(resume, "nothing relevant here"))
    bullets = [line for line in optimized.split("\n") if line.startswith("- ")]
    assert bullets == [f"- {w}" for w in "one two three four five six seven eight nine".split()]
    assert not re.search(r"[•●▪*·]", optimized)


def test_tables_tabs_pipes_and_glyphs_removed() -> None:
    resume = (
        "✦ Jane Doe ✦\n📧 jane@example.com | ☎ 555-0100\n"
        "═════════════\nEXPERIENCE\n"
        "Engineer\tAcme Corp\t2019 - 2022\n"
        "➤ Built a thing ✓\n"
        "----------\n"
        "SKILLS\n"
        "Python\tSQL\tGo\n"
        "EDUCATION\n"
        "BSc | State University | 2015\n"
    )
    answer = optimize_offline(resume, "Go developer")
    optimized = resume_of(answer)
    assert "\t" not in optimized
    assert " | " not in "\n".join(optimized.split("\n")[2:])  # only the contact line keeps pipes
    assert not re.search(r"[✦📧☎═✓➤]", optimized)
    assert "-----" not in optimized
    assert "Engineer — Acme Corp (2019 – 2022)" in optimized
    assert "- Built a thing" in optimized
    assert "BSc — State University (2015)" in optimized
    assert optimized.split("\n")[:2] == ["Jane Doe", "jane@example.com | 555-0100"]
    assert "Flattened" in changes_of(answer)
    assert "decorative" in changes_of(answer)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jan 2019 - Mar 2022", "Jan 2019 – Mar 2022"),
        ("01/2019 - 03/2022", "Jan 2019 – Mar 2022"),
        ("2019-01 to 2022-03", "Jan 2019 – Mar 2022"),
        ("January 2019 – present", "Jan 2019 – Present"),
        ("Sept. 2019 — Current", "Sep 2019 – Present"),
        ("1/2019-12/2020", "Jan 2019 – Dec 2020"),
        ("2016 - 2019", "2016 – 2019"),
        ("2019-2020", "2019 – 2020"),
        ("JUNE 2016 until now", "Jun 2016 – Present"),
    ],
)
def test_date_normalization(raw: str, expected: str) -> None:
    assert normalize_dates(raw)[0] == expected


@pytest.mark.parametrize(
    "untouched",
    [
        "Call 555-2019 now",
        "On 05/12/2019 we shipped",
        "Released January 5, 2019",
        "Grew revenue 12/20 quarters",
        "Currently leading the team",
    ],
)
def test_date_normalization_leaves_other_numbers(untouched: str) -> None:
    assert normalize_dates(untouched) == (untouched, 0)


def test_dates_in_roles_normalized() -> None:
    answer = optimize_offline(SOFTWARE_RESUME, SOFTWARE_JD)
    optimized = resume_of(answer)
    assert "Software Engineer — Acme Corp (Jan 2019 – Present)" in optimized
    assert "Junior Developer — Beta LLC (Jun 2016 – Dec 2018)" in optimized


def test_skills_reordered_all_kept_none_added() -> None:
    answer = optimize_offline(SOFTWARE_RESUME, SOFTWARE_JD)
    skills = section(resume_of(answer), "SKILLS")
    items = [item.strip() for item in ", ".join(skills).split(",")]
    original = ["Java", "PHP", "Python", "Docker", "Kubernetes", "AWS", "Git"]
    assert sorted(items) == sorted(original)
    asked = {"Python", "Docker", "Kubernetes", "AWS"}
    assert set(items[:4]) == asked
    assert items[4:] == ["Java", "PHP", "Git"]  # stable for the rest


def test_skill_groups_with_labels_reordered() -> None:
    skills = section(resume_of(optimize_offline(SALES_RESUME, SALES_JD)), "SKILLS")
    assert skills[0].startswith("Selling: ")
    assert "Tools: Salesforce, HubSpot, Outreach" in skills
    assert "Languages: English, Korean" in skills


def test_bullets_reordered_by_relevance_stable() -> None:
    optimized = resume_of(optimize_offline(SOFTWARE_RESUME, SOFTWARE_JD))
    lines = optimized.split("\n")
    start = lines.index("Software Engineer — Acme Corp (Jan 2019 – Present)")
    assert lines[start + 1 : start + 4] == [
        "- Built REST APIs in Python and Django serving 2M requests/day",
        "- Migrated services to Kubernetes on AWS, cutting costs 25%",
        "- Wrote documentation for internal tools",
    ]
    # No relevant keywords in the second role: original order kept.
    start = lines.index("Junior Developer — Beta LLC (Jun 2016 – Dec 2018)")
    assert lines[start + 1 : start + 3] == [
        "- Maintained PHP legacy code",
        "- Added unit testing with pytest",
    ]


def test_summary_from_own_facts_only() -> None:
    answer = optimize_offline(SOFTWARE_RESUME, SOFTWARE_JD)
    summary = section(resume_of(answer), "SUMMARY")
    assert len(summary) == 1
    line = summary[0]
    assert line.startswith("Software Engineer ")
    assert "Terraform" not in line and "Kafka" not in line and "PostgreSQL" not in line
    for word in re.findall(r"[A-Z][A-Za-z]+", line):
        assert word in SOFTWARE_RESUME
    assert not re.search(r"\d", line)


def test_existing_summary_kept() -> None:
    optimized = resume_of(optimize_offline(NURSING_RESUME, NURSING_JD))
    summary = section(optimized, "SUMMARY")
    # One summary: the candidate's own, not a second one written above it.
    assert len(summary) == 1 and optimized.count("SUMMARY") == 1
    assert summary[0].startswith("Compassionate registered nurse with 6 years in acute care.")


def test_missing_keywords_only_suggested() -> None:
    answer = optimize_offline(SOFTWARE_RESUME, SOFTWARE_JD)
    optimized = resume_of(answer)
    changes = changes_of(answer)
    for missing in ("Terraform", "PostgreSQL", "Kafka", "CI/CD"):
        assert f"- Consider adding {missing} if it is true for you" in changes
        assert missing.lower() not in optimized.lower()
    assert "Consider adding Python" not in changes


def test_expected_improvement_is_honest() -> None:
    improvement = split_answer(optimize_offline(SOFTWARE_RESUME, SOFTWARE_JD))[
        "EXPECTED IMPROVEMENT"
    ]
    assert "%" not in improvement
    assert "top third" in improvement
    keywords = extract_job_keywords(SOFTWARE_JD)
    assert f"Of the {len(keywords)} key terms" in improvement


def test_no_headings_input_is_handled() -> None:
    answer = optimize_offline("Just a line of text", "")
    assert list(split_answer(answer)) == list(HEADINGS)
    assert "Just a line of text" in resume_of(answer)


def test_job_keywords() -> None:
    keywords = extract_job_keywords(NURSING_JD)
    for expected in ("BLS", "ACLS", "Epic", "patient care", "IV therapy", "telemetry"):
        assert any(k.lower() == expected.lower() for k in keywords), (expected, keywords)
    assert "Join" not in keywords and "Requirements" not in keywords


# --------------------------------------------------------------------------- end to end


@pytest.mark.parametrize(
    ("resume", "jd", "employers", "name"),
    [
        (
            SOFTWARE_RESUME,
            SOFTWARE_JD,
            ["Acme Corp", "Beta LLC", "University of Texas"],
            "John Smith",
        ),
        (
            NURSING_RESUME,
            NURSING_JD,
            ["Northwestern Memorial Hospital", "Mercy Hospital", "Loyola University Chicago"],
            "Maria García, RN",
        ),
        (SALES_RESUME, SALES_JD, ["CloudCo", "DataWorks", "University of Colorado"], "Dana Lee"),
    ],
)
def test_realistic_resumes_end_to_end(
    resume: str, jd: str, employers: list[str], name: str
) -> None:
    answer = optimize_offline(resume, jd)
    optimized = resume_of(answer)
    assert optimized.split("\n")[0] == name
    assert_facts_kept(resume, answer, employers)
    lines = optimized.split("\n")
    assert lines.index("SUMMARY") < lines.index("EXPERIENCE")
    assert "EDUCATION" in lines
    # Every bullet of the input survives (same words, one bullet style).
    for raw in resume.splitlines():
        body = re.sub(r"^\s*(?:[•●▪*➤✓-]|\d[.)])\s*", "", raw).strip()
        is_bullet = raw.strip()[:1] in "•●▪*➤-" or re.match(r"^\d[.)]", raw.strip())
        if is_bullet and re.search(r"\w", body):
            for item in body.split(" • "):  # inline-separated skills become a list
                assert item.strip() in optimized, item
    assert answer == optimize_offline(resume, jd)


def test_nursing_details() -> None:
    answer = optimize_offline(NURSING_RESUME, NURSING_JD)
    optimized = resume_of(answer)
    assert "Registered Nurse — Northwestern Memorial Hospital (Mar 2019 – Present)" in optimized
    assert "Staff Nurse — Mercy Hospital (Aug 2016 – Feb 2019)" in optimized
    assert "CERTIFICATIONS" in optimized.split("\n")
    assert "- Registered Nurse (RN), Illinois, 2016" in optimized
    assert "maria.garcia@example.com | (312) 555-0199 | Chicago, IL" in optimized
    changes = changes_of(answer)
    assert "Consider adding ACLS if it is true for you" in changes
    assert "ACLS" not in optimized


def test_sales_details() -> None:
    answer = optimize_offline(SALES_RESUME, SALES_JD)
    optimized = resume_of(answer)
    assert "Account Executive — CloudCo (2020 – Present)" in optimized
    assert "Sales Development Representative — DataWorks (2018 – 2020)" in optimized
    assert "$1.2M" in optimized and "118%" in optimized
    changes = changes_of(answer)
    assert "Consider adding MEDDIC if it is true for you" in changes
    assert "MEDDIC" not in optimized and "Gong" not in optimized
