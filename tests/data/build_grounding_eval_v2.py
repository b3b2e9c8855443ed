"""Builds tests/data/grounding_eval_v2.json from the hand-written resumes below.

Each resume has an original, three or more honest rewrites (reworded, reordered, abbreviations
expanded, ATS headings, dates and numbers reformatted: nothing the original does not say), and
planted inventions. A plant is one edit of one honest rewrite, ``(kind, phrase, rewrite, old,
new)``: ``old`` is replaced by ``new``, which contains the invented ``phrase``. Every plant gives
one pair with exactly that invention, so recall is measured per kind and per phrase.

The set was written before the grounding check was changed for it (issue 14), and the check is
not tuned to it: a miss found later is fixed in the check, not by editing the plant.

Run ``python tests/data/build_grounding_eval_v2.py`` after editing; commit the JSON too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TODAY = "2026-06-01"
RESUMES: list[dict[str, Any]] = []


def resume(
    rid: str,
    field: str,
    lang: str,
    layout: str,
    original: str,
    honest: list[str],
    plants: list[tuple[str, str, int, str, str]],
    job: str = "",
) -> None:
    RESUMES.append(
        {
            "id": rid,
            "field": field,
            "lang": lang,
            "layout": layout,
            "original": original.strip("\n"),
            "honest": [h.strip("\n") for h in honest],
            "plants": plants,
            "job": job.strip("\n"),
        }
    )


# ----------------------------------------------------------------------------- software (EN)

resume(
    "software",
    "software",
    "en",
    "standard",
    """
Dana Whitfield
Seattle, WA | dana.whitfield@mailbox.org | (206) 555-0143 | github.com/dwhitfield

EXPERIENCE
Sr. Software Engineer, Larkspur Labs (acquired by Stripe)    Jun 2018 - Present
- Cut p99 latency of the payments API by 40% by moving hot paths to Go
- Raised test coverage from 52% to 81% across 14 services
- Mentored 3 junior engineers; led the migration from Jenkins to GitHub Actions
Software Engineer, Brightwave Inc.    Aug 2015 - May 2018
- Built a Django REST backend serving 2M requests per day
- Wrote PostgreSQL migrations and Redis caching for the reporting module

EDUCATION
B.S. Computer Science, University of Washington, 2015

SKILLS
Python, Go, Django, PostgreSQL, Redis, Docker, Kubernetes, Terraform, AWS
""",
    [
        """
Dana Whitfield
Seattle, WA | dana.whitfield@mailbox.org | (206) 555-0143 | github.com/dwhitfield

PROFESSIONAL SUMMARY
Senior Software Engineer with 10 years of experience building Python and Go backends.

WORK EXPERIENCE
Senior Software Engineer | Larkspur Labs (acquired by Stripe) | 06/2018 - Present
- Reduced p99 latency of the payments API by 40 percent by moving hot paths to Go
- Increased test coverage from 52% to 81% across fourteen services
- Led the migration from Jenkins to GitHub Actions and mentored three junior engineers
Software Engineer | Brightwave Inc. | 08/2015 - 05/2018
- Built a Django REST backend handling 2 million requests per day
- Wrote PostgreSQL migrations and Redis caching for the reporting module

EDUCATION
Bachelor of Science in Computer Science, University of Washington, 2015

TECHNICAL SKILLS
Python, Go, Django, PostgreSQL, Redis, Docker, Kubernetes, Terraform, AWS
""",
        """
Dana Whitfield
dana.whitfield@mailbox.org · (206) 555-0143 · Seattle, WA · github.com/dwhitfield

Summary
Backend engineer who cut payments API p99 latency by 40% and has mentored 3 junior engineers.

Skills
Go, Python, Django, Postgres, Redis, Docker, K8s, Terraform, Amazon Web Services

Experience
Larkspur Labs (acquired by Stripe) — Sr. Software Engineer, June 2018 – present
- Moved hot paths of the payments API to Go, cutting p99 latency by 40%
- Took test coverage from 52% to 81% across 14 services
- Led the Jenkins to GitHub Actions migration
Brightwave Inc. — Software Engineer, August 2015 – May 2018
- Built the Django REST backend (2M requests/day)
- Added Redis caching and PostgreSQL migrations to the reporting module

Education
University of Washington — B.S., Computer Science (2015)
""",
        """
DANA WHITFIELD
Seattle, WA | (206) 555-0143 | dana.whitfield@mailbox.org | github.com/dwhitfield

EXPERIENCE
Senior Software Engineer, Larkspur Labs, Jun 2018 - Present
- Cut p99 latency by 40% on the payments API by rewriting hot paths in Go
- Raised test coverage from 52% to 81% over 14 services
- Mentored 3 junior engineers
- Led the move from Jenkins to GitHub Actions
Software Engineer, Brightwave Inc., Aug 2015 - May 2018
- Built a Django REST backend that served 2,000,000 requests per day
- Wrote PostgreSQL migrations and Redis caching for reporting

EDUCATION
B.S. in Computer Science, University of Washington (2015)

SKILLS
Python · Go · Django · PostgreSQL · Redis · Docker · Kubernetes · Terraform · AWS
""",
    ],
    [
        (
            "percentage",
            "52%",
            0,
            "- Led the migration",
            "- Shortened deploy times by 52%\n- Led the migration",
        ),
        (
            "money",
            "$1.2M",
            0,
            "for the reporting module",
            "for the reporting module, saving $1.2M a year",
        ),
        (
            "team_size",
            "team of 6",
            0,
            "- Led the migration from Jenkins",
            "- Led a team of 6 engineers through the migration from Jenkins",
        ),
        (
            "employer",
            "Microsoft",
            0,
            "Software Engineer | Brightwave Inc. |",
            "Software Engineer | Brightwave Inc. (contractor for Microsoft) |",
        ),
        ("skill", "Kafka", 0, "Terraform, AWS", "Terraform, Kafka, AWS"),
        ("skill", "ClickHouse", 1, "Redis, Docker", "Redis, ClickHouse, Docker"),
        ("duration", "12 years", 0, "with 10 years of experience", "with 12 years of experience"),
        ("date", "08/2013", 0, "08/2015 - 05/2018", "08/2013 - 05/2018"),
        (
            "title",
            "Staff Software Engineer",
            0,
            "Senior Software Engineer | Larkspur",
            "Staff Software Engineer | Larkspur",
        ),
        (
            "identity",
            "dana.w@gmail.com",
            0,
            "dana.whitfield@mailbox.org",
            "dana.w@gmail.com",
        ),
        (
            "identity",
            "linkedin.com/in/danawhitfield",
            2,
            "github.com/dwhitfield",
            "github.com/dwhitfield | linkedin.com/in/danawhitfield",
        ),
        ("number", "40 services", 0, "across fourteen services", "across 40 services"),
        (
            "degree",
            "Master of Science in Computer Science",
            0,
            "Bachelor of Science in Computer Science",
            "Master of Science in Computer Science",
        ),
        (
            "certification",
            "AWS Certified Solutions Architect",
            2,
            "\nSKILLS",
            "\nAWS Certified Solutions Architect\n\nSKILLS",
        ),
    ],
    job="""
Senior Backend Engineer
Requirements: Python, Go, PostgreSQL, Kafka, ClickHouse, Kubernetes. 8+ years of experience.
""",
)

# ----------------------------------------------------------------------------- nursing (EN)

resume(
    "nursing",
    "nursing",
    "en",
    "standard",
    """
Maria Okafor, RN
Phoenix, AZ · maria.okafor.rn@gmail.com · 602-555-0187

LICENSES & CERTIFICATIONS
Arizona RN License #RN204417
BLS, ACLS (American Heart Association)

EXPERIENCE
Staff Nurse, Medical-Surgical Unit — Banner Desert Medical Center, Mesa, AZ    Mar 2019 - Present
- Care for 5-6 patients per shift on a 32-bed med-surg unit
- Precepted 8 new graduate nurses
- Reduced patient falls on the unit by 25% as part of the falls committee
Patient Care Technician — HonorHealth, Scottsdale, AZ    Jun 2017 - Feb 2019
- Took vitals and assisted with wound care

EDUCATION
ADN, Mesa Community College, 2019
RN-to-BSN (in progress, expected 2027), Arizona State University
""",
    [
        """
Maria Okafor, Registered Nurse
Phoenix, AZ · maria.okafor.rn@gmail.com · 602-555-0187

PROFESSIONAL SUMMARY
Registered Nurse with 7 years of clinical experience in medical-surgical care.

LICENSES AND CERTIFICATIONS
Arizona Registered Nurse License #RN204417
Basic Life Support (BLS), Advanced Cardiovascular Life Support (ACLS), American Heart Association

PROFESSIONAL EXPERIENCE
Staff Nurse, Medical-Surgical Unit | Banner Desert Medical Center, Mesa, AZ | March 2019 - Present
- Provide care for 5 to 6 patients per shift on a 32-bed medical-surgical unit
- Precepted eight new graduate nurses
- Helped reduce unit patient falls by 25 percent through the falls committee
Patient Care Technician | HonorHealth, Scottsdale, AZ | June 2017 - February 2019
- Took vital signs and assisted with wound care

EDUCATION
Associate Degree in Nursing, Mesa Community College, 2019
RN-to-BSN (in progress, expected 2027), Arizona State University
""",
        """
MARIA OKAFOR, RN
602-555-0187 | maria.okafor.rn@gmail.com | Phoenix, AZ

SUMMARY
Med-surg RN at Banner Desert Medical Center since 2019, BLS and ACLS certified.

EXPERIENCE
Banner Desert Medical Center, Mesa, AZ — Staff Nurse, Medical-Surgical Unit (03/2019 - Present)
- Cut patient falls on the unit by 25% on the falls committee
- Precepted 8 new grad nurses
- Care for five to six patients per shift on a 32-bed unit
HonorHealth, Scottsdale, AZ — Patient Care Technician (06/2017 - 02/2019)
- Took vitals; assisted with wound care

LICENSES
Arizona RN License #RN204417 · BLS · ACLS

EDUCATION
Associate Degree in Nursing (ADN), Mesa Community College, 2019
Arizona State University: RN-to-BSN, in progress, expected 2027
""",
        """
Maria Okafor, RN
Phoenix, AZ · maria.okafor.rn@gmail.com · 602-555-0187

Registered Nurse (RN) with more than 7 years in patient care, from patient care technician to
staff nurse on a 32-bed medical-surgical unit.

Experience
Staff Nurse, Medical-Surgical Unit, Banner Desert Medical Center, Mar 2019 – Present
- Care for 5-6 patients per shift
- Precepted 8 new graduate nurses
- Falls committee member: unit patient falls down 25%
Patient Care Technician, HonorHealth, Jun 2017 – Feb 2019
- Took vitals and assisted with wound care

Education
ADN — Mesa Community College (2019)
RN-to-BSN — Arizona State University (in progress, expected 2027)

Licenses & Certifications
Arizona RN License #RN204417; BLS; ACLS
""",
    ],
    [
        (
            "degree",
            "BSN, 2025",
            2,
            "RN-to-BSN — Arizona State University (in progress, expected 2027)",
            "BSN, 2025 — Arizona State University",
        ),
        (
            "degree",
            "Bachelor of Science in Nursing",
            0,
            "RN-to-BSN (in progress, expected 2027), Arizona State University",
            "Bachelor of Science in Nursing, Arizona State University",
        ),
        (
            "certification",
            "PALS",
            1,
            "#RN204417 · BLS · ACLS",
            "#RN204417 · BLS · ACLS · PALS",
        ),
        (
            "certification",
            "CCRN",
            2,
            "#RN204417; BLS; ACLS",
            "#RN204417; BLS; ACLS; CCRN",
        ),
        (
            "team_size",
            "12 new graduate nurses",
            2,
            "Precepted 8 new graduate nurses",
            "Precepted 12 new graduate nurses",
        ),
        ("percentage", "40%", 1, "falls on the unit by 25%", "falls on the unit by 40%"),
        (
            "number",
            "48-bed",
            0,
            "on a 32-bed medical-surgical unit",
            "on a 48-bed medical-surgical unit",
        ),
        ("duration", "10 years", 0, "with 7 years of clinical", "with 10 years of clinical"),
        (
            "title",
            "Charge Nurse",
            0,
            "Staff Nurse, Medical-Surgical Unit |",
            "Charge Nurse, Medical-Surgical Unit |",
        ),
        (
            "employer",
            "Mayo Clinic",
            2,
            "Patient Care Technician, HonorHealth",
            "Patient Care Technician, Mayo Clinic",
        ),
        ("identity", "Tucson, AZ", 0, "Phoenix, AZ ·", "Tucson, AZ ·"),
        ("skill", "Epic", 0, "- Took vital signs", "- Charted in Epic; took vital signs"),
        ("date", "2015", 2, "Jun 2017 – Feb 2019", "Jun 2015 – Feb 2019"),
        (
            "school",
            "Grand Canyon University",
            1,
            "Mesa Community College, 2019",
            "Grand Canyon University, 2019",
        ),
    ],
)

# ----------------------------------------------------------------------------- accounting (EN)

resume(
    "accounting",
    "accounting",
    "en",
    "standard",
    """
Priya Raman
Chicago, IL | priya.raman@outlook.com | 312-555-0122 | linkedin.com/in/priyaraman

