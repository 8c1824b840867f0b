"""The reviewed list of storage URI schemes each environment's serving can fetch a model from.

The demo's platform (`make demo`: MLServer on loopback reading its own MLflow's
artifacts) fetches more than the cluster does; its schemes are listed apart,
under `demo:`, and count only when a caller validates for that platform
(promote, pushing to a remote the runner created)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from gitops.validate.policy.platform import PlatformListError

SERVING_STORAGE_FILE = "policy/serving-storage.yaml"


@dataclass(frozen=True)
class ServingStorage:
    schemes: dict[str, tuple[str, ...]]  # environment -> schemes, e.g. {"dev": ("s3",)}


DEMO = "demo"  # the platform `make demo` runs; the cluster is the default


def load_serving_storage(path: Path, shown_as: str, platform: str = "") -> ServingStorage:
    """Read the list; an entry without name, schemes or a reason is an error, never skipped.
    A repo without the file names no environment (so every pinned URI is reported).
    For `platform` "demo", every environment also accepts the `demo:` schemes."""
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
    if platform == DEMO:
        extra = _demo_schemes(data.get(DEMO), shown_as)
        schemes = {env: (*found, *(s for s in extra if s not in found)) for env, found in schemes.items()}
    return ServingStorage(schemes)


def _demo_schemes(entry: object, shown_as: str) -> tuple[str, ...]:
    if not isinstance(entry, dict) or not isinstance(entry.get("schemes"), list) or not entry.get("reason"):
        raise PlatformListError(f"{shown_as}: demo: needs a list of schemes and a reason, to validate for the demo")
    return tuple(map(str, entry["schemes"]))
