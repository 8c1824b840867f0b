"""The model pin: the ConfigMap `model-pin` whose string data says which model version an environment serves.

The deploy step writes dev's; promotion copies it up; the PostSync check and the
drift check read it in the cluster. It carries the validation verdict so that
promotion can refuse a failed model with git alone. The one reader and writer
of the file, for the steps and the repo tooling alike.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import yaml

from mlpipeline.atomicfile import write_atomic
from mlpipeline.errors import StepError

NAME = "model-pin"
PASSED = "true"
HEADER = "# Written by the pipeline's deploy step; promotion copies this file to the next overlay.\n"


class PinError(StepError):
    """The file is not the contract's pin; `what` says which part, `input` names the file."""


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

    @property
    def summary(self) -> str:
        """How a person names the pinned model: `iris version 4 (semver 1.2.0)`."""
        return f"{self.modelName or '?'} version {self.modelVersion or '?'} (semver {self.semver or '?'})"

    def verdict_problem(self) -> str:
        """Why this pin must not be promoted ("" when its validation passed)."""
        if self.validationPassed != PASSED:
            return f'data.validationPassed is {json.dumps(self.validationPassed)}, not "{PASSED}"'
        return ""


KEYS = tuple(f.name for f in fields(Pin))
FIX = "restore the file from git history (docs/promotion.md shows its shape)"


def parse(text: str, where: str) -> Pin | None:
    """The pin in `text`, or None for the empty pin an overlay carries before its first deploy."""
    try:
        body = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise PinError(where, f"not valid YAML ({str(err).splitlines()[0]})", FIX) from None
    if not isinstance(body, dict) or body.get("kind") != "ConfigMap":
        raise PinError(where, "not a ConfigMap", FIX)
    name = (body.get("metadata") or {}).get("name")
    if name != NAME:
        raise PinError(where, f'metadata.name is {json.dumps(name)}, not "{NAME}"', FIX)
    data = body.get("data")
    if not isinstance(data, dict):
        raise PinError(where, "has no data", FIX)
    missing = [key for key in KEYS if key not in data]
    if missing:
        raise PinError(where, f"data has no {', '.join(missing)}", FIX)
    wrong = [key for key in KEYS if not isinstance(data[key], str)]
    if wrong:
        # A YAML boolean `false` is not the string "false": ConfigMap data holds strings only.
        raise PinError(where, f"data.{wrong[0]} is {json.dumps(data[wrong[0]])}, not a quoted string", FIX)
    if not data["modelVersion"].strip():
        return None
    return Pin(**{key: data[key] for key in KEYS})


def read(path: Path, where: str | None = None) -> Pin | None:
    """The pin in `path`; None when the file does not exist or is the empty pin."""
    if not path.exists():
        return None
    return parse(path.read_text(encoding="utf-8"), where or str(path))


def render(pin: Pin) -> str:
    document = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": NAME}, "data": asdict(pin)}
    return HEADER + yaml.safe_dump(document, sort_keys=False, default_flow_style=False)


def write(path: Path, pin: Pin) -> None:
    """Atomic: a crash never leaves half a pin."""
    write_atomic(path, render(pin))
