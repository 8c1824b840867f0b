"""Shared wording for reference rules: a name that resolves nowhere."""

from __future__ import annotations

from gitops.validate.policy.context import PLATFORM_FILE

HINT = f"fix the name, add the object to the overlay, or list it in {PLATFORM_FILE} with a reason"


def missing(kind: str, name: str) -> str:
    return f"{kind} {name} is not in the overlay or the platform list"
