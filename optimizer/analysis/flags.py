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
    }
)


@dataclass(frozen=True, slots=True)
class GroundingFlag:
    kind: str
    phrase: str
    sentence: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "phrase": self.phrase,
            "sentence": self.sentence,
            "message": self.message,
        }


def is_blocking(flag: GroundingFlag) -> bool:
    """True for kinds a strict caller should refuse to publish (see ``BLOCKING_KINDS``)."""
    return flag.kind in BLOCKING_KINDS


def make_flag(kind: str, phrase: str, sentence: str) -> GroundingFlag:
    return GroundingFlag(
        kind, phrase, sentence, f'Unsupported {KIND_LABELS[kind]} "{phrase}" in "{sentence}"'
    )