Staff Accountant
Halvorsen Foods, Chicago, IL | Jan 2021 - Present
- Own month-end close for 3 entities; closed the books in 5 days instead of 9
- Reconcile 40+ balance sheet accounts monthly in NetSuite
- Prepared audit schedules for the external auditors
Accounting Clerk
Brightline Property Group | Jul 2019 - Dec 2020
- Processed about 300 vendor invoices per week
- Assisted with the annual budget in Excel

Education
B.B.A. in Accounting, Loyola University Chicago, 2019

Certifications
CPA candidate: passed AUD and FAR

Skills
NetSuite, Excel (pivot tables, VLOOKUP), QuickBooks, GAAP, account reconciliation
""",
    [
        """
Priya Raman
Chicago, IL | priya.raman@outlook.com | 312-555-0122 | linkedin.com/in/priyaraman

PROFESSIONAL EXPERIENCE
Staff Accountant | Halvorsen Foods, Chicago, IL | January 2021 - Present
- Shortened month-end close for three entities from 9 days to 5 days
- Reconcile more than 40 balance sheet accounts each month in NetSuite
- Prepared audit schedules for external auditors
Accounting Clerk | Brightline Property Group | July 2019 - December 2020
- Processed roughly 300 vendor invoices weekly
- Assisted with the annual budget in Microsoft Excel

EDUCATION
Bachelor of Business Administration in Accounting, Loyola University Chicago, 2019

CERTIFICATIONS
CPA candidate (passed AUD and FAR)

SKILLS
NetSuite, Microsoft Excel (pivot tables, VLOOKUP), QuickBooks, GAAP, account reconciliation
""",
        """
PRIYA RAMAN
312-555-0122 · priya.raman@outlook.com · linkedin.com/in/priyaraman · Chicago, IL

SUMMARY
Staff accountant with 5 years in accounting, owning month-end close for 3 entities in NetSuite.
CPA candidate who has passed AUD and FAR.

EXPERIENCE
Halvorsen Foods — Staff Accountant (01/2021 – Present)
- Month-end close for 3 entities cut from 9 days to 5
- Monthly reconciliation of 40+ balance sheet accounts
- Audit schedules for the external auditors
Brightline Property Group — Accounting Clerk (07/2019 – 12/2020)
- About 300 vendor invoices processed per week
- Assisted with the annual budget

EDUCATION
B.B.A., Accounting — Loyola University Chicago (2019)

SKILLS
GAAP · account reconciliation · NetSuite · QuickBooks · Excel: pivot tables, VLOOKUP
""",
        """
Priya Raman
Chicago, IL | priya.raman@outlook.com | 312-555-0122 | linkedin.com/in/priyaraman

Experience
Staff Accountant, Halvorsen Foods (Chicago, IL), Jan 2021 - Present
- Closed the books in 5 days instead of 9 as owner of month-end close for 3 entities
- Reconcile 40+ balance sheet accounts monthly (NetSuite)
- Prepared the external auditors' audit schedules
Accounting Clerk, Brightline Property Group, Jul 2019 - Dec 2020
- Processed ~300 vendor invoices a week
- Assisted with the annual budget in Excel

Education
BBA, Accounting, Loyola University Chicago, 2019

Certifications
CPA candidate: passed AUD and FAR

Skills
NetSuite, Excel, QuickBooks, GAAP, account reconciliation
""",
    ],
    [
        (
            "certification",
            "Certified Public Accountant (CPA)",
            0,
            "CPA candidate (passed AUD and FAR)",
            "Certified Public Accountant (CPA)",
        ),
        ("certification", "CPA, CMA", 2, "CPA candidate: passed AUD and FAR", "CPA, CMA"),
        (
            "skill",
            "BlackLine",
            0,
            "NetSuite, Microsoft Excel",
            "NetSuite, BlackLine, Microsoft Excel",
        ),
        ("skill", "SAP", 2, "NetSuite, Excel, QuickBooks", "NetSuite, SAP, Excel, QuickBooks"),
        ("number", "7 entities", 1, "close for 3 entities cut", "close for 7 entities cut"),
        (
            "number",
            "500 vendor invoices",
            0,
            "roughly 300 vendor invoices",
            "roughly 500 vendor invoices",
        ),
        ("money", "$25M", 0, "for external auditors", "for external auditors on $25M of revenue"),
        (
            "degree",
            "MBA",
            1,
            "B.B.A., Accounting — Loyola University Chicago (2019)",
            "B.B.A., Accounting — Loyola University Chicago (2019)\nMBA, Finance — Loyola University Chicago (2023)",
        ),
        (
            "title",
            "Senior Accountant",
            0,
            "Staff Accountant | Halvorsen",
            "Senior Accountant | Halvorsen",
        ),
        ("identity", "312-555-0199", 2, "312-555-0122", "312-555-0199"),
        (
            "duration",
            "8 years in accounting",
            1,
            "with 5 years in accounting",
            "with 8 years in accounting",
        ),
        (
            "percentage",
            "30%",
            2,
            "Processed ~300 vendor invoices a week",
            "Processed ~300 vendor invoices a week, 30% faster",
        ),
        (
            "employer",
            "Deloitte",
            0,
            "- Prepared audit schedules for external auditors",
            "- Prepared audit schedules for external auditors at Deloitte",
        ),
        ("date", "2018", 1, "(07/2019 – 12/2020)", "(07/2018 – 12/2020)"),
        (
            "team_size",
            "supervised 4 accounting clerks",
            2,
            "- Processed ~300 vendor invoices a week",
            "- Processed ~300 vendor invoices a week and supervised 4 accounting clerks",
        ),
    ],
    job="Staff Accountant. Requirements: CPA, BlackLine, NetSuite, SAP, GAAP.",
)

# ----------------------------------------------------------------------------- marketing (EN, first-person prose)

resume(
    "marketing",
    "marketing",
    "en",
    "first-person prose",
    """
Jordan Ellis
Austin, TX - jordan@jordanellis.co - 512-555-0160

About me
I am a marketing manager at Fernhill Outdoor Co. in Austin, where I have worked since April 2020.
I run our paid social and email programs with a budget of $400K a year. Last year I grew our email
list from 60,000 to 95,000 subscribers and raised the email conversion rate to 3.2%. I manage two
coordinators and work with an outside agency on creative.

Before Fernhill I spent three years as a marketing coordinator at Salt & Cedar Agency (2017-2020),
where I wrote copy and ran campaigns in HubSpot and Google Ads.

I studied communications at Texas State University (B.A., 2017). Tools I use every day: HubSpot,
Klaviyo, Meta Ads Manager, Google Analytics 4, Canva.
""",
    [
        """
Jordan Ellis
Austin, TX | jordan@jordanellis.co | 512-555-0160

SUMMARY
Marketing Manager with 9 years of marketing experience in paid social, email and a $400K annual budget.

EXPERIENCE
Marketing Manager, Fernhill Outdoor Co., Austin, TX | April 2020 - Present
- Run paid social and email programs with a $400,000 annual budget
- Grew the email list from 60K to 95K subscribers
- Raised email conversion rate to 3.2%
- Manage 2 coordinators and an outside creative agency
Marketing Coordinator, Salt & Cedar Agency | 2017 - 2020
- Wrote copy and ran campaigns in HubSpot and Google Ads

EDUCATION
Bachelor of Arts in Communications, Texas State University, 2017

SKILLS
HubSpot, Klaviyo, Meta Ads Manager, Google Analytics 4, Canva, Google Ads
""",
        """
Jordan Ellis
jordan@jordanellis.co · 512-555-0160 · Austin, TX

I am a marketing manager at Fernhill Outdoor Co. (since April 2020), running paid social and email
with a $400K yearly budget. I grew our email list from 60,000 to 95,000 subscribers, raised email
conversion to 3.2%, and manage two coordinators plus an outside creative agency.

Previously I was a marketing coordinator at Salt & Cedar Agency for three years (2017-2020),
writing copy and running HubSpot and Google Ads campaigns.

B.A. in Communications, Texas State University, 2017.
Daily tools: HubSpot, Klaviyo, Meta Ads Manager, Google Analytics 4 (GA4), Canva.
""",
        """
JORDAN ELLIS
Austin, TX | 512-555-0160 | jordan@jordanellis.co

WORK HISTORY
Fernhill Outdoor Co. — Marketing Manager — 04/2020 to Present
- Own paid social and email ($400K per year)
- Email list up from 60,000 to 95,000 subscribers; email conversion rate raised to 3.2%
- Lead a team of two coordinators and manage an outside agency for creative
Salt & Cedar Agency — Marketing Coordinator — 2017 to 2020
- Copywriting and campaigns in HubSpot and Google Ads

EDUCATION
B.A., Communications — Texas State University — 2017

TOOLS
HubSpot · Klaviyo · Meta Ads Manager · Google Analytics 4 · Canva
""",
    ],
    [
        ("money", "$750K", 1, "with a $400K yearly budget", "with a $750K yearly budget"),
        (
            "number",
            "150,000 subscribers",
            0,
            "from 60K to 95K subscribers",
            "from 60K to 150,000 subscribers",
        ),
        ("percentage", "4.5%", 2, "raised to 3.2%", "raised to 4.5%"),
        (
            "team_size",
            "team of five coordinators",
            2,
            "team of two coordinators",
            "team of five coordinators",
        ),
        (
            "title",
            "Marketing Director",
            0,
            "Marketing Manager, Fernhill",
            "Marketing Director, Fernhill",
        ),
        (
            "employer",
            "Ogilvy",
            1,
            "Previously I was a marketing coordinator at Salt & Cedar Agency",
            "Previously I was a marketing coordinator at Salt & Cedar Agency (acquired by Ogilvy)",
        ),
        ("skill", "Marketo", 2, "HubSpot · Klaviyo", "HubSpot · Marketo · Klaviyo"),
        (
            "skill",
            "Salesforce Marketing Cloud",
            0,
            "Klaviyo, Meta Ads Manager",
            "Klaviyo, Salesforce Marketing Cloud, Meta Ads Manager",
        ),
        (
            "degree",
            "MBA",
            1,
            "B.A. in Communications, Texas State University, 2017.",
            "B.A. in Communications, Texas State University, 2017. MBA, University of Texas at Austin, 2022.",
        ),
        (
            "school",
            "University of Texas",
            0,
            "Texas State University, 2017",
            "University of Texas, 2017",
        ),
        ("duration", "12 years", 0, "with 9 years of marketing", "with 12 years of marketing"),
        (
            "date",
            "2015",
            2,
            "Marketing Coordinator — 2017 to 2020",
            "Marketing Coordinator — 2015 to 2020",
        ),
        (
            "certification",
            "Google Ads Certified",
            0,
            "Canva, Google Ads",
            "Canva, Google Ads (Google Ads Certified)",
        ),
        (
            "identity",
            "jordan.ellis@gmail.com",
            1,
            "jordan@jordanellis.co",
            "jordan.ellis@gmail.com",
        ),
    ],
)

# ----------------------------------------------------------------------------- teaching (EN)

resume(
    "teaching",
    "teaching",
    "en",
    "standard",
    """
Samuel Park
Sacramento, CA | spark.teach@yahoo.com | (916) 555-0134

TEACHING EXPERIENCE
Math Teacher, Rosemont High School, Sacramento City Unified    Aug 2016 - Present
- Teach Algebra I and AP Statistics to about 140 students a year
- Raised AP Statistics pass rate from 58% to 74% over three years
- Coach the Math Olympiad club (12 students)
Student Teacher, Davis Senior High School    Jan 2016 - Jun 2016

EDUCATION
M.A. in Education, UC Davis, 2016
B.S. Mathematics, UC Davis, 2014

CREDENTIALS
California Single Subject Teaching Credential: Mathematics
""",
    [
        """
Samuel Park
Sacramento, CA | spark.teach@yahoo.com | (916) 555-0134

PROFESSIONAL SUMMARY
Mathematics Teacher with nearly 10 years of classroom experience in Algebra I and AP Statistics.

EXPERIENCE
Mathematics Teacher | Rosemont High School, Sacramento City Unified | August 2016 - Present
- Teach Algebra I and AP Statistics to roughly 140 students per year
- Increased the AP Statistics pass rate from 58 percent to 74 percent over 3 years
- Coach the Math Olympiad club of twelve students
Student Teacher | Davis Senior High School | January 2016 - June 2016

EDUCATION
Master of Arts in Education, University of California, Davis, 2016
Bachelor of Science in Mathematics, University of California, Davis, 2014

CERTIFICATIONS
California Single Subject Teaching Credential in Mathematics
""",
        """
SAMUEL PARK
(916) 555-0134 · spark.teach@yahoo.com · Sacramento, CA

Summary
High school math teacher since 2016 who raised AP Statistics pass rates from 58% to 74%.

Experience
Rosemont High School (Sacramento City Unified) — Math Teacher, 08/2016 – present
- AP Statistics pass rate up from 58% to 74% in three years
- Algebra I and AP Statistics for about 140 students each year
- Math Olympiad club coach (12 students)
Davis Senior High School — Student Teacher, 01/2016 – 06/2016

Education
UC Davis — M.A., Education (2016); B.S., Mathematics (2014)

Credentials
California Single Subject Teaching Credential: Mathematics
""",
        """
Samuel Park
Sacramento, CA | spark.teach@yahoo.com | (916) 555-0134

