"""Image names as kustomize and container runtimes compare them, and the reviewed record of serving images."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

SERVING_IMAGES_FILE = "policy/serving-images.yaml"


def repository(image: str) -> str:
    """The image without tag or digest, with Docker Hub's implicit registry and library/ spelled out."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    first = name.split("/", 1)[0]
    if "/" not in name:
        return f"docker.io/library/{name}"
    if "." not in first and ":" not in first and first != "localhost":
        return f"docker.io/{name}"
    return name


@dataclass(frozen=True)
class Write:
    path: str
    env: str = ""


@dataclass(frozen=True)
class ServingImage:
    image: str
    user: int
    group: int
    any_user: bool
    why: str
    writes: tuple[Write, ...]


class RecordError(Exception):
    """The reviewed record is unreadable or an entry lacks a field."""


@lru_cache(maxsize=8)
def _load(path: Path, stamp: float) -> dict[str, ServingImage]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
        out = {}
        for entry in data.get("images") or []:
            writes = tuple(Write(str(w["path"]), str(w.get("env") or "")) for w in entry.get("writes") or [])
            record = ServingImage(
                repository(str(entry["image"])),
                int(entry["user"]),
                int(entry["group"]),
                bool(entry["anyUser"]),
                str(entry["why"]),
                writes,
            )
            out[record.image] = record
        return out
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as err:
        raise RecordError(f"{SERVING_IMAGES_FILE}: {type(err).__name__}: {err}") from None


def serving_images(root: Path) -> dict[str, ServingImage]:
    path = root / SERVING_IMAGES_FILE
    return _load(path, path.stat().st_mtime if path.is_file() else 0.0)
