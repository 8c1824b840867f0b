"""The reviewed list of storage URI schemes each environment's serving can fetch a model from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from gitops.validate.policy.platform import PlatformListError

SERVING_STORAGE_FILE = "policy/serving-storage.yaml"


@dataclass(frozen=True)
class ServingStorage:
    schemes: dict[str, tuple[str, ...]]  # environment -> schemes, e.g. {"dev": ("s3",)}


def load_serving_storage(path: Path, shown_as: str) -> ServingStorage:
    """Read the list; an entry without name, schemes or a reason is an error, never skipped.
    A repo without the file names no environment (so every pinned URI is reported)."""
    if not path.is_file():
        return ServingStorage({})
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict) or not isinstance(data.get("environments"), list):
        raise PlatformListError(f"{shown_as}: expected a mapping with an `environments:` list")
    schemes = {}
    for i, entry in enumerate(data["environments"]):
        entry = entry if isinstance(entry, dict) else {}
        missing = [k for k in ("name", "schemes", "reason") if not entry.get(k)]
        if missing or not isinstance(entry["schemes"], list):
            raise PlatformListError(
                f"{shown_as}: environments[{i}]: needs name, a list of schemes and a reason (missing {missing})"
            )
        schemes[str(entry["name"])] = tuple(map(str, entry["schemes"]))
    return ServingStorage(schemes)
