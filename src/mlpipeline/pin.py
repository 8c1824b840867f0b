"""The model pin: which model version an environment serves, in that model's folder of the environment.

The pin is the `model-pin` entry of the configMapGenerator in
k8s/overlays/<env>/<model>/kustomization.yaml, one `key=value` literal per
field; kustomize merges it into the base's `model-pin` ConfigMap, which the
InferenceService, the PostSync check and the drift check read. The deploy
step writes dev's; promotion copies it up. It carries the validation verdict
so that promotion can refuse a failed model with git alone. This module is
the one reader and writer of it, for the steps and the repo tooling alike;
an edit changes only the literals and keeps the file's comments and layout.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from mlpipeline import yamlerrors
from mlpipeline.atomicfile import write_atomic
from mlpipeline.errors import StepError

NAME = "model-pin"
PASSED = "true"
PIN_PATH = "k8s/overlays/{environment}/{model}/kustomization.yaml"
FIX = "restore the file from git history (docs/promotion.md shows the pin's shape)"


class PinError(StepError):
    """The file holds no readable pin; `what` says which part, `input` names the file."""


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
            return f"validationPassed is {json.dumps(self.validationPassed)}, not {json.dumps(PASSED)}"
        return ""


KEYS = tuple(f.name for f in fields(Pin))


def _yaml():
    # ruamel's round trip keeps comments, key order and quoting of the rest of the file.
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a storage URI onto two lines
    yaml.indent(mapping=2, sequence=2, offset=0)
    return yaml


def _generator(document: Any, where: str) -> Any:
    if not isinstance(document, dict) or document.get("kind") != "Kustomization":
        raise PinError(where, "not a kustomization", FIX)
    entries = [g for g in document.get("configMapGenerator") or [] if isinstance(g, dict) and g.get("name") == NAME]
    if len(entries) != 1:
        raise PinError(where, f"has {len(entries)} configMapGenerator entries named {NAME}, not one", FIX)
    literals = entries[0].get("literals")
    if literals is None:
        entries[0]["literals"] = literals = []
    if not isinstance(literals, list) or not all(isinstance(x, str) for x in literals):
        raise PinError(where, f"configMapGenerator {NAME}: literals is not a list of key=value strings", FIX)
    return entries[0]


def _values(literals: list[str], where: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for literal in literals:
        key, sep, value = literal.partition("=")
        if not sep or key not in KEYS:
            raise PinError(where, f"pin literal {json.dumps(literal)} is not one of {', '.join(KEYS)}=<value>", FIX)
        values[key] = value
    return values


def _load(text: str, where: str) -> Any:
    try:
        return _yaml().load(text)
    except Exception as err:  # noqa: BLE001 - ruamel raises several error types; all mean "not YAML"
        raise PinError(where, *yamlerrors.describe(err, where)) from None


def parse(text: str, where: str) -> Pin | None:
    """The pin in a model folder's kustomization text; None before the model's first deploy there."""
    values = _values(_generator(_load(text, where), where)["literals"], where)
    if not values.get("modelVersion", "").strip():
        return None
    return Pin(**{key: values.get(key, "") for key in KEYS})


def read(path: Path, where: str | None = None) -> Pin | None:
    """The pin in `path`; None when the file does not exist or pins no version yet."""
    if not path.exists():
        return None
    return parse(path.read_text(encoding="utf-8"), where or str(path))


def with_pin(text: str, pin: Pin, where: str) -> str:
    """`text` (a model folder's kustomization) with its pin literals replaced by `pin`'s."""
    document = _load(text, where)
    generator = _generator(document, where)
    literals = generator["literals"]
    del literals[:]
    literals.extend(f"{key}={value}" for key, value in asdict(pin).items())
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def write(path: Path, pin: Pin) -> None:
    """Atomic: a crash never leaves half a pin."""
    write_atomic(path, with_pin(path.read_text(encoding="utf-8"), pin, str(path)))
