"""Find the modules of a package by name, each a registered check: the validator's two registries use it.

A module must define every name in `required` (its ID among them); two modules
with one ID fail at import, so a copied check can never shadow another one
silently.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


class ModuleRegistryError(Exception):
    """A module is malformed or reuses another module's ID."""


def discover(package: ModuleType, required: tuple[str, ...], what: str) -> tuple[ModuleType, ...]:
    """The modules of `package`, sorted by ID (the order every listing uses)."""
    found: dict[str, ModuleType] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        missing = [name for name in required if not hasattr(module, name)]
        if missing:
            raise ModuleRegistryError(f"{module.__name__}: a {what} module needs {', '.join(missing)}")
        if module.ID in found:
            raise ModuleRegistryError(
                f"{module.__name__}: {what} ID {module.ID} is already {found[module.ID].__name__}'s"
            )
        found[module.ID] = module
    return tuple(found[key] for key in sorted(found))
