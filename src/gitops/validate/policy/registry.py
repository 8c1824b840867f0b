"""Every rule module under `rules/`, found by name, checked once at import.

A rule module has ID, DESCRIPTION, SEVERITY and `check(overlay)`; SCOPE is
"overlay" (default, once per kustomization) or "repo" (once per run). Two
modules with one ID, or a module missing a part, fail here, at import, so a
copied rule can never shadow another one silently.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from gitops.validate.policy import rules as _package

REQUIRED = ("ID", "DESCRIPTION", "SEVERITY", "check")
SCOPES = ("overlay", "repo")


class RuleRegistryError(Exception):
    """A rule module is malformed or reuses another module's ID."""


def discover(package: ModuleType = _package) -> tuple[ModuleType, ...]:
    """The rule modules of `package`, sorted by ID (the order every listing uses)."""
    found: dict[str, ModuleType] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        missing = [name for name in REQUIRED if not hasattr(module, name)]
        if missing:
            raise RuleRegistryError(f"{module.__name__}: a rule module needs {', '.join(missing)}")
        if scope(module) not in SCOPES:
            raise RuleRegistryError(f"{module.__name__}: SCOPE is {scope(module)!r}, not one of {', '.join(SCOPES)}")
        if module.ID in found:
            raise RuleRegistryError(f"{module.__name__}: rule ID {module.ID} is already {found[module.ID].__name__}'s")
        found[module.ID] = module
    return tuple(found[rule_id] for rule_id in sorted(found))


def scope(rule: ModuleType) -> str:
    return getattr(rule, "SCOPE", "overlay")


RULES = discover()
