"""The semantic-version rule, free of MLflow so it can be read and tested on its own.

major: the model signature (inputs or outputs) differs from the last versioned model
minor: better than the champion's accuracy by more than a margin
patch: otherwise
The first versioned model is 1.0.0.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class SemVer:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> "SemVer":
        major, minor, patch = (int(part) for part in text.split("."))
        return cls(major, minor, patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


FIRST = SemVer(1, 0, 0)


def next_version(
    history: list[SemVer],
    signature_changed: bool,
    accuracy: float,
    champion_accuracy: float | None,
    minor_margin: float,
) -> tuple[SemVer, str]:
    """The candidate's version and the reason, given the versions already handed out."""
    if not history:
        return FIRST, "first versioned model"
    top = max(history)
    if signature_changed:
        return SemVer(top.major + 1, 0, 0), "signature changed"
    if champion_accuracy is not None and accuracy > champion_accuracy + minor_margin:
        return SemVer(top.major, top.minor + 1, 0), f"accuracy beats champion by more than {minor_margin}"
    return SemVer(top.major, top.minor, top.patch + 1), "no signature change, not better than champion by the margin"