Experience
Math Teacher, Rosemont High School, Aug 2016 - Present
- Teach Algebra I and AP Statistics (about 140 students a year)
- Raised the AP Statistics pass rate from 58% to 74% over three years
- Coach the 12-student Math Olympiad club
Student Teacher, Davis Senior High School, Jan 2016 - Jun 2016

Education
M.A. Education, University of California, Davis (2016)
B.S. Math, University of California, Davis (2014)

Credentials
California Single Subject Teaching Credential (Mathematics)
""",
    ],
    [
        ("percentage", "85%", 0, "to 74 percent over 3 years", "to 85% over 3 years"),
        ("number", "200 students", 2, "(about 140 students a year)", "(about 200 students a year)"),
        (
            "title",
            "Math Department Chair",
            1,
            "— Math Teacher, 08/2016",
            "— Math Department Chair, 08/2016",
        ),
        ("title", "Instructional Coach", 0, "Student Teacher |", "Instructional Coach |"),
        ("degree", "Ed.D.", 1, "M.A., Education (2016);", "Ed.D., Education (2016);"),
        (
            "school",
            "Stanford University",
            2,
            "M.A. Education, University of California, Davis (2016)",
            "M.A. Education, Stanford University (2016)",
        ),
        (
            "certification",
            "National Board Certified",
            0,
            "CERTIFICATIONS\n",
            "CERTIFICATIONS\nNational Board Certified Teacher\n",
        ),
        (
            "skill",
            "Desmos",
            2,
            "- Teach Algebra I and AP Statistics",
            "- Teach Algebra I and AP Statistics with Desmos",
        ),
        (
            "duration",
            "15 years",
            0,
            "with nearly 10 years of classroom",
            "with nearly 15 years of classroom",
        ),
        ("date", "2012", 1, "Math Teacher, 08/2016 – present", "Math Teacher, 08/2012 – present"),
        ("identity", "Samuel J. Parker", 2, "Samuel Park\n", "Samuel J. Parker\n"),
        (
            "team_size",
            "team of 6 teachers",
            0,
            "- Coach the Math Olympiad",
            "- Lead a team of 6 teachers in the math department\n- Coach the Math Olympiad",
        ),
        (
            "money",
            "$50,000",
            1,
            "Math Olympiad club coach (12 students)",
            "Math Olympiad club coach (12 students); won a $50,000 STEM grant",
        ),
    ],
)

# ----------------------------------------------------------------------------- warehouse (EN, ALL CAPS pipe table)

resume(
    "warehouse",
    "warehouse/logistics",
    "en",
    "ALL CAPS headings, pipe table",
    """
MARCUS BELL
MEMPHIS, TN | MBELL.WORKS@GMAIL.COM | 901-555-0178

WORK HISTORY
| EMPLOYER            | ROLE                  | DATES            |
| RIVERBEND LOGISTICS | SHIFT LEAD            | 2021 - PRESENT   |
| QUICKSHIP DC        | FORKLIFT OPERATOR     | 2018 - 2021      |

SHIFT LEAD, RIVERBEND LOGISTICS
- LEAD 14 ASSOCIATES ON NIGHT SHIFT IN A 400,000 SQ FT DC
- RAISED PICK ACCURACY TO 99.6%
- CUT DOCK-TO-STOCK TIME FROM 48 TO 24 HOURS
FORKLIFT OPERATOR, QUICKSHIP DC
- MOVED 200+ PALLETS PER SHIFT, ZERO SAFETY INCIDENTS IN 3 YEARS

CERTIFICATIONS
OSHA 10, FORKLIFT CERTIFIED (SIT-DOWN, REACH)

SKILLS
WMS (MANHATTAN), RF SCANNERS, CYCLE COUNTS, INVENTORY CONTROL
""",
    [
        """
MARCUS BELL
Memphis, TN | mbell.works@gmail.com | 901-555-0178

PROFESSIONAL SUMMARY
Warehouse shift lead with 8 years of distribution center experience.

WORK EXPERIENCE
Shift Lead | Riverbend Logistics | 2021 - Present
- Lead fourteen associates on the night shift in a 400,000 sq ft distribution center
- Raised pick accuracy to 99.6%
- Cut dock-to-stock time from 48 hours to 24 hours
Forklift Operator | QuickShip DC | 2018 - 2021
- Moved more than 200 pallets per shift with zero safety incidents in three years

CERTIFICATIONS
OSHA 10, Forklift Certified (sit-down, reach)

SKILLS
Manhattan WMS, RF scanners, cycle counts, inventory control
""",
        """
MARCUS BELL
901-555-0178 | MBELL.WORKS@GMAIL.COM | MEMPHIS, TN

EXPERIENCE
RIVERBEND LOGISTICS | SHIFT LEAD | 2021 - PRESENT
- LEAD 14 ASSOCIATES ON NIGHT SHIFT (400,000 SQ FT DC)
- PICK ACCURACY RAISED TO 99.6%
- DOCK-TO-STOCK TIME CUT FROM 48 TO 24 HOURS
QUICKSHIP DC | FORKLIFT OPERATOR | 2018 - 2021
- 200+ PALLETS MOVED PER SHIFT; ZERO SAFETY INCIDENTS IN 3 YEARS

CERTIFICATIONS
OSHA 10 · FORKLIFT CERTIFIED (SIT-DOWN, REACH)

SKILLS
WMS (MANHATTAN) · RF SCANNERS · CYCLE COUNTS · INVENTORY CONTROL
""",
        """
Marcus Bell
Memphis, TN | mbell.works@gmail.com | 901-555-0178

Experience
| Employer | Role | Dates |
| Riverbend Logistics | Shift Lead | 2021 - Present |
| QuickShip DC | Forklift Operator | 2018 - 2021 |

Shift Lead, Riverbend Logistics
- Lead 14 associates on night shift in a 400,000 square foot DC
- Raised pick accuracy to 99.6%
- Cut dock-to-stock from 48 to 24 hours
Forklift Operator, QuickShip DC
- Moved 200+ pallets per shift; zero safety incidents in 3 years

Certifications
OSHA 10; Forklift Certified (sit-down, reach)

Skills
WMS (Manhattan), RF scanners, cycle counts, inventory control
""",
    ],
    [
        ("team_size", "25 ASSOCIATES", 1, "LEAD 14 ASSOCIATES", "LEAD 25 ASSOCIATES"),
        ("percentage", "99.9%", 0, "pick accuracy to 99.6%", "pick accuracy to 99.9%"),
        ("number", "12 hours", 2, "from 48 to 24 hours", "from 48 to 12 hours"),
        ("number", "350+ pallets", 0, "more than 200 pallets", "350+ pallets"),
        (
            "employer",
            "Flexport",
            0,
            "| Riverbend Logistics |",
            "| Riverbend Logistics (acquired by Flexport) |",
        ),
        ("employer", "AMAZON", 1, "QUICKSHIP DC | FORKLIFT", "AMAZON | FORKLIFT"),
        (
            "title",
            "Operations Manager",
            2,
            "| Riverbend Logistics | Shift Lead |",
            "| Riverbend Logistics | Operations Manager |",
        ),
        ("certification", "OSHA 30", 0, "OSHA 10, Forklift", "OSHA 30, Forklift"),
        (
            "skill",
            "SAP EWM",
            2,
            "WMS (Manhattan), RF scanners",
            "WMS (Manhattan), SAP EWM, RF scanners",
        ),
        (
            "duration",
            "12 years",
            0,
            "with 8 years of distribution",
            "with 12 years of distribution",
        ),
        (
            "date",
            "2016",
            2,
            "| QuickShip DC | Forklift Operator | 2018 - 2021 |",
            "| QuickShip DC | Forklift Operator | 2016 - 2021 |",
        ),
        ("money", "$200K", 1, "CUT FROM 48 TO 24 HOURS", "CUT FROM 48 TO 24 HOURS, SAVING $200K"),
        ("identity", "901-555-0111", 0, "901-555-0178", "901-555-0111"),
    ],
)

# ----------------------------------------------------------------------------- research / PhD (EN, flattened two-column PDF)

resume(
    "research",
    "research/PhD",
    "en",
    "flattened two-column PDF",
    """
Dr. Lena Hoffmann                                 lena.hoffmann@ucsd.edu
Postdoctoral Researcher                           San Diego, CA
RESEARCH EXPERIENCE                               SKILLS
Postdoctoral Researcher, Scripps Research         Python, PyTorch, R
2022 - present                                    AlphaFold, Rosetta
- Designed 120 protein variants; 9 bound          cryo-EM data processing
  the target with sub-10 nM affinity              (RELION, cryoSPARC)
- Co-supervised 2 PhD students                    EDUCATION
Graduate Researcher, ETH Zurich                   Ph.D. Biochemistry, ETH Zurich, 2021
2017 - 2021                                       M.Sc. Chemistry, LMU Munich, 2016
- Thesis on enzyme stability                      PUBLICATIONS
- Taught 3 semesters of                           11 peer-reviewed papers, 4 as
  biochemistry labs                               first author (h-index 8)
GRANTS
NIH K99 application (submitted 2025)
""",
    [
        """
Dr. Lena Hoffmann
San Diego, CA | lena.hoffmann@ucsd.edu

SUMMARY
Postdoctoral Researcher in protein design with 11 peer-reviewed papers (4 as first author).

RESEARCH EXPERIENCE
Postdoctoral Researcher | Scripps Research | 2022 - Present
- Designed 120 protein variants, 9 of which bound the target with sub-10 nM affinity
- Co-supervised two PhD students
Graduate Researcher | ETH Zurich | 2017 - 2021
- Doctoral thesis on enzyme stability
- Taught three semesters of biochemistry labs

EDUCATION
Ph.D. in Biochemistry, ETH Zurich, 2021
M.Sc. in Chemistry, LMU Munich, 2016

SKILLS
Python, PyTorch, R, AlphaFold, Rosetta, cryo-EM data processing (RELION, cryoSPARC)

PUBLICATIONS
11 peer-reviewed papers, 4 as first author (h-index 8)

GRANTS
NIH K99 application (submitted 2025)
""",
        """
LENA HOFFMANN, PhD
lena.hoffmann@ucsd.edu · San Diego, CA

Protein designer at Scripps Research since 2022: 120 variants designed, 9 binders with sub-10 nM
affinity; 11 peer-reviewed papers (h-index 8).

EXPERIENCE
Scripps Research — Postdoctoral Researcher (2022 – present)
- Designed 120 protein variants; nine bound the target with sub-10 nM affinity
- Co-supervised 2 Ph.D. students
ETH Zurich — Graduate Researcher (2017 – 2021)
- Thesis: enzyme stability
- Taught biochemistry labs for 3 semesters

EDUCATION
ETH Zurich — PhD, Biochemistry (2021)
LMU Munich — MSc, Chemistry (2016)

TECHNICAL SKILLS
Python · PyTorch · R · AlphaFold · Rosetta · cryo-EM (RELION, cryoSPARC)
""",
        """
Lena Hoffmann
Postdoctoral Researcher | San Diego, CA | lena.hoffmann@ucsd.edu

Experience
Postdoctoral Researcher, Scripps Research, 2022 - present
- Designed 120 protein variants (9 bound the target with sub-10 nM affinity)
- Co-supervised 2 PhD students
Graduate Researcher, ETH Zurich, 2017 - 2021
- Thesis on enzyme stability; taught 3 semesters of biochemistry labs

Education
Doctor of Philosophy in Biochemistry, ETH Zurich, 2021
Master of Science in Chemistry, LMU Munich, 2016

Publications
Eleven peer-reviewed papers, four as first author; h-index 8

Skills
Python, PyTorch, R, AlphaFold, Rosetta, RELION, cryoSPARC
""",
    ],
    [
        (
            "number",
            "25 peer-reviewed papers",
            0,
            "with 11 peer-reviewed papers",
            "with 25 peer-reviewed papers",
        ),
        ("number", "h-index 15", 1, "(h-index 8)", "(h-index 15)"),
        (
            "number",
            "300 protein variants",
            2,
            "Designed 120 protein variants",
            "Designed 300 protein variants",
        ),
        (
            "money",
            "$1.5M",
            0,
            "NIH K99 application (submitted 2025)",
            "NIH K99 award ($1.5M, 2025)",
        ),
        (
            "team_size",
            "team of 5",
            1,
            "Co-supervised 2 Ph.D. students",
            "Led a team of 5 researchers and co-supervised 2 Ph.D. students",
        ),
        (
            "title",
            "Principal Investigator",
            2,
            "Postdoctoral Researcher, Scripps Research",
            "Principal Investigator, Scripps Research",
        ),
        (
            "employer",
            "Genentech",
            0,
            "Graduate Researcher | ETH Zurich | 2017 - 2021",
            "Graduate Researcher | ETH Zurich (in collaboration with Genentech) | 2017 - 2021",
        ),
        ("school", "MIT", 1, "LMU Munich — MSc, Chemistry (2016)", "MIT — MSc, Chemistry (2016)"),
        (
            "degree",
            "M.D.",
            2,
            "Master of Science in Chemistry, LMU Munich, 2016",
            "M.D., LMU Munich, 2016",
        ),
        ("skill", "Schrödinger", 1, "Python · PyTorch", "Python · Schrödinger · PyTorch"),
        ("skill", "GROMACS", 2, "Rosetta, RELION", "Rosetta, GROMACS, RELION"),
        ("date", "2014", 0, "| ETH Zurich | 2017 - 2021", "| ETH Zurich | 2014 - 2021"),
        (
            "duration",
            "10 years of research",
            1,
            "Protein designer at Scripps Research since 2022",
            "Protein designer with 10 years of research, at Scripps Research since 2022",
        ),
        (
            "identity",
            "lena.hoffmann@scripps.edu",
            2,
            "lena.hoffmann@ucsd.edu",
            "lena.hoffmann@scripps.edu",
        ),
    ],
)

# ----------------------------------------------------------------------------- sales (EN, ASCII table)

resume(
    "sales",
    "sales",
    "en",
    "ASCII table",
    """
