"""Every check module under `rules/`, found by name and checked once at import.

A module has ID, DESCRIPTION, SOURCE (the Kubernetes file its rules come
from), KINDS (kind names it applies to, or "*" for every object) and
`check(kind, body) -> Iterable[Problem]`. A malformed or duplicate module fails
here, at import, like the policy rules' registry.
"""

from __future__ import annotations

from types import ModuleType

from gitops.core.modules import discover
from gitops.validate.apiserver import rules as _package

REQUIRED = ("ID", "DESCRIPTION", "SOURCE", "KINDS", "check")


CHECKS = discover(_package, REQUIRED, "check")


def for_kind(kind: str) -> tuple[ModuleType, ...]:
    return tuple(m for m in CHECKS if "*" in m.KINDS or kind in m.KINDS)
