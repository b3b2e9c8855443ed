"""Checks and cleans model output before anyone sees it (the seed's ResponseValidator).

validate(): length, harmful patterns (script injection, event handlers, dangerous URLs) and
uncertainty phrases that suggest the model guessed. sanitize(): removes script/style blocks with
their content, then strips every other tag with bleach, then dangerous URL schemes and
event-handler attributes left as text. The result is plain text: pages escape it again on output.
"""

from __future__ import annotations

import html
import re
from typing import Any

import bleach

# The heading rule lives with the analysis (pure text), which also needs it; re-exported here.
from optimizer.analysis.sections import section_heading

SECTION_NAMES = ("OPTIMIZED RESUME", "CHANGES MADE", "EXPECTED IMPROVEMENT")

HARMFUL_PATTERNS = (
    r"<script[^>]*>.*?</script>",
    r"<script[^>]*>",
    r"javascript\s*:",
    r"vbscript\s*:",
    r"data\s*:\s*text/html",
    r"\bon(?:abort|blur|change|click|dblclick|error|focus|input|keydown|keypress|keyup|load"
    r"|mousedown|mouseenter|mouseleave|mousemove|mouseout|mouseover|mouseup|pointerdown"
    r"|pointerup|reset|resize|scroll|select|submit|toggle|unload|animationstart|begin)\s*=",
    r"<iframe[^>]*>",
    r"<object[^>]*>",
    r"<embed[^>]*>",
)
_HARMFUL = [(p, re.compile(p, re.IGNORECASE | re.DOTALL)) for p in HARMFUL_PATTERNS]

UNCERTAINTY_PHRASES = (
    "I cannot verify",
    "I can't verify",
    "I don't have access",
    "I do not have access",
    "I cannot confirm",
    "I can't confirm",
    "I'm not sure",
    "I am not sure",
    "I don't have information",
    "I do not have information",
    "I made up",
    "as an AI",
    "I assumed",
    "[insert",
    "[placeholder",
    "hypothetical",
)

_BLOCKS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_OPEN_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*\Z", re.IGNORECASE | re.DOTALL)
_URL_SCHEMES = re.compile(r"\b(?:javascript|vbscript)\s*:|\bdata\s*:\s*text/html[^\s]*", re.I)
_HANDLER_ATTR = re.compile(_HARMFUL[5][1].pattern + r"\s*(\"[^\"]*\"|'[^']*'|[^\s>]*)", re.I)

_BULLET = re.compile(r"^\s*(?:[-*•●▪◦–]|\d+[.)])\s+")


class ResponseValidator:
    def __init__(
        self,
        min_length: int = 100,
        max_length: int = 50000,
        check_harmful: bool = True,
        check_fabrication: bool = True,
    ) -> None:
        self.min_length = min_length
        self.max_length = max_length
        self.check_harmful = check_harmful
        self.check_fabrication = check_fabrication

    def validate(self, response: str) -> tuple[bool, list[str]]:
        issues: list[str] = []
        text = response or ""
        if len(text.strip()) < self.min_length:
            issues.append("Response too short")
        if len(text) > self.max_length:
            issues.append("Response too long")
        if self.check_harmful:
            for pattern, regex in _HARMFUL:
                if regex.search(text):
                    issues.append(f"Harmful pattern detected: {pattern}")
        if self.check_fabrication:
            lowered = text.lower()
            for phrase in UNCERTAINTY_PHRASES:
                if phrase.lower() in lowered:
                    issues.append(f"Uncertainty phrase detected: '{phrase}'")
        return (not issues, issues)

    def sanitize(self, response: str) -> str:
        text = response or ""
        # Repeat until nothing changes: removing one layer must not reveal another.
        for _ in range(5):
            before = text
            text = _BLOCKS.sub("", text)
            text = _OPEN_BLOCK.sub("", text)
            text = html.unescape(
                bleach.clean(text, tags=set(), attributes={}, strip=True, strip_comments=True)
            )
            text = _HANDLER_ATTR.sub("", text)
            text = _URL_SCHEMES.sub("", text)
            if text == before:
                break
        return text

    def extract_structured_response(self, response: str) -> dict[str, Any]:
        """{"optimized_resume", "changes_made": [...], "expected_improvement"}."""
        sections, _ = parse_sections(response)
        return sections

    def assess_quality(self, response: str) -> dict[str, Any]:
        text = response or ""
        _, missing = parse_sections(text)
        lines = [line for line in text.splitlines() if line.strip()]
        has_structure = len(missing) == 0 or sum(1 for line in lines if _is_heading_like(line)) >= 3
        has_bullets = any(_BULLET.match(line) for line in lines)
        has_numbers = bool(re.search(r"\d", text))
        length = len(text)
        length_score = 1.0 if self.min_length <= length <= self.max_length else 0.0
        if length_score and length < 600:
            length_score = 0.5
        score = (
            0.3 * length_score
            + 0.3 * (1.0 if has_structure else 0.0)
            + 0.2 * (1.0 if has_bullets else 0.0)
            + 0.2 * (1.0 if has_numbers else 0.0)
        )
        return {
            "length": length,
            "has_structure": has_structure,
            "has_bullets": has_bullets,
            "has_numbers": has_numbers,
            "quality_score": round(score, 2),
        }


def _is_heading_like(line: str) -> bool:
    stripped = line.strip().strip("#*_: ")
    return bool(stripped) and stripped.isupper() and len(stripped) <= 40


def parse_sections(text: str) -> tuple[dict[str, Any], list[str]]:
    """Split the model's answer into its three sections; returns (sections, missing names).

    Tolerant: any case, leading #s, trailing colon, bold markers. Text before the first heading
    belongs to the resume. A missing section is empty and named in the second value.
    """
    buckets: dict[str, list[str]] = {name: [] for name in SECTION_NAMES}
    seen: set[str] = set()
    current = "OPTIMIZED RESUME"
    for line in (text or "").splitlines():
        heading = section_heading(line)
        if heading:
            current = heading
            seen.add(current)
            continue
        buckets[current].append(line)
    changes = [_BULLET.sub("", line).strip() for line in buckets["CHANGES MADE"] if line.strip()]
    sections = {
        "optimized_resume": "\n".join(buckets["OPTIMIZED RESUME"]).strip(),
        "changes_made": changes,
        "expected_improvement": "\n".join(buckets["EXPECTED IMPROVEMENT"]).strip(),
    }
    missing = [name for name in SECTION_NAMES if name not in seen]
    if "OPTIMIZED RESUME" in missing and sections["optimized_resume"]:
        missing.remove("OPTIMIZED RESUME")  # text before the first heading is the resume
    return sections, missing
