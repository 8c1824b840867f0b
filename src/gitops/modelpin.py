"""The model pin: the ConfigMap `model-pin` that says which model version an environment serves.

The pipeline's deploy step writes dev's; promotion copies it. It carries the
validation verdict so promotion can refuse a failed model with git alone.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import yaml

PASSED = "true"


class PinError(Exception):
    """The pin file cannot be read as the contract's ConfigMap; the message says which part."""


@dataclass(frozen=True)
class ModelPin:
    data: dict[str, object]

    def get(self, key: str) -> str:
        return str(self.data.get(key, ""))

    @property
    def summary(self) -> str:
        """How a person names the pinned model: `iris version 4 (semver 1.2.0)`."""
        return f"{self.get('modelName') or '?'} version {self.get('modelVersion') or '?'} (semver {self.get('semver') or '?'})"

    def verdict_problem(self) -> str:
        """Why this pin must not be promoted ("" when its validation passed)."""
        value = self.data.get("validationPassed")
        if value is None:
            return f'data.validationPassed is missing, not "{PASSED}"'
        if value != PASSED:
            # json.dumps tells the string "false" from a YAML boolean `false`.
            return f'data.validationPassed is {json.dumps(value)}, not "{PASSED}"'
        return ""


def parse(text: str) -> ModelPin:
    try:
        body = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise PinError(f"not valid YAML ({str(err).splitlines()[0]})") from None
    if not isinstance(body, dict) or body.get("kind") != "ConfigMap":
        raise PinError("not a ConfigMap")
    name = (body.get("metadata") or {}).get("name")
    if name != "model-pin":
        raise PinError(f"metadata.name is {json.dumps(name)}, not \"model-pin\"")
    data = body.get("data")
    if not isinstance(data, dict):
        raise PinError("has no data")
    return ModelPin(data=data)
