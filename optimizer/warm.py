"""Work a web worker does once at start, so that its first request is as fast as the next.

Django imports the URLconf, and with it every view module and what they import, on the first
request; templates are compiled on first use; the grounding check reads its word lists and
compiles its patterns on its first call, and the analysis processes start on the first
generation. A worker that had just started answered its first request, even a cache hit, in
0.5-0.9 s instead of 2-3 ms. resumesite/asgi.py calls warm_up()
after building the application, in each worker, before it accepts a connection.
"""

from __future__ import annotations

from django.template.loader import get_template
from django.urls import get_resolver

# The templates of the pages people open first: the form, a job's live page, a result.
TEMPLATES = ("optimizer/home.html", "optimizer/job.html", "optimizer/result.html")


def warm_up() -> None:
    get_resolver().url_patterns  # noqa: B018  imports every view module
    for name in TEMPLATES:
        get_template(name)
    from optimizer.analysis import check_grounding, compare_scores

    resume = "Jane Doe\nPython Developer, Acme Corp (2020 - 2024)\n- Built Django APIs\n"
    check_grounding(resume, resume + "- Cut costs by 10%\n")
    compare_scores(resume, resume, "Python Developer: Django, PostgreSQL")
    from optimizer.live_check import start_analysis_processes

    start_analysis_processes()
