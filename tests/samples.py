"""The sample resume and job description the tests share (not a test module).

A test that needs particular text (non-ASCII for the exports, lines a fake reply restates, a
full page for the README's screenshots) keeps its own, with a comment saying why.
"""

from __future__ import annotations

RESUME = """Jane Doe
Senior Python Developer, Berlin
Six years building Django web applications, REST APIs and Celery jobs on PostgreSQL and Redis.
"""
JOB = """Senior Python Developer
We build logistics software with Python, Django, PostgreSQL and Redis. You will design REST
APIs, run background jobs with Celery and mentor junior developers.
"""
