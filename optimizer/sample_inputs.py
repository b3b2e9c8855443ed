"""The "Try it with a sample" resume and job ad: realistic enough to show what the page does.

A mid-career backend developer applying to a senior role that asks for a few things the resume
has under other names (PostgreSQL as "Postgres") and a few it lacks (Kubernetes), so the result
shows matched and missing requirements, and the rewrite has something to do.
"""

from __future__ import annotations

SAMPLE_RESUME = """Maria Garcia
maria.garcia@example.com | (312) 555-0147 | Chicago, IL | linkedin.com/in/mariagarcia

SUMMARY
Backend developer with six years of experience building web applications in Python. I like
untangling slow systems and helping newer teammates find their feet.

EXPERIENCE
Backend Developer — Lakeshore Logistics (Mar 2021 – Present)
- Built and maintain the Django REST API behind the shipment tracking app (40,000 daily users)
- Moved nightly report generation to Celery workers, cutting report time from 3 hours to 20 minutes
- Tuned Postgres queries and indexes on the order search page; median response went from 1.2 s to 180 ms
- Mentor two junior developers through code review and weekly pairing sessions

Software Developer — Midwest Retail Group (Jun 2018 – Feb 2021)
- Wrote Python services that sync inventory and pricing data between stores and the web shop
- Added pytest suites and a GitHub Actions pipeline; releases went from monthly to weekly
- Containerised four services with Docker for local development and staging

EDUCATION
B.S. Computer Science — University of Illinois Chicago (2018)

SKILLS
Python, Django, Django REST Framework, Celery, Redis, Postgres, Docker, pytest, Git, GitHub Actions
"""

SAMPLE_JOB = """Senior Python Developer at Northwind Freight

Northwind Freight moves 2 million parcels a week across North America. Our platform team builds
the services that plan routes, price shipments and keep customers informed.

What you will do
- Design and build REST APIs in Python and Django used by our web and mobile apps
- Own background processing with Celery and Redis for pricing and tracking events
- Improve the performance of PostgreSQL-backed services under peak load
- Deploy and operate services on Kubernetes with our platform engineers
- Mentor junior developers and lead code reviews

What you bring
- 5+ years of professional Python experience, including Django
- Solid PostgreSQL skills: query tuning, indexing, migrations
- Experience with Celery, Redis and Docker
- Automated testing with pytest and CI/CD pipelines
- Nice to have: Kubernetes, AWS, observability tools such as Prometheus or Grafana
"""
