"""The one reviewed list of objects the platform provides, each with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


class PlatformListError(Exception):
    """The platform list is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class PlatformObject:
    kind: str
    name: str
    namespace: str  # "" = cluster-scoped or any namespace
    reason: str


@dataclass(frozen=True)
class PlatformObjects:
    objects: tuple[PlatformObject, ...] = ()

    def has(self, kind: str, name: str, namespace: str = "") -> bool:
        return any(
            o.kind == kind and o.name == name and (not o.namespace or not namespace or o.namespace == namespace)
            for o in self.objects
        )


def load_platform_objects(path: Path, shown_as: str) -> PlatformObjects:
    """Read the list; an entry without kind, name or a reason is an error, never skipped."""
    data = yaml.safe_load(path.read_text()) if path.is_file() else None
    if not isinstance(data, dict) or not isinstance(data.get("objects"), list):
        raise PlatformListError(f"{shown_as}: expected a mapping with an `objects:` list")
    objects = []
    for i, entry in enumerate(data["objects"]):
        entry = entry if isinstance(entry, dict) else {}
        missing = [k for k in ("kind", "name", "reason") if not str(entry.get(k) or "").strip()]
        if missing:
            raise PlatformListError(f"{shown_as}: objects[{i}]: missing {', '.join(missing)} (every entry says why)")
        objects.append(
            PlatformObject(
                str(entry["kind"]), str(entry["name"]), str(entry.get("namespace") or ""), str(entry["reason"])
            )
        )
    return PlatformObjects(tuple(objects))
