"""Every rule module under `rules/`, found by name, checked once at import.

A rule module has ID, DESCRIPTION, SEVERITY and `check(overlay)`; SCOPE is
"overlay" (default, once per kustomization) or "repo" (once per run). Two
modules with one ID, or a module missing a part, fail here, at import, so a
copied rule can never shadow another one silently.
"""

from __future__ import annotations

from types import ModuleType

from gitops.core.modules import ModuleRegistryError
from gitops.core.modules import discover as discover_modules
from gitops.validate.policy import rules as _package

REQUIRED = ("ID", "DESCRIPTION", "SEVERITY", "check")
SCOPES = ("overlay", "repo")
RuleRegistryError = ModuleRegistryError


def discover(package: ModuleType = _package) -> tuple[ModuleType, ...]:
    """The rule modules of `package`, sorted by ID; a SCOPE other than overlay or repo fails too."""
    found = discover_modules(package, REQUIRED, "rule")
    for module in found:
        if scope(module) not in SCOPES:
            raise RuleRegistryError(f"{module.__name__}: SCOPE is {scope(module)!r}, not one of {', '.join(SCOPES)}")
    return found


def scope(rule: ModuleType) -> str:
    return getattr(rule, "SCOPE", "overlay")


RULES = discover()