Tyler Brooks
Denver, CO | tyler.brooks.sales@gmail.com | 720-555-0190 | linkedin.com/in/tylerbrooks

+----------------------+---------------------------+-------------------+
| Company              | Role                      | Dates             |
+----------------------+---------------------------+-------------------+
| Quarry Software      | Mid-Market Account Exec   | Feb 2022 - Present|
| Quarry Software      | SDR                       | Jun 2020 - Jan 2022|
| Peak Fitness Clubs   | Membership Sales Rep      | 2018 - 2020       |
+----------------------+---------------------------+-------------------+

Quarry Software, Mid-Market Account Executive
- Closed $1.8M in new ARR in 2024 (118% of quota)
- Average deal size $42K; sales cycle 60 days
Quarry Software, SDR
- Booked 25+ meetings per month; promoted after 18 months
Peak Fitness Clubs, Membership Sales Rep
- Sold 40 memberships a month

Skills: Salesforce, Outreach, Gong, MEDDPICC, cold calling
Education: B.A. Economics, University of Colorado Boulder, 2018
""",
    [
        """
Tyler Brooks
Denver, CO | tyler.brooks.sales@gmail.com | 720-555-0190 | linkedin.com/in/tylerbrooks

PROFESSIONAL SUMMARY
Account Executive, Mid-Market, with 8 years in sales, closing $1.8M in new ARR in 2024.

EXPERIENCE
Account Executive, Mid-Market | Quarry Software | February 2022 - Present
- Closed $1.8 million in new ARR in 2024, 118% of quota
- Average deal size of $42,000 with a 60-day sales cycle
Sales Development Representative | Quarry Software | June 2020 - January 2022
- Booked more than 25 meetings per month; promoted after 18 months
Membership Sales Representative | Peak Fitness Clubs | 2018 - 2020
- Sold forty memberships per month

SKILLS
Salesforce, Outreach, Gong, MEDDPICC, cold calling

EDUCATION
Bachelor of Arts in Economics, University of Colorado Boulder, 2018
""",
        """
TYLER BROOKS
720-555-0190 · tyler.brooks.sales@gmail.com · linkedin.com/in/tylerbrooks · Denver, CO

Experience
Quarry Software — Mid-Market Account Executive (02/2022 – present)
- $1.8M new ARR closed in 2024: 118% of quota
- $42K average deal, 60-day sales cycle
Quarry Software — Sales Development Rep (06/2020 – 01/2022)
- 25+ meetings booked a month; promoted after 18 months
Peak Fitness Clubs — Membership Sales Rep (2018 – 2020)
- 40 memberships sold per month

Skills
MEDDPICC · Salesforce · Gong · Outreach · cold calling

Education
University of Colorado Boulder — B.A., Economics (2018)
""",
        """
Tyler Brooks
Denver, CO | tyler.brooks.sales@gmail.com | 720-555-0190 | linkedin.com/in/tylerbrooks

+-------------------+--------------------------------+---------------------+
| Company           | Role                           | Dates               |
+-------------------+--------------------------------+---------------------+
| Quarry Software   | Mid-Market Account Executive   | Feb 2022 - Present  |
| Quarry Software   | SDR                            | Jun 2020 - Jan 2022 |
| Peak Fitness Clubs| Membership Sales Representative| 2018 - 2020         |
+-------------------+--------------------------------+---------------------+

Mid-Market Account Executive, Quarry Software
- Closed $1.8M in new ARR in 2024 (118% of quota); average deal $42K; 60-day cycle
SDR, Quarry Software
- Booked 25+ meetings a month and was promoted after 18 months
Membership Sales Rep, Peak Fitness Clubs
- Sold 40 memberships a month

Skills: Salesforce, Outreach, Gong, MEDDPICC, cold calling
Education: B.A. Economics, University of Colorado Boulder, 2018
""",
    ],
    [
        ("money", "$2.4M", 0, "Closed $1.8 million in new ARR", "Closed $2.4M in new ARR"),
        ("percentage", "135%", 1, "118% of quota", "135% of quota"),
        ("money", "$65K", 2, "average deal $42K", "average deal $65K"),
        ("number", "40+ meetings", 0, "more than 25 meetings", "40+ meetings"),
        ("duration", "90-day", 1, "60-day sales cycle", "90-day sales cycle"),
        (
            "title",
            "Senior Account Executive",
            0,
            "Account Executive, Mid-Market | Quarry",
            "Senior Account Executive, Mid-Market | Quarry",
        ),
        (
            "title",
            "Enterprise Account Executive",
            2,
            "| Quarry Software   | Mid-Market Account Executive   |",
            "| Quarry Software   | Enterprise Account Executive   |",
        ),
        ("skill", "MEDDICC", 1, "MEDDPICC · Salesforce", "MEDDICC · Salesforce"),
        (
            "skill",
            "ZoomInfo",
            0,
            "Salesforce, Outreach, Gong",
            "Salesforce, Outreach, ZoomInfo, Gong",
        ),
        (
            "employer",
            "Oracle",
            1,
            "Peak Fitness Clubs — Membership Sales Rep (2018 – 2020)",
            "Oracle — Membership Sales Rep (2018 – 2020)",
        ),
        (
            "team_size",
            "managed 3 SDRs",
            2,
            "- Booked 25+ meetings a month and",
            "- Booked 25+ meetings a month, managed 3 SDRs and",
        ),
        (
            "identity",
            "linkedin.com/in/tbrooks-sales",
            0,
            "linkedin.com/in/tylerbrooks",
            "linkedin.com/in/tbrooks-sales",
        ),
        ("date", "2019", 1, "(06/2020 – 01/2022)", "(06/2019 – 01/2022)"),
        (
            "school",
            "Stanford University",
            2,
            "B.A. Economics, University of Colorado Boulder",
            "B.A. Economics, Stanford University",
        ),
        ("duration", "15 years in sales", 0, "with 8 years in sales", "with 15 years in sales"),
    ],
    job="Mid-Market Account Executive. Requirements: MEDDICC, Salesforce, ZoomInfo, 5+ years of SaaS sales.",
)

# ----------------------------------------------------------------------------- career changer (EN)

resume(
    "career_changer",
    "career changer (retail to data analytics)",
    "en",
    "standard",
    """
Aisha Grant
Columbus, OH | aisha.grant.data@gmail.com | 614-555-0115

PROJECTS
Retail Sales Dashboard (Google Data Analytics Certificate capstone)
- Cleaned 50,000 rows of sales data in SQL and built a Tableau dashboard
Bike Share Analysis
- Analyzed 12 months of trip data in R

EXPERIENCE
Assistant Store Manager, Kroger, Columbus, OH    2017 - 2023
- Managed a staff of 22 and a $3M annual sales budget
- Built weekly inventory reports in Excel that reduced shrink by 15%
Sales Associate, Target    2014 - 2017

EDUCATION
Google Data Analytics Certificate (Coursera), 2024
Coursework in statistics, Columbus State Community College

SKILLS
SQL, Excel, Tableau, familiar with Python
""",
    [
        """
Aisha Grant
Columbus, OH | aisha.grant.data@gmail.com | 614-555-0115

SUMMARY
Aspiring data analyst with a Google Data Analytics Certificate and 6 years of retail management
experience using data to reduce shrink.

PROJECTS
Retail Sales Dashboard | Google Data Analytics Certificate capstone
- Cleaned 50K rows of sales data with SQL and built a dashboard in Tableau
Bike Share Analysis
- Analyzed twelve months of trip data using R

PROFESSIONAL EXPERIENCE
Assistant Store Manager | Kroger, Columbus, OH | 2017 - 2023
- Managed a staff of 22 employees and a $3 million annual sales budget
- Created weekly Excel inventory reports that cut shrink by 15 percent
Sales Associate | Target | 2014 - 2017

EDUCATION & CERTIFICATIONS
Google Data Analytics Certificate, Coursera, 2024
Statistics coursework, Columbus State Community College

SKILLS
SQL, Microsoft Excel, Tableau, familiar with Python
""",
        """
AISHA GRANT
614-555-0115 · aisha.grant.data@gmail.com · Columbus, OH

Career changer moving from retail management into data analytics. At Kroger I managed a staff of
22 and a $3M sales budget and built Excel inventory reports that reduced shrink by 15%. I earned
the Google Data Analytics Certificate in 2024.

Projects
- Retail Sales Dashboard: 50,000 rows of sales data cleaned in SQL, Tableau dashboard
- Bike Share Analysis: 12 months of trip data in R

Experience
Kroger, Columbus, OH — Assistant Store Manager (2017 – 2023)
Target — Sales Associate (2014 – 2017)

Education
Google Data Analytics Certificate (Coursera), 2024
Columbus State Community College: coursework in statistics

Skills: SQL · Tableau · Excel · familiar with Python
""",
        """
Aisha Grant
Columbus, OH | aisha.grant.data@gmail.com | 614-555-0115

Projects
Retail Sales Dashboard, capstone of the Google Data Analytics Certificate
- Cleaned 50,000 rows of sales data in SQL; built a Tableau dashboard
Bike Share Analysis
- 12 months of trip data analyzed in R

Experience
Assistant Store Manager, Kroger, Columbus, OH, 2017 - 2023
- Managed a staff of 22 and a $3M annual sales budget
- Built weekly inventory reports in Excel, reducing shrink by 15%
Sales Associate, Target, 2014 - 2017

Education
Google Data Analytics Certificate (Coursera), 2024
Coursework in statistics, Columbus State Community College

Skills
SQL, Excel, Tableau, familiar with Python
""",
    ],
    [
        (
            "skill",
            "Python, Power BI",
            2,
            "SQL, Excel, Tableau, familiar with Python",
            "SQL, Excel, Tableau, Python, Power BI",
        ),
        ("skill", "Python (pandas)", 0, "familiar with Python", "Python (pandas)"),
        ("skill", "Looker", 1, "Skills: SQL · Tableau", "Skills: SQL · Looker · Tableau"),
        (
            "degree",
            "Associate Degree in Statistics",
            0,
            "Statistics coursework, Columbus State Community College",
            "Associate Degree in Statistics, Columbus State Community College",
        ),
        (
            "title",
            "Data Analyst",
            2,
            "Sales Associate, Target, 2014 - 2017",
            "Sales Associate, Target, 2014 - 2017\nData Analyst, Kroger, 2023 - Present",
        ),
        (
            "title",
            "Store Manager",
            1,
            "Kroger, Columbus, OH — Assistant Store Manager",
            "Kroger, Columbus, OH — Store Manager",
        ),
        (
            "team_size",
            "staff of 40",
            0,
            "Managed a staff of 22 employees",
            "Managed a staff of 40 employees",
        ),
        (
            "money",
            "$5 million",
            0,
            "a $3 million annual sales budget",
            "a $5 million annual sales budget",
        ),
        ("percentage", "25%", 2, "reducing shrink by 15%", "reducing shrink by 25%"),
        (
            "number",
            "2 million rows",
            1,
            "50,000 rows of sales data",
            "2 million rows of sales data",
        ),
        (
            "certification",
            "IBM Data Analyst Professional Certificate",
            2,
            "Google Data Analytics Certificate (Coursera), 2024\nCoursework",
            "Google Data Analytics Certificate (Coursera), 2024\nIBM Data Analyst Professional Certificate, 2024\nCoursework",
        ),
        ("employer", "Walmart", 0, "Sales Associate | Target |", "Sales Associate | Walmart |"),
        (
            "date",
            "2025",
            1,
            "Google Data Analytics Certificate (Coursera), 2024",
            "Google Data Analytics Certificate (Coursera), 2025",
        ),
        (
            "duration",
            "9 years of retail",
            0,
            "6 years of retail management",
            "9 years of retail management",
        ),
        ("identity", "Cincinnati, OH", 1, "Columbus, OH\n\nCareer", "Cincinnati, OH\n\nCareer"),
    ],
)

# ----------------------------------------------------------------------------- hospitality (ES)

resume(
    "hospitality_es",
    "hospitality",
    "es",
    "standard",
    """
Lucía Fernández Ruiz
Málaga, España | lucia.fernandez.ruiz@gmail.com | +34 612 345 678

EXPERIENCIA PROFESIONAL
Jefa de Recepción — Hotel Miramar Costa, Marbella    marzo 2019 - actualidad
- Dirijo un equipo de 9 recepcionistas en un hotel de 180 habitaciones
- Aumenté la puntuación en Booking.com de 8,4 a 9,1
- Implanté Opera PMS en dos hoteles del grupo
Recepcionista — Hostal La Alcazaba, Granada    junio 2016 - febrero 2019
- Atención al cliente en español, inglés y francés

FORMACIÓN
Grado en Turismo, Universidad de Málaga, 2016

IDIOMAS
Español (nativo), inglés (C1), francés (B2)

