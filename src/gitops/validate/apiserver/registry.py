"""Every check module under `rules/`, found by name and checked once at import.

A module has ID, DESCRIPTION, SOURCE (the Kubernetes file its rules come
from), KINDS (kind names it applies to, or "*" for every object) and
`check(kind, body) -> Iterable[Problem]`. A malformed or duplicate module fails
here, at import, like the policy rules' registry.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from gitops.validate.apiserver import rules as _package

REQUIRED = ("ID", "DESCRIPTION", "SOURCE", "KINDS", "check")


class CheckRegistryError(Exception):
    """A check module is malformed or reuses another module's ID."""


def discover(package: ModuleType = _package) -> tuple[ModuleType, ...]:
    found: dict[str, ModuleType] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        missing = [name for name in REQUIRED if not hasattr(module, name)]
        if missing:
            raise CheckRegistryError(f"{module.__name__}: a check module needs {', '.join(missing)}")
        if module.ID in found:
            raise CheckRegistryError(f"{module.__name__}: ID {module.ID} is already {found[module.ID].__name__}'s")
        found[module.ID] = module
    return tuple(found[key] for key in sorted(found))


CHECKS = discover()


def for_kind(kind: str) -> tuple[ModuleType, ...]:
    return tuple(m for m in CHECKS if "*" in m.KINDS or kind in m.KINDS)
