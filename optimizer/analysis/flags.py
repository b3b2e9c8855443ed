"""What the grounding check reports: one ``GroundingFlag`` per unsupported claim."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KIND_LABELS: dict[str, str] = {
    "number": "number",
    "percentage": "number",
    "money": "money amount",
    "team_size": "team size",
    "date": "date",
    "duration": "duration",
    "employer": "employer",
    "title": "job title",
    "degree": "degree",
    "school": "school",
    "certification": "certification",
    "skill": "skill",
    "identity": "contact detail",
}
BLOCKING_KINDS: frozenset[str] = frozenset(
    {
        "employer",
        "title",
        "degree",
        "school",
        "certification",
        "number",
        "percentage",
        "money",
        "team_size",
        "skill",
        "duration",
        "date",
        "identity",
    }
)


@dataclass(frozen=True, slots=True)
class GroundingFlag:
    kind: str
    phrase: str
    sentence: str
    message: str
    # False for a date inside the original's own span (a reformatting the check cannot read):
    # an unsupported date that moves a start earlier or an end later is blocking.
    blocking: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "phrase": self.phrase,
            "sentence": self.sentence,
            "message": self.message,
        }


def is_blocking(flag: GroundingFlag) -> bool:
    """True for claims a strict caller should refuse to publish: invented facts of every kind
    (``BLOCKING_KINDS``), except a date that stays inside the original's own dates."""
    return flag.kind in BLOCKING_KINDS and flag.blocking


def make_flag(kind: str, phrase: str, sentence: str, blocking: bool = True) -> GroundingFlag:
    return GroundingFlag(
        kind,
        phrase,
        sentence,
        f'Unsupported {KIND_LABELS[kind]} "{phrase}" in "{sentence}"',
        blocking,
    )


def blocking_first(flags: list[GroundingFlag]) -> list[GroundingFlag]:
    """``flags`` with the blocking ones first, each group in text order."""
    return sorted(flags, key=lambda f: not is_blocking(f))