HABILIDADES
Opera PMS, Excel, gestión de reservas, atención al cliente
""",
    [
        """
Lucía Fernández Ruiz
Málaga, España | lucia.fernandez.ruiz@gmail.com | +34 612 345 678

PERFIL PROFESIONAL
Jefa de Recepción con 10 años de experiencia en hotelería y atención al cliente.

EXPERIENCIA
Jefa de Recepción | Hotel Miramar Costa, Marbella | 03/2019 - actualidad
- Dirijo un equipo de nueve recepcionistas en un hotel de 180 habitaciones
- Subí la puntuación de Booking.com de 8,4 a 9,1
- Implanté Opera PMS en 2 hoteles del grupo
Recepcionista | Hostal La Alcazaba, Granada | 06/2016 - 02/2019
- Atención al cliente en español, inglés y francés

EDUCACIÓN
Grado en Turismo, Universidad de Málaga, 2016

IDIOMAS
Español (nativo), inglés (C1), francés (B2)

HABILIDADES
Opera PMS, Microsoft Excel, gestión de reservas, atención al cliente
""",
        """
LUCÍA FERNÁNDEZ RUIZ
+34 612 345 678 · lucia.fernandez.ruiz@gmail.com · Málaga, España

EXPERIENCIA PROFESIONAL
Hotel Miramar Costa, Marbella — Jefa de Recepción (marzo de 2019 – actualidad)
- Equipo de 9 recepcionistas a mi cargo; hotel de 180 habitaciones
- Implantación de Opera PMS en dos hoteles del grupo
- Puntuación en Booking.com: de 8,4 a 9,1
Hostal La Alcazaba, Granada — Recepcionista (junio de 2016 – febrero de 2019)
- Atención al cliente en tres idiomas: español, inglés y francés

FORMACIÓN
Universidad de Málaga — Grado en Turismo (2016)

HABILIDADES
Opera PMS · gestión de reservas · atención al cliente · Excel
Idiomas: español nativo, inglés C1, francés B2
""",
        """
Lucía Fernández Ruiz
Málaga, España | lucia.fernandez.ruiz@gmail.com | +34 612 345 678

Experiencia
Jefa de Recepción, Hotel Miramar Costa (Marbella), mar. 2019 - actualidad
- Dirijo a 9 recepcionistas en un hotel de 180 habitaciones
- Aumenté la nota en Booking.com de 8,4 a 9,1
- Implanté Opera PMS en dos hoteles del grupo
Recepcionista, Hostal La Alcazaba (Granada), jun. 2016 - feb. 2019
- Atención al cliente en español, inglés y francés

Formación
Grado en Turismo — Universidad de Málaga — 2016

Idiomas
Español (nativo), inglés (C1), francés (B2)

Habilidades
Opera PMS, Excel, gestión de reservas, atención al cliente
""",
    ],
    [
        (
            "team_size",
            "equipo de 15 recepcionistas",
            0,
            "equipo de nueve recepcionistas",
            "equipo de 15 recepcionistas",
        ),
        ("number", "250 habitaciones", 1, "hotel de 180 habitaciones", "hotel de 250 habitaciones"),
        ("number", "9,5", 2, "de 8,4 a 9,1", "de 8,4 a 9,5"),
        ("number", "cinco hoteles", 1, "Opera PMS en dos hoteles", "Opera PMS en cinco hoteles"),
        (
            "title",
            "Directora de Hotel",
            0,
            "Jefa de Recepción | Hotel Miramar",
            "Directora de Hotel | Hotel Miramar",
        ),
        (
            "employer",
            "Meliá Hotels",
            2,
            "Recepcionista, Hostal La Alcazaba (Granada)",
            "Recepcionista, Meliá Hotels (Granada)",
        ),
        (
            "school",
            "Universidad de Sevilla",
            1,
            "Universidad de Málaga — Grado",
            "Universidad de Sevilla — Grado",
        ),
        (
            "degree",
            "Máster en Dirección Hotelera",
            0,
            "Grado en Turismo, Universidad de Málaga, 2016",
            "Grado en Turismo, Universidad de Málaga, 2016\nMáster en Dirección Hotelera, Universidad de Málaga, 2018",
        ),
        ("skill", "Cloudbeds", 2, "Opera PMS, Excel", "Opera PMS, Cloudbeds, Excel"),
        (
            "skill",
            "alemán (B2)",
            0,
            "francés (B2)\n\nHABILIDADES",
            "francés (B2), alemán (B2)\n\nHABILIDADES",
        ),
        ("duration", "15 años", 0, "con 10 años de experiencia", "con 15 años de experiencia"),
        (
            "date",
            "2014",
            1,
            "(junio de 2016 – febrero de 2019)",
            "(junio de 2014 – febrero de 2019)",
        ),
        (
            "percentage",
            "20%",
            2,
            "- Implanté Opera PMS en dos hoteles del grupo",
            "- Implanté Opera PMS en dos hoteles del grupo y reduje los tiempos de check-in un 20%",
        ),
        ("identity", "+34 699 111 222", 0, "+34 612 345 678", "+34 699 111 222"),
        (
            "certification",
            "Certificado de Profesionalidad en Recepción",
            2,
            "Formación\n",
            "Formación\nCertificado de Profesionalidad en Recepción, 2015\n",
        ),
    ],
)

# ----------------------------------------------------------------------------- legal (FR)

resume(
    "legal_fr",
    "legal",
    "fr",
    "standard",
    """
Camille Durand
Lyon, France | camille.durand@avocat-lyon.fr | 06 12 34 56 78

EXPÉRIENCE PROFESSIONNELLE
Avocate collaboratrice — Cabinet Morel & Associés, Lyon    septembre 2019 - aujourd'hui
- Conseil en droit du travail auprès de 35 PME clientes
- Plaidé plus de 60 dossiers devant le conseil de prud'hommes
- Rédaction de contrats de travail et de règlements intérieurs
Juriste stagiaire — Groupe SEB, Écully    janvier 2018 - juin 2018
- Veille juridique et rédaction de notes

FORMATION
Master 2 Droit social, Université Lyon 3, 2018
CAPA (Certificat d'aptitude à la profession d'avocat), 2019

LANGUES
Français (langue maternelle), anglais (courant)

COMPÉTENCES
Droit du travail, contentieux prud'homal, Dalloz, Lexis 360
""",
    [
        """
Camille Durand
Lyon, France | camille.durand@avocat-lyon.fr | 06 12 34 56 78

PROFIL
Avocate en droit du travail avec 6 ans d'expérience en conseil et en contentieux.

EXPÉRIENCE
Avocate collaboratrice | Cabinet Morel & Associés, Lyon | 09/2019 - aujourd'hui
- Conseil en droit du travail pour trente-cinq PME clientes
- Plus de 60 dossiers plaidés devant le conseil de prud'hommes
- Rédaction de contrats de travail et de règlements intérieurs
Juriste stagiaire | Groupe SEB, Écully | 01/2018 - 06/2018
- Veille juridique et rédaction de notes

FORMATION
Master 2 en Droit social, Université Lyon 3, 2018
CAPA, Certificat d'aptitude à la profession d'avocat, 2019

COMPÉTENCES
Droit du travail, contentieux prud'homal, Dalloz, Lexis 360
Langues : français (langue maternelle), anglais (courant)
""",
        """
CAMILLE DURAND
06 12 34 56 78 · camille.durand@avocat-lyon.fr · Lyon, France

