"""The model pin file: a plain ConfigMap `model-pin` whose string data says what an environment serves.

Promotion copies this file between overlays, so it carries everything the
serving side and the post-sync check need; nothing downstream asks the registry.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from mlpipeline.errors import StepError

KEYS = ("modelName", "modelVersion", "semver", "storageUri", "runId", "validationPassed",
        "accuracy", "f1Macro", "championVersion")


@dataclass(frozen=True)
class Pin:
    modelName: str
    modelVersion: str
    semver: str
    storageUri: str
    runId: str
    validationPassed: str
    accuracy: str
    f1Macro: str
    championVersion: str


def read(path: Path) -> Pin | None:
    """The current pin, or None before the first deploy (no file, or the overlay's empty pin)."""
    if not path.exists():
        return None
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    data = document.get("data") or {}
    missing = [key for key in KEYS if key not in data]
    if document.get("kind") != "ConfigMap" or missing:
        raise StepError(f"pin file {path}", f"not a model-pin ConfigMap (missing: {', '.join(missing) or 'kind'})",
                        "restore the file from git history")
    if not str(data["modelVersion"]).strip():
        return None
    return Pin(**{key: str(data[key]) for key in KEYS})


def render(pin: Pin) -> str:
    document = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "model-pin"},
        "data": asdict(pin),
    }
    header = "# Written by the pipeline's deploy step; promotion copies this file to the next overlay.\n"
    return header + yaml.safe_dump(document, sort_keys=False, default_flow_style=False)


def write(path: Path, pin: Pin) -> None:
    """Atomic: a rename within the directory, so a crash never leaves half a pin."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(render(pin))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
