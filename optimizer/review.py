"""The user's review of a rewrite: the text they settled on, and the claims they vouched for.

The model's rewrite stays in ``result["optimized_resume"]``; the user's version is
``Optimization.edited_resume`` once ``edited_at`` is set. The match score and the grounding flags
of the final text are computed again with the pipeline's own analysis (``services.analyse``),
so what the page shows, and what the exports carry, is always the user's version.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from django.utils import timezone

from optimizer import services
from optimizer.analysis import compare_scores
from optimizer.models import Optimization


def model_text(job: Optimization) -> str:
    """What the model wrote: the rewrite, or a letter's text."""
    return str((job.result or {}).get("text" if job.is_letter else "optimized_resume") or "")


def final_text(job: Optimization) -> str:
    """What the user settled on: their edited text, else the model's rewrite."""
    return job.edited_resume if job.edited_at else model_text(job)


def analysis(job: Optimization) -> dict[str, Any]:
    """Score, flags and word diff of the final text; claims the user confirmed are left out,
    and count for the score (the user vouched for them: they are no longer "if true")."""
    result = job.result or {}
    if job.is_letter:
        return _letter_analysis(job)
    if job.edited_at:
        request = services.OptimizeRequest(job.resume_text, job.job_description)
        found = services.analyse(request, final_text(job))
        score, flags, diff = found["ats_score"], found["grounding"], found["diff"]
    else:
        score, flags = result.get("ats_score"), result.get("grounding") or []
        diff = result.get("diff") or []
    confirmed = set(job.confirmed_claims or [])
    remaining = [flag for flag in flags if flag.get("message") not in confirmed]
    if confirmed and len(remaining) < len(flags):
        score = compare_scores(
            job.resume_text, final_text(job), job.job_description, unsupported=remaining
        )
    return {
        "ats_score": score,
        "grounding": remaining,
        "confirmed": sorted(confirmed),
        "diff": diff,
    }


def _letter_analysis(job: Optimization) -> dict[str, Any]:
    """A letter has no score or diff: only its claims, checked again against the original
    resume once the user edited it."""
    flags = (job.result or {}).get("grounding") or []
    if job.edited_at:
        request = services.OptimizeRequest(job.resume_text, job.job_description, kind=job.kind)
        flags = services.analyse_letter(request, final_text(job))
    confirmed = set(job.confirmed_claims or [])
    remaining = [flag for flag in flags if flag.get("message") not in confirmed]
    return {"ats_score": None, "grounding": remaining, "confirmed": sorted(confirmed), "diff": []}


def save_text(job: Optimization, text: str) -> None:
    job.edited_resume = text.replace("\r\n", "\n").strip() + "\n"
    job.edited_at = timezone.now()


def confirm_claim(job: Optimization, message: str) -> None:
    """The user says the flagged claim is true ("I did this"): it is no longer flagged."""
    if message and message not in (job.confirmed_claims or []):
        job.confirmed_claims = [*(job.confirmed_claims or []), message]
        job.edited_at = job.edited_at or timezone.now()
        if not job.edited_resume:
            job.edited_resume = model_text(job)


def remove_sentence(job: Optimization, sentence: str) -> bool:
    """Take a flagged claim's sentence out of the final text; a line left empty goes too."""
    text = final_text(job)
    if not sentence or sentence not in text:
        return False
    kept: list[str] = []
    for line in text.replace(sentence, "").split("\n"):
        bare = re.sub(r"^[-•*\s]+", "", line).strip(" .;,")
        if line.strip() and not bare:
            continue  # the bullet held only that sentence
        kept.append(re.sub(r"[ \t]{2,}", " ", line).rstrip())
    save_text(job, "\n".join(kept))
    return True


def revert(job: Optimization) -> None:
    """Back to the model's rewrite, with nothing confirmed or accepted."""
    job.edited_resume = ""
    job.confirmed_claims = []
    job.accepted_passages = []
    job.edited_at = None
    job.revert_count += 1  # counted for the prompt experiments (optimizer/experiments.py)


# --------------------------------------------------------------------------- changed passages

_MARKER_RE = re.compile(r"^(\s*(?:[-•*]\s+)?)(.*)$")
# How alike a rewritten line and an original line must be to count as "that line, reworded".
PASSAGE_SIMILARITY = 0.55


def _split(line: str) -> tuple[str, str]:
    match = _MARKER_RE.match(line)
    return (match.group(1), match.group(2).strip()) if match else ("", line.strip())


def changed_passages(job: Optimization, text: str | None = None) -> list[dict[str, Any]]:
    """Lines of the final text that reword a line of the original resume, with that line.

    Lines the user accepted, lines taken over unchanged, and lines with no close original
    (new text: the claims check covers those) are left out.
    """
    originals = [_split(line)[1] for line in job.resume_text.splitlines() if line.strip()]
    unchanged = set(originals)
    accepted = set(job.accepted_passages or [])
    passages = []
    # `text`: the final text when the caller has it (the stream's result, before the job's is read).
    for index, line in enumerate((final_text(job) if text is None else text).split("\n")):
        body = _split(line)[1]
        if len(body) < 12 or body in unchanged or line in accepted:
            continue
        close = difflib.get_close_matches(body, originals, n=1, cutoff=PASSAGE_SIMILARITY)
        if close:
            passages.append({"line": index, "text": line, "original": close[0]})
    return passages


def marked_lines(job: Optimization, text: str) -> list[dict[str, Any]]:
    """The final text's lines, each marked ``changed`` when the original resume has no line
    like it (bullet markers, case and spacing aside): the page marks them beside the original."""

    def norm(line: str) -> str:
        return " ".join(_split(line)[1].lower().split())

    originals = {norm(line) for line in job.resume_text.splitlines()}
    return [
        {"text": line, "changed": bool(line.strip()) and norm(line) not in originals}
        for line in text.split("\n")
    ]


def accept_passage(job: Optimization, line: str) -> None:
    job.accepted_passages = [*(job.accepted_passages or []), line]
    if not job.edited_at:
        save_text(job, model_text(job))


def revert_passage(job: Optimization, index: int, original: str) -> None:
    """Put the original wording back on that line, keeping the rewrite's bullet marker."""
    lines = final_text(job).split("\n")
    marker, _body = _split(lines[index])
    lines[index] = marker + original
    save_text(job, "\n".join(lines))
    job.revert_count += 1


REVIEW_FIELDS = [
    "edited_resume",
    "confirmed_claims",
    "accepted_passages",
    "edited_at",
    "revert_count",
    "updated_at",
]