EXPÉRIENCE PROFESSIONNELLE
Cabinet Morel & Associés, Lyon — Avocate collaboratrice (septembre 2019 – aujourd'hui)
- Plus de 60 dossiers plaidés aux prud'hommes
- Conseil de 35 PME clientes en droit du travail
- Contrats de travail et règlements intérieurs
Groupe SEB, Écully — Juriste stagiaire (janvier 2018 – juin 2018)
- Veille juridique, notes

FORMATION
Université Lyon 3 — Master 2 Droit social (2018)
CAPA (2019)

COMPÉTENCES
Contentieux prud'homal · droit du travail · Lexis 360 · Dalloz
""",
        """
Camille Durand
Lyon, France | camille.durand@avocat-lyon.fr | 06 12 34 56 78

Expérience
Avocate collaboratrice, Cabinet Morel & Associés (Lyon), sept. 2019 - aujourd'hui
- Je conseille 35 PME clientes en droit du travail
- J'ai plaidé plus de 60 dossiers devant le conseil de prud'hommes
- Je rédige des contrats de travail et des règlements intérieurs
Juriste stagiaire, Groupe SEB (Écully), janv. 2018 - juin 2018
- Veille juridique et rédaction de notes

Formation
Master 2 Droit social — Université Lyon 3 — 2018
CAPA — 2019

Langues
Français (langue maternelle), anglais (courant)

Compétences
Droit du travail, contentieux prud'homal, Dalloz, Lexis 360
""",
    ],
    [
        ("number", "120 dossiers", 1, "Plus de 60 dossiers", "Plus de 120 dossiers"),
        ("number", "50 PME", 0, "pour trente-cinq PME", "pour 50 PME"),
        (
            "title",
            "Avocate associée",
            2,
            "Avocate collaboratrice, Cabinet Morel",
            "Avocate associée, Cabinet Morel",
        ),
        (
            "employer",
            "Michelin",
            0,
            "Juriste stagiaire | Groupe SEB, Écully |",
            "Juriste stagiaire | Groupe SEB, Écully (puis Michelin) |",
        ),
        (
            "employer",
            "Gide Loyrette Nouel",
            1,
            "Groupe SEB, Écully — Juriste stagiaire",
            "Gide Loyrette Nouel — Juriste stagiaire",
        ),
        (
            "school",
            "Université Paris 1",
            2,
            "Master 2 Droit social — Université Lyon 3",
            "Master 2 Droit social — Université Paris 1",
        ),
        (
            "degree",
            "Doctorat en droit",
            0,
            "Master 2 en Droit social, Université Lyon 3, 2018",
            "Master 2 en Droit social, Université Lyon 3, 2018\nDoctorat en droit, Université Lyon 3, 2022",
        ),
        ("skill", "Doctrine", 1, "Lexis 360 · Dalloz", "Lexis 360 · Dalloz · Doctrine"),
        (
            "skill",
            "allemand (courant)",
            0,
            "anglais (courant)",
            "anglais (courant), allemand (courant)",
        ),
        ("duration", "10 ans", 0, "avec 6 ans d'expérience", "avec 10 ans d'expérience"),
        ("date", "2016", 2, "janv. 2018 - juin 2018", "janv. 2016 - juin 2018"),
        (
            "money",
            "2 M€",
            1,
            "- Plus de 60 dossiers plaidés aux prud'hommes",
            "- Plus de 60 dossiers plaidés aux prud'hommes, 2 M€ d'indemnités obtenues",
        ),
        (
            "percentage",
            "85 %",
            2,
            "J'ai plaidé plus de 60 dossiers devant le conseil de prud'hommes",
            "J'ai plaidé plus de 60 dossiers devant le conseil de prud'hommes, avec 85 % de succès",
        ),
        (
            "team_size",
            "équipe de 4",
            0,
            "- Rédaction de contrats de travail",
            "- Encadrement d'une équipe de 4 juristes\n- Rédaction de contrats de travail",
        ),
        (
            "identity",
            "camille.durand@gmail.com",
            2,
            "camille.durand@avocat-lyon.fr",
            "camille.durand@gmail.com",
        ),
    ],
)

# ----------------------------------------------------------------------------- mechanical engineering (DE)

resume(
    "mecheng_de",
    "mechanical engineering",
    "de",
    "German Lebenslauf",
    """
Jonas Becker
Stuttgart | jonas.becker@web.de | +49 171 2345678

BERUFSERFAHRUNG
März 2020 - heute    Entwicklungsingenieur, Mahle GmbH, Stuttgart
- Auslegung von Kolben für Nutzfahrzeugmotoren mit Abaqus und ANSYS
- Senkung der Prototypenkosten um 18 %
- Betreuung von zwei Werkstudenten
Februar 2018 - Februar 2020    Konstrukteur, Festo AG & Co. KG, Esslingen
- Konstruktion von Greifern in CATIA V5

AUSBILDUNG
2012 - 2017    M.Sc. Maschinenbau, Universität Stuttgart
2008 - 2012    B.Sc. Maschinenbau, Hochschule Esslingen

KENNTNISSE
Abaqus, ANSYS, CATIA V5, MATLAB, FMEA, GD&T
Sprachen: Deutsch (Muttersprache), Englisch (verhandlungssicher)
""",
    [
        """
Jonas Becker
Stuttgart | jonas.becker@web.de | +49 171 2345678

PROFIL
Entwicklungsingenieur mit 8 Jahren Berufserfahrung in der Konstruktion und Simulation.

BERUFSERFAHRUNG
Entwicklungsingenieur | Mahle GmbH, Stuttgart | 03/2020 - heute
- Auslegung von Kolben für Nutzfahrzeugmotoren mit Abaqus und ANSYS
- Prototypenkosten um 18 Prozent gesenkt
- Betreuung von 2 Werkstudenten
Konstrukteur | Festo AG & Co. KG, Esslingen | 02/2018 - 02/2020
- Konstruktion von Greifern in CATIA V5

AUSBILDUNG
Master of Science Maschinenbau, Universität Stuttgart, 2012 - 2017
Bachelor of Science Maschinenbau, Hochschule Esslingen, 2008 - 2012

KENNTNISSE
Abaqus, ANSYS, CATIA V5, MATLAB, FMEA, GD&T
Sprachen: Deutsch (Muttersprache), Englisch (verhandlungssicher)
""",
        """
JONAS BECKER
+49 171 2345678 · jonas.becker@web.de · Stuttgart

BERUFSERFAHRUNG
Mahle GmbH, Stuttgart — Entwicklungsingenieur (März 2020 – heute)
- Kolbenauslegung für Nutzfahrzeugmotoren (Abaqus, ANSYS)
- 18 % niedrigere Prototypenkosten
- Betreuung von zwei Werkstudenten
Festo AG & Co. KG, Esslingen — Konstrukteur (Februar 2018 – Februar 2020)
- Greiferkonstruktion in CATIA V5

AUSBILDUNG
Universität Stuttgart — M.Sc. Maschinenbau (2017)
Hochschule Esslingen — B.Sc. Maschinenbau (2012)

KENNTNISSE
ANSYS · Abaqus · CATIA V5 · MATLAB · FMEA · GD&T
Deutsch (Muttersprache), Englisch (verhandlungssicher)
""",
        """
Jonas Becker
Stuttgart | jonas.becker@web.de | +49 171 2345678

Berufserfahrung
03.2020 - heute: Entwicklungsingenieur, Mahle GmbH
- Auslegung von Kolben für Nutzfahrzeugmotoren mit Abaqus und ANSYS
- Senkung der Prototypenkosten um 18 %
- Betreuung von 2 Werkstudenten
02.2018 - 02.2020: Konstrukteur, Festo AG & Co. KG
- Konstruktion von Greifern mit CATIA V5

Ausbildung
M.Sc. Maschinenbau, Universität Stuttgart (2017)
B.Sc. Maschinenbau, Hochschule Esslingen (2012)

Kenntnisse
Abaqus, ANSYS, CATIA V5, MATLAB, FMEA, GD&T
""",
    ],
    [
        ("percentage", "30 Prozent", 0, "um 18 Prozent gesenkt", "um 30 Prozent gesenkt"),
        (
            "team_size",
            "fünf Werkstudenten",
            1,
            "Betreuung von zwei Werkstudenten",
            "Betreuung von fünf Werkstudenten",
        ),
        (
            "team_size",
            "Teams von 6 Ingenieuren",
            2,
            "- Betreuung von 2 Werkstudenten",
            "- Leitung eines Teams von 6 Ingenieuren\n- Betreuung von 2 Werkstudenten",
        ),
        (
            "title",
            "Teamleiter Simulation",
            0,
            "Entwicklungsingenieur | Mahle GmbH",
            "Teamleiter Simulation | Mahle GmbH",
        ),
        (
            "employer",
            "Bosch",
            1,
            "Festo AG & Co. KG, Esslingen — Konstrukteur",
            "Festo AG & Co. KG, Esslingen (Projekt für Bosch) — Konstrukteur",
        ),
        (
            "employer",
            "Daimler Truck AG",
            2,
            "02.2018 - 02.2020: Konstrukteur, Festo AG & Co. KG",
            "02.2018 - 02.2020: Konstrukteur, Daimler Truck AG",
        ),
        ("school", "KIT", 1, "Universität Stuttgart — M.Sc.", "KIT — M.Sc."),
        (
            "degree",
            "Dr.-Ing.",
            0,
            "Master of Science Maschinenbau, Universität Stuttgart, 2012 - 2017",
            "Dr.-Ing. Maschinenbau, Universität Stuttgart, 2017 - 2021\nMaster of Science Maschinenbau, Universität Stuttgart, 2012 - 2017",
        ),
        (
            "skill",
            "SolidWorks",
            2,
            "Abaqus, ANSYS, CATIA V5",
            "Abaqus, ANSYS, SolidWorks, CATIA V5",
        ),
        ("skill", "Siemens NX", 1, "ANSYS · Abaqus", "ANSYS · Siemens NX · Abaqus"),
        (
            "duration",
            "12 Jahren",
            0,
            "mit 8 Jahren Berufserfahrung",
            "mit 12 Jahren Berufserfahrung",
        ),
        ("date", "März 2016", 1, "(Februar 2018 – Februar 2020)", "(März 2016 – Februar 2020)"),
        (
            "money",
            "250.000 €",
            0,
            "Prototypenkosten um 18 Prozent gesenkt",
            "Prototypenkosten um 18 Prozent gesenkt (250.000 € pro Jahr)",
        ),
        (
            "certification",
            "Six Sigma Green Belt",
            2,
            "Kenntnisse\n",
            "Kenntnisse\nSix Sigma Green Belt (zertifiziert)\n",
        ),
        (
            "identity",
            "München",
            0,
            "Stuttgart | jonas.becker@web.de",
            "München | jonas.becker@web.de",
        ),
    ],
)

# ----------------------------------------------------------------------------- nursing (DE, Lebenslauf)

resume(
    "nursing_de",
    "nursing",
    "de",
    "German Lebenslauf, tabular dates",
    """
Anna Schulz
Hamburg · anna.schulz@posteo.de · 0176 98765432

Berufserfahrung
04/2019 - heute       Gesundheits- und Krankenpflegerin, Universitätsklinikum Hamburg-Eppendorf
                      Intensivstation, 14 Betten
                      Praxisanleitung für drei Auszubildende pro Jahr
10/2016 - 03/2019     Ausbildung zur Gesundheits- und Krankenpflegerin, Asklepios Klinik Altona

Weiterbildung
2023                  Fachweiterbildung Intensivpflege und Anästhesie (laufend, Abschluss 2026)
2021                  Praxisanleiterin (300 Stunden)

Kenntnisse
Beatmungspflege, ECMO-Grundlagen, SAP ISH-med, Deutsch (Muttersprache), Englisch (B2)
""",
    [
        """
Anna Schulz
Hamburg · anna.schulz@posteo.de · 0176 98765432

PROFIL
Gesundheits- und Krankenpflegerin mit 7 Jahren Erfahrung in der Intensivpflege.

BERUFSERFAHRUNG
Gesundheits- und Krankenpflegerin | Universitätsklinikum Hamburg-Eppendorf | 04/2019 - heute
- Intensivstation mit 14 Betten
- Praxisanleitung für 3 Auszubildende pro Jahr
Ausbildung zur Gesundheits- und Krankenpflegerin | Asklepios Klinik Altona | 10/2016 - 03/2019

WEITERBILDUNG
Fachweiterbildung Intensivpflege und Anästhesie (laufend, Abschluss 2026)
Praxisanleiterin (300 Stunden), 2021

KENNTNISSE
Beatmungspflege, ECMO-Grundlagen, SAP ISH-med
Sprachen: Deutsch (Muttersprache), Englisch (B2)
""",
        """
ANNA SCHULZ
0176 98765432 · anna.schulz@posteo.de · Hamburg

BERUFSERFAHRUNG
Universitätsklinikum Hamburg-Eppendorf — Gesundheits- und Krankenpflegerin (April 2019 – heute)
- Pflege auf einer Intensivstation mit vierzehn Betten
- Praxisanleitung für drei Auszubildende jährlich
Asklepios Klinik Altona — Ausbildung zur Gesundheits- und Krankenpflegerin (Oktober 2016 – März 2019)

WEITERBILDUNG
Praxisanleiterin, 300 Stunden (2021)
Fachweiterbildung Intensivpflege und Anästhesie, laufend (Abschluss 2026)

KENNTNISSE
Beatmungspflege · ECMO-Grundlagen · SAP ISH-med · Deutsch (Muttersprache) · Englisch (B2)
""",
        """
Anna Schulz
Hamburg · anna.schulz@posteo.de · 0176 98765432

Berufserfahrung
Apr. 2019 - heute: Gesundheits- und Krankenpflegerin, Universitätsklinikum Hamburg-Eppendorf
- Intensivstation (14 Betten); Praxisanleitung für drei Auszubildende pro Jahr
Okt. 2016 - März 2019: Ausbildung zur Gesundheits- und Krankenpflegerin, Asklepios Klinik Altona

Weiterbildung
2021: Praxisanleiterin (300 Stunden)
seit 2023: Fachweiterbildung Intensivpflege und Anästhesie (laufend, Abschluss 2026)

Kenntnisse
Beatmungspflege, ECMO-Grundlagen, SAP ISH-med, Deutsch (Muttersprache), Englisch (B2)
""",
    ],
    [
        (
            "certification",
            "Fachkrankenpflegerin für Intensivpflege und Anästhesie",
            0,
            "Fachweiterbildung Intensivpflege und Anästhesie (laufend, Abschluss 2026)",
            "Fachkrankenpflegerin für Intensivpflege und Anästhesie (2024)",
        ),
        ("number", "24 Betten", 1, "mit vierzehn Betten", "mit 24 Betten"),
        ("number", "fünf Auszubildende", 2, "für drei Auszubildende", "für fünf Auszubildende"),
        (
            "title",
            "Stationsleitung",
            0,
            "Gesundheits- und Krankenpflegerin | Universitätsklinikum",
            "Stationsleitung | Universitätsklinikum",
        ),
        (
            "employer",
            "Charité",
            1,
            "Asklepios Klinik Altona — Ausbildung",
            "Charité Berlin — Ausbildung",
        ),
        ("duration", "10 Jahren", 0, "mit 7 Jahren Erfahrung", "mit 10 Jahren Erfahrung"),
        ("date", "10/2014", 0, "| 10/2016 - 03/2019", "| 10/2014 - 03/2019"),
        ("date", "Februar 2018", 1, "(Oktober 2016 – März 2019)", "(Februar 2018 – März 2019)"),
        ("skill", "Epic", 2, "SAP ISH-med, Deutsch", "SAP ISH-med, Epic, Deutsch"),
        ("skill", "Französisch (C1)", 0, "Englisch (B2)", "Englisch (B2), Französisch (C1)"),
        (
            "degree",
            "B.Sc. Pflegewissenschaft",
            1,
            "WEITERBILDUNG\n",
            "STUDIUM\nB.Sc. Pflegewissenschaft, Universität Hamburg (2022)\n\nWEITERBILDUNG\n",
        ),
        (
            "school",
            "Universität Hamburg",
            2,
            "Weiterbildung\n",
            "Studium\n2022: Pflegemanagement, Universität Hamburg\n\nWeiterbildung\n",
        ),
        (
            "number",
            "500 Stunden",
            0,
            "Praxisanleiterin (300 Stunden)",
            "Praxisanleiterin (500 Stunden)",
        ),
        ("identity", "anna.schulz@gmail.com", 2, "anna.schulz@posteo.de", "anna.schulz@gmail.com"),
    ],
)

# ----------------------------------------------------------------------------- design (EN)

resume(
    "design",
    "design",
    "en",
    "standard, portfolio link",
    """
Noah Kim
Brooklyn, NY | noah@noahkim.design | noahkim.design | 347-555-0102

EXPERIENCE
Product Designer, Parcelwise    Sep 2021 - Present
- Redesigned onboarding in Figma; activation rose from 31% to 44%
- Built the company's first design system (120 components)
- Ran 30 usability sessions per quarter
Junior UI Designer, Studio Kettle    2019 - 2021
- Designed marketing sites for 15 clients in Sketch and Webflow

EDUCATION
BFA Graphic Design, Pratt Institute, 2019

SKILLS
Figma, Sketch, Webflow, Adobe Illustrator, prototyping, user research
""",
    [
        """
Noah Kim
Brooklyn, NY | noah@noahkim.design | noahkim.design | 347-555-0102

SUMMARY
Product Designer with 6 years of design experience, from marketing sites to design systems.

WORK EXPERIENCE
Product Designer | Parcelwise | September 2021 - Present
- Redesigned onboarding in Figma, raising activation from 31 percent to 44 percent
- Built the first design system at the company, with 120 components
- Run thirty usability sessions every quarter
Junior UI Designer | Studio Kettle | 2019 - 2021
- Designed marketing websites for fifteen clients using Sketch and Webflow

EDUCATION
Bachelor of Fine Arts in Graphic Design, Pratt Institute, 2019

SKILLS
Figma, Sketch, Webflow, Illustrator, prototyping, user research
""",
        """
NOAH KIM
347-555-0102 · noah@noahkim.design · noahkim.design · Brooklyn, NY

Experience
Parcelwise — Product Designer (09/2021 – present)
- Activation up from 31% to 44% after an onboarding redesign in Figma
- First design system (120 components)
- 30 usability sessions a quarter
Studio Kettle — Junior UI Designer (2019 – 2021)
- Marketing sites for 15 clients (Sketch, Webflow)

Education
Pratt Institute — B.F.A., Graphic Design (2019)

Skills
Figma · prototyping · user research · Sketch · Webflow · Adobe Illustrator
""",
        """
Noah Kim
Brooklyn, NY | noah@noahkim.design | noahkim.design | 347-555-0102

I design products at Parcelwise (since September 2021). I redesigned onboarding in Figma, which
raised activation from 31% to 44%, built the company's first design system of 120 components, and
run 30 usability sessions per quarter. Before that I was a junior UI designer at Studio Kettle
(2019-2021), designing marketing sites for 15 clients in Sketch and Webflow.

Education: BFA in Graphic Design, Pratt Institute, 2019
Skills: Figma, Sketch, Webflow, Adobe Illustrator, prototyping, user research
""",
    ],
    [
        ("percentage", "60%", 1, "from 31% to 44%", "from 31% to 60%"),
        ("number", "300 components", 0, "with 120 components", "with 300 components"),
        (
            "number",
            "50 usability sessions",
            2,
            "run 30 usability sessions",
            "run 50 usability sessions",
        ),
        (
            "title",
            "Senior Product Designer",
            0,
            "Product Designer | Parcelwise",
            "Senior Product Designer | Parcelwise",
        ),
        ("title", "Design Lead", 1, "Parcelwise — Product Designer", "Parcelwise — Design Lead"),
        (
            "employer",
            "IDEO",
            2,
            "junior UI designer at Studio Kettle",
            "junior UI designer at Studio Kettle and IDEO",
        ),
        (
            "employer",
            "Airbnb",
            0,
            "for fifteen clients using Sketch",
            "for fifteen clients including Airbnb using Sketch",
        ),
        ("skill", "Framer", 1, "Figma · prototyping", "Figma · Framer · prototyping"),
        (
            "skill",
            "Adobe After Effects",
            0,
            "Webflow, Illustrator",
            "Webflow, Illustrator, Adobe After Effects",
        ),
        (
            "school",
            "Rhode Island School of Design",
            2,
            "Pratt Institute, 2019",
            "Rhode Island School of Design, 2019",
        ),
        (
            "degree",
            "MFA",
            1,
            "Pratt Institute — B.F.A., Graphic Design (2019)",
            "Pratt Institute — MFA, Graphic Design (2019)",
        ),
        ("duration", "10 years of design", 0, "with 6 years of design", "with 10 years of design"),
        ("date", "2017", 1, "Junior UI Designer (2019 – 2021)", "Junior UI Designer (2017 – 2021)"),
        ("identity", "noahkim.studio", 2, "| noahkim.design |", "| noahkim.studio |"),
        (
            "team_size",
            "team of 4 designers",
            0,
            "- Built the first design system",
            "- Lead a team of 4 designers\n- Built the first design system",
        ),
        (
            "certification",
            "Google UX Design Certificate",
            1,
            "Pratt Institute — B.F.A., Graphic Design (2019)",
            "Pratt Institute — B.F.A., Graphic Design (2019)\nGoogle UX Design Certificate (2022)",
        ),
    ],
)

# ----------------------------------------------------------------------------- hospitality (EN, culinary)

resume(
    "culinary",
    "hospitality (kitchen)",
    "en",
    "ALL CAPS headings",
    """
RAFAEL MENDOZA
San Antonio, TX | rafa.mendoza.chef@gmail.com | 210-555-0147

SUMMARY
Sous chef in a 140-seat Tex-Mex restaurant; ServSafe Manager certified.

EXPERIENCE
SOUS CHEF - LA PALOMA COCINA, SAN ANTONIO, TX (MAY 2021 - PRESENT)
- Run the line of 8 cooks for dinner service, about 300 covers a night
- Lowered food cost from 34% to 29% by renegotiating produce orders
- Wrote 2 seasonal menus a year
LINE COOK - THE PEARL BISTRO (2017 - 2021)
- Grill and sauté stations

EDUCATION
Culinary Arts Certificate, St. Philip's College, 2017

CERTIFICATIONS
ServSafe Manager, TABC
""",
    [
        """
RAFAEL MENDOZA
San Antonio, TX | rafa.mendoza.chef@gmail.com | 210-555-0147

PROFESSIONAL SUMMARY
Sous Chef with 9 years of kitchen experience in a 140-seat Tex-Mex restaurant. ServSafe Manager certified.

PROFESSIONAL EXPERIENCE
SOUS CHEF | LA PALOMA COCINA | SAN ANTONIO, TX | MAY 2021 - PRESENT
- Run a line of eight cooks for dinner service, roughly 300 covers per night
- Reduced food cost from 34 percent to 29 percent by renegotiating produce orders
- Write two seasonal menus per year
LINE COOK | THE PEARL BISTRO | 2017 - 2021
- Worked the grill and sauté stations

EDUCATION
Culinary Arts Certificate, St. Philip's College, 2017

CERTIFICATIONS
ServSafe Manager, TABC
""",
        """
Rafael Mendoza
210-555-0147 · rafa.mendoza.chef@gmail.com · San Antonio, TX

Experience
La Paloma Cocina, San Antonio, TX — Sous Chef (05/2021 – present)
- Lowered food cost from 34% to 29% through renegotiated produce orders
- Run the dinner line: 8 cooks, about 300 covers a night, 140 seats
- Two seasonal menus a year
The Pearl Bistro — Line Cook (2017 – 2021)
- Grill and sauté

Certifications
ServSafe Manager · TABC

Education
St. Philip's College — Culinary Arts Certificate (2017)
""",
        """
RAFAEL MENDOZA
San Antonio, TX | rafa.mendoza.chef@gmail.com | 210-555-0147

EXPERIENCE
SOUS CHEF, LA PALOMA COCINA, SAN ANTONIO, TX, MAY 2021 - PRESENT
- RUN THE LINE OF 8 COOKS FOR DINNER SERVICE (ABOUT 300 COVERS A NIGHT)
- LOWERED FOOD COST FROM 34% TO 29% BY RENEGOTIATING PRODUCE ORDERS
- WROTE 2 SEASONAL MENUS A YEAR
LINE COOK, THE PEARL BISTRO, 2017 - 2021
- GRILL AND SAUTÉ STATIONS

EDUCATION
CULINARY ARTS CERTIFICATE, ST. PHILIP'S COLLEGE, 2017

CERTIFICATIONS
SERVSAFE MANAGER, TABC
""",
    ],
    [
        ("team_size", "line of twelve cooks", 0, "a line of eight cooks", "a line of twelve cooks"),
        ("number", "500 covers", 1, "about 300 covers", "about 500 covers"),
        ("percentage", "24%", 2, "FROM 34% TO 29%", "FROM 34% TO 24%"),
        ("title", "EXECUTIVE CHEF", 2, "SOUS CHEF, LA PALOMA", "EXECUTIVE CHEF, LA PALOMA"),
        (
            "employer",
            "Four Seasons",
            1,
            "The Pearl Bistro — Line Cook (2017 – 2021)",
            "The Pearl Bistro — Line Cook (2017 – 2021)\nFour Seasons Hotel — Commis (2015 – 2017)",
        ),
        (
            "school",
            "Culinary Institute of America",
            0,
            "Culinary Arts Certificate, St. Philip's College, 2017",
            "Culinary Arts Certificate, Culinary Institute of America, 2017",
        ),
        (
            "certification",
            "Certified Executive Chef",
            1,
            "ServSafe Manager · TABC",
            "ServSafe Manager · TABC · Certified Executive Chef (ACF)",
        ),
        (
            "skill",
            "Toast POS",
            0,
            "- Write two seasonal menus per year",
            "- Write two seasonal menus per year and manage ordering in Toast POS",
        ),
        (
            "money",
            "$120K",
            2,
            "BY RENEGOTIATING PRODUCE ORDERS",
            "BY RENEGOTIATING PRODUCE ORDERS, SAVING $120K A YEAR",
        ),
        ("duration", "15 years", 0, "with 9 years of kitchen", "with 15 years of kitchen"),
        ("date", "2014", 1, "Line Cook (2017 – 2021)", "Line Cook (2014 – 2021)"),
        ("identity", "Austin, TX", 2, "San Antonio, TX | rafa", "Austin, TX | rafa"),
    ],
)

# ----------------------------------------------------------------------------- legal (EN, paralegal)

resume(
    "paralegal",
    "legal",
    "en",
    "standard",
    """
Grace O'Neill
Boston, MA | grace.oneill@protonmail.com | 617-555-0138

EXPERIENCE
Litigation Paralegal, Whitcombe & Hale LLP, Boston    Oct 2020 - Present
- Manage discovery for 25 active commercial cases in Relativity
- Drafted 150+ subpoenas and deposition notices
- Exposure to e-discovery vendor management
Legal Assistant, Harbor Law Group    2018 - 2020
- Scheduled depositions and maintained case calendars in Clio

EDUCATION
B.A. Political Science, Boston College, 2018
Paralegal Certificate, Northeastern University, 2019

SKILLS
Relativity, Clio, Westlaw, Bluebook citation, legal research
""",
    [
        """
Grace O'Neill
Boston, MA | grace.oneill@protonmail.com | 617-555-0138

PROFESSIONAL SUMMARY
Litigation Paralegal with 8 years of legal experience supporting commercial litigation.

EXPERIENCE
Litigation Paralegal | Whitcombe & Hale LLP, Boston | October 2020 - Present
- Manage discovery for twenty-five active commercial cases using Relativity
- Drafted more than 150 subpoenas and deposition notices
- Exposure to e-discovery vendor management
Legal Assistant | Harbor Law Group | 2018 - 2020
- Scheduled depositions and maintained case calendars in Clio

EDUCATION
Bachelor of Arts in Political Science, Boston College, 2018
Paralegal Certificate, Northeastern University, 2019

SKILLS
Relativity, Clio, Westlaw, Bluebook citation, legal research
""",
        """
GRACE O'NEILL
617-555-0138 · grace.oneill@protonmail.com · Boston, MA

Experience
Whitcombe & Hale LLP, Boston — Litigation Paralegal (10/2020 – present)
- Discovery for 25 active commercial cases (Relativity)
- 150+ subpoenas and deposition notices drafted
Harbor Law Group — Legal Assistant (2018 – 2020)
- Deposition scheduling and case calendars in Clio

Education
Boston College — B.A., Political Science (2018)
Northeastern University — Paralegal Certificate (2019)

Skills
Westlaw · Relativity · Clio · legal research · Bluebook citation
""",
        """
Grace O'Neill
Boston, MA | grace.oneill@protonmail.com | 617-555-0138

Experience
Litigation Paralegal, Whitcombe & Hale LLP (Boston), Oct 2020 - Present
- Manage discovery in Relativity for 25 active commercial cases
- Drafted 150+ subpoenas and deposition notices
- Some exposure to e-discovery vendor management
Legal Assistant, Harbor Law Group, 2018 - 2020
- Scheduled depositions; kept case calendars in Clio

Education
B.A. in Political Science, Boston College, 2018
Paralegal Certificate, Northeastern University, 2019

Skills
Relativity, Clio, Westlaw, Bluebook citation, legal research
""",
    ],
    [
        (
            "skill",
            "e-discovery vendor management",
            0,
            "- Exposure to e-discovery vendor management",
            "- Led e-discovery vendor management",
        ),
        (
            "number",
            "60 active commercial cases",
            1,
            "Discovery for 25 active commercial cases",
            "Discovery for 60 active commercial cases",
        ),
        ("number", "400+ subpoenas", 2, "Drafted 150+ subpoenas", "Drafted 400+ subpoenas"),
        (
            "title",
            "Senior Litigation Paralegal",
            0,
            "Litigation Paralegal | Whitcombe",
            "Senior Litigation Paralegal | Whitcombe",
        ),
        (
            "employer",
            "Ropes & Gray",
            1,
            "Harbor Law Group — Legal Assistant",
            "Ropes & Gray — Legal Assistant",
        ),
        (
            "degree",
            "J.D.",
            2,
            "B.A. in Political Science, Boston College, 2018",
            "B.A. in Political Science, Boston College, 2018\nJ.D., Suffolk University Law School, 2023",
        ),
        (
            "school",
            "Boston University",
            0,
            "Political Science, Boston College",
            "Political Science, Boston University",
        ),
        (
            "certification",
            "NALA Certified Paralegal",
            1,
            "Northeastern University — Paralegal Certificate (2019)",
            "Northeastern University — Paralegal Certificate (2019)\nNALA Certified Paralegal (CP), 2021",
        ),
        ("skill", "Lexis+", 2, "Relativity, Clio, Westlaw", "Relativity, Clio, Westlaw, Lexis+"),
        ("duration", "11 years", 0, "with 8 years of legal", "with 11 years of legal"),
        ("date", "2016", 1, "Legal Assistant (2018 – 2020)", "Legal Assistant (2016 – 2020)"),
        (
            "team_size",
            "team of 3 paralegals",
            2,
            "- Drafted 150+ subpoenas",
            "- Supervise a team of 3 paralegals\n- Drafted 150+ subpoenas",
        ),
        (
            "money",
            "$40M",
            0,
            "for twenty-five active commercial cases",
            "for twenty-five active commercial cases worth $40M",
        ),
        ("identity", "Grace O'Neill-Murphy", 1, "GRACE O'NEILL\n", "Grace O'Neill-Murphy\n"),
    ],
)

# ----------------------------------------------------------------------------- marketing (FR, first person / prose)

resume(
    "marketing_fr",
    "marketing",
    "fr",
    "prose",
    """
Hugo Lefèvre
Paris | hugo.lefevre@free.fr | 07 98 76 54 32

EXPÉRIENCE
Chef de projet marketing digital, Maison Berthe (cosmétiques), Paris — février 2021 à aujourd'hui
Je pilote les campagnes d'acquisition (Google Ads, Meta) avec un budget de 250 000 € par an.
J'ai fait passer le trafic organique de 40 000 à 110 000 visites par mois en deux ans.
J'encadre deux alternants.

Chargé de communication, Ville de Montreuil — septembre 2018 à janvier 2021
Rédaction du magazine municipal et gestion des réseaux sociaux.

FORMATION
Master Marketing digital, IAE Paris, 2018
Licence Information-Communication, Université Paris 8, 2016

OUTILS
Google Ads, Meta Ads, Google Analytics, SEMrush, WordPress
""",
    [
        """
Hugo Lefèvre
Paris | hugo.lefevre@free.fr | 07 98 76 54 32

PROFIL
Chef de projet marketing digital avec 7 ans d'expérience en acquisition et communication.

EXPÉRIENCE PROFESSIONNELLE
Chef de projet marketing digital | Maison Berthe, Paris | 02/2021 - aujourd'hui
- Pilotage des campagnes d'acquisition Google Ads et Meta, budget annuel de 250 000 €
- Trafic organique passé de 40 000 à 110 000 visites mensuelles en 2 ans
- Encadrement de 2 alternants
Chargé de communication | Ville de Montreuil | 09/2018 - 01/2021
- Rédaction du magazine municipal et gestion des réseaux sociaux

FORMATION
Master Marketing digital, IAE Paris, 2018
Licence Information-Communication, Université Paris 8, 2016

COMPÉTENCES
Google Ads, Meta Ads, Google Analytics, SEMrush, WordPress
""",
        """
HUGO LEFÈVRE
07 98 76 54 32 · hugo.lefevre@free.fr · Paris

Expérience
Maison Berthe (cosmétiques) — Chef de projet marketing digital, février 2021 – aujourd'hui
J'ai multiplié le trafic organique de 40 000 à 110 000 visites par mois en deux ans. Je pilote les
campagnes d'acquisition sur Google Ads et Meta (250 000 € par an) et j'encadre deux alternants.
Ville de Montreuil — Chargé de communication, septembre 2018 – janvier 2021
Magazine municipal et réseaux sociaux.

Formation
IAE Paris — Master Marketing digital (2018)
Université Paris 8 — Licence Information-Communication (2016)

Outils
SEMrush · WordPress · Google Ads · Meta Ads · Google Analytics
""",
        """
Hugo Lefèvre
Paris | hugo.lefevre@free.fr | 07 98 76 54 32

Expérience
Chef de projet marketing digital, Maison Berthe, Paris (févr. 2021 - aujourd'hui)
- Je pilote les campagnes d'acquisition (Google Ads, Meta) : 250 000 € de budget annuel
- Trafic organique : de 40 000 à 110 000 visites par mois en deux ans
- J'encadre deux alternants
Chargé de communication, Ville de Montreuil (sept. 2018 - janv. 2021)
- Magazine municipal, réseaux sociaux

Formation
Master Marketing digital, IAE Paris, 2018
Licence Information-Communication, Université Paris 8, 2016

Outils
Google Ads, Meta Ads, Google Analytics, SEMrush, WordPress
""",
    ],
    [
        ("money", "500 000 €", 0, "budget annuel de 250 000 €", "budget annuel de 500 000 €"),
        (
            "number",
            "200 000 visites",
            1,
            "de 40 000 à 110 000 visites",
            "de 40 000 à 200 000 visites",
        ),
        (
            "team_size",
            "équipe de 6",
            2,
            "- J'encadre deux alternants",
            "- J'encadre une équipe de 6 personnes",
        ),
        (
            "title",
            "Directeur marketing",
            0,
            "Chef de projet marketing digital | Maison Berthe",
            "Directeur marketing | Maison Berthe",
        ),
        ("employer", "L'Oréal", 1, "Maison Berthe (cosmétiques)", "Maison Berthe (groupe L'Oréal)"),
        (
            "school",
            "HEC Paris",
            2,
            "Master Marketing digital, IAE Paris",
            "Master Marketing digital, HEC Paris",
        ),
        (
            "degree",
            "MBA",
            0,
            "Master Marketing digital, IAE Paris, 2018",
            "MBA, IAE Paris, 2020\nMaster Marketing digital, IAE Paris, 2018",
        ),
        ("skill", "HubSpot", 1, "SEMrush · WordPress", "SEMrush · HubSpot · WordPress"),
        ("skill", "Salesforce", 2, "SEMrush, WordPress", "SEMrush, WordPress, Salesforce"),
        (
            "certification",
            "Certification Google Ads",
            0,
            "COMPÉTENCES\n",
            "CERTIFICATIONS\nCertification Google Ads (2022)\n\nCOMPÉTENCES\n",
        ),
        ("duration", "12 ans", 0, "avec 7 ans d'expérience", "avec 12 ans d'expérience"),
        ("date", "2016", 2, "(sept. 2018 - janv. 2021)", "(sept. 2016 - janv. 2021)"),
        (
            "percentage",
            "35 %",
            1,
            "Magazine municipal et réseaux sociaux.",
            "Magazine municipal et réseaux sociaux : +35 % d'abonnés.",
        ),
        ("identity", "Lyon", 0, "Paris | hugo.lefevre@free.fr", "Lyon | hugo.lefevre@free.fr"),
    ],
)

# ----------------------------------------------------------------------------- mechanical engineering (ES)

resume(
    "mecheng_es",
    "mechanical engineering",
    "es",
    "standard",
    """
Diego Morales Castillo
Monterrey, México | diego.morales.ing@gmail.com | +52 81 1234 5678

EXPERIENCIA
Ingeniero de Procesos Sr., Ternium, Monterrey    enero 2020 - presente
- Reduje el tiempo de cambio de herramental de 90 a 35 minutos (SMED)
- Lideré un equipo de 4 técnicos de mantenimiento
- Ahorro anual de 1,2 millones de pesos en scrap
Ingeniero de Diseño, Metalsa    agosto 2016 - diciembre 2019
- Diseño de chasis en SolidWorks y análisis FEA en ANSYS

EDUCACIÓN
Ingeniería Mecánica, Tecnológico de Monterrey, 2016

CERTIFICACIONES
Six Sigma Green Belt

HABILIDADES
SolidWorks, ANSYS, AutoCAD, Minitab, SMED, Lean Manufacturing
""",
    [
        """
Diego Morales Castillo
Monterrey, México | diego.morales.ing@gmail.com | +52 81 1234 5678

PERFIL PROFESIONAL
Ingeniero de Procesos Senior con 9 años de experiencia en manufactura y diseño.

EXPERIENCIA PROFESIONAL
Ingeniero de Procesos Senior | Ternium, Monterrey | 01/2020 - presente
- Reduje el tiempo de cambio de herramental de 90 a 35 minutos con SMED
- Lideré un equipo de cuatro técnicos de mantenimiento
- Ahorro anual de 1.2 millones de pesos en scrap
Ingeniero de Diseño | Metalsa | 08/2016 - 12/2019
- Diseño de chasis en SolidWorks y análisis FEA en ANSYS

EDUCACIÓN
Ingeniería Mecánica, Tecnológico de Monterrey, 2016

CERTIFICACIONES
Six Sigma Green Belt

HABILIDADES
SolidWorks, ANSYS, AutoCAD, Minitab, SMED, Lean Manufacturing
""",
        """
DIEGO MORALES CASTILLO
+52 81 1234 5678 · diego.morales.ing@gmail.com · Monterrey, México

EXPERIENCIA
Ternium, Monterrey — Ingeniero de Procesos Sr. (enero de 2020 – presente)
- Cambio de herramental: de 90 a 35 minutos (SMED)
- Equipo de 4 técnicos de mantenimiento a mi cargo
- 1,2 millones de pesos de ahorro anual en scrap
Metalsa — Ingeniero de Diseño (agosto de 2016 – diciembre de 2019)
- Chasis diseñados en SolidWorks; análisis FEA con ANSYS

EDUCACIÓN
Tecnológico de Monterrey — Ingeniería Mecánica (2016)

CERTIFICACIONES Y HABILIDADES
Six Sigma Green Belt · SolidWorks · ANSYS · AutoCAD · Minitab · SMED · Lean Manufacturing
""",
        """
Diego Morales Castillo
Monterrey, México | diego.morales.ing@gmail.com | +52 81 1234 5678

Experiencia
Ingeniero de Procesos Sr., Ternium (Monterrey), ene. 2020 - presente
- Reduje el cambio de herramental de 90 a 35 minutos aplicando SMED
- Lideré a 4 técnicos de mantenimiento
- Ahorré 1,2 millones de pesos al año en scrap
Ingeniero de Diseño, Metalsa, ago. 2016 - dic. 2019
- Diseño de chasis (SolidWorks) y análisis FEA (ANSYS)

Educación
Ingeniería Mecánica — Tecnológico de Monterrey — 2016

Certificaciones
Six Sigma Green Belt

Habilidades
SolidWorks, ANSYS, AutoCAD, Minitab, SMED, Lean Manufacturing
""",
    ],
    [
        ("number", "15 minutos", 0, "de 90 a 35 minutos", "de 90 a 15 minutos"),
        ("team_size", "Equipo de 10 técnicos", 1, "Equipo de 4 técnicos", "Equipo de 10 técnicos"),
        (
            "money",
            "5 millones de pesos",
            2,
            "Ahorré 1,2 millones de pesos",
            "Ahorré 5 millones de pesos",
        ),
        (
            "title",
            "Gerente de Ingeniería",
            0,
            "Ingeniero de Procesos Senior | Ternium",
            "Gerente de Ingeniería | Ternium",
        ),
        (
            "employer",
            "General Motors",
            1,
            "Metalsa — Ingeniero de Diseño",
            "Metalsa (proveedor de General Motors) — Ingeniero de Diseño",
        ),
        ("employer", "Nemak", 2, "Ingeniero de Diseño, Metalsa,", "Ingeniero de Diseño, Nemak,"),
        (
            "school",
            "Universidad Autónoma de Nuevo León",
            0,
            "Ingeniería Mecánica, Tecnológico de Monterrey",
            "Ingeniería Mecánica, Universidad Autónoma de Nuevo León",
        ),
        (
            "degree",
            "Maestría en Ingeniería Industrial",
            1,
            "Tecnológico de Monterrey — Ingeniería Mecánica (2016)",
            "Tecnológico de Monterrey — Ingeniería Mecánica (2016)\nTecnológico de Monterrey — Maestría en Ingeniería Industrial (2021)",
        ),
        (
            "certification",
            "Six Sigma Black Belt",
            2,
            "Certificaciones\nSix Sigma Green Belt",
            "Certificaciones\nSix Sigma Black Belt",
        ),
        ("skill", "CATIA", 0, "SolidWorks, ANSYS, AutoCAD", "SolidWorks, CATIA, ANSYS, AutoCAD"),
        (
            "skill",
            "Abaqus",
            2,
            "- Diseño de chasis (SolidWorks) y análisis FEA (ANSYS)",
            "- Diseño de chasis (SolidWorks) y análisis FEA (ANSYS, Abaqus)",
        ),
        ("duration", "12 años", 0, "con 9 años de experiencia", "con 12 años de experiencia"),
        (
            "date",
            "2014",
            1,
            "(agosto de 2016 – diciembre de 2019)",
            "(agosto de 2014 – diciembre de 2019)",
        ),
        (
            "percentage",
            "40%",
            0,
            "- Reduje el tiempo de cambio",
            "- Aumenté el OEE un 40%\n- Reduje el tiempo de cambio",
        ),
        (
            "identity",
            "diego.morales@ternium.com",
            2,
            "diego.morales.ing@gmail.com",
            "diego.morales@ternium.com",
        ),
    ],
)


def build() -> dict[str, Any]:
    pairs: list[dict[str, Any]] = []
    errors: list[str] = []
    for r in RESUMES:
        assert len(r["honest"]) >= 3, r["id"]
        meta = {"resume": r["id"], "field": r["field"], "lang": r["lang"], "layout": r["layout"]}
        for i, text in enumerate(r["honest"]):
            pairs.append(
                {
                    "id": f"{r['id']}-honest-{i + 1}",
                    **meta,
                    "original": r["original"],
                    "rewritten": text,
                    "job": r["job"],
                    "planted": [],
                }
            )
        for n, (kind, phrase, base, old, new) in enumerate(r["plants"], start=1):
            text = r["honest"][base]
            if text.count(old) != 1 or phrase not in new:
                errors.append(f"{r['id']}: {old!r} / {phrase!r}")
                continue
            rewritten = text.replace(old, new)
            pairs.append(
                {
                    "id": f"{r['id']}-plant-{n:02d}-{kind}",
                    **meta,
                    "original": r["original"],
                    "rewritten": rewritten,
                    "job": r["job"],
                    "planted": [{"kind": kind, "phrase": phrase}],
                }
            )
    assert not errors, "\n".join(errors)
    return {
        "description": (
            "Grounding evaluation set v2 (issue 14): hand-written resumes across fields, languages "
            "and layouts; three or more honest rewrites each and one planted invention per "
            "planted pair, with its kind and exact phrase. Built by "
            "tests/data/build_grounding_eval_v2.py; 'today' is the date durations are computed at."
        ),
        "today": TODAY,
        "pairs": pairs,
    }


if __name__ == "__main__":
    out = Path(__file__).with_name("grounding_eval_v2.json")
    out.write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    data = json.loads(out.read_text(encoding="utf-8"))
    planted = [p for p in data["pairs"] if p["planted"]]
    print(f"{len(data['pairs'])} pairs, {len(planted)} planted, {len(RESUMES)} resumes -> {out}")
