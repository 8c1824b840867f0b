"""What an API-server check works with: tolerant access to an object, and field.Error-style messages.

Messages follow apimachinery pkg/util/validation/field/errors.go: `Invalid
value: <value>: <detail>`, `Required value[: <detail>]`, `Unsupported value:
<value>: supported values: "A", "B"`, `Duplicate value: <value>`, `Forbidden:
<detail>`, `Not found: <value>`. Strings print quoted, numbers and booleans
bare, anything else as JSON (Kubernetes 1.37's rendering).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    hint: str


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def render(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def invalid(path: str, value: Any, detail: str, hint: str) -> Problem:
    return Problem(path, f"Invalid value: {render(value)}: {detail}", hint)


def required(path: str, hint: str, detail: str = "") -> Problem:
    return Problem(path, f"Required value: {detail}" if detail else "Required value", hint)


def unsupported(path: str, value: Any, supported: tuple[str, ...], hint: str = "") -> Problem:
    options = ", ".join(json.dumps(s) for s in supported)
    return Problem(
        path, f"Unsupported value: {render(value)}: supported values: {options}", hint or f"use one of {options}"
    )


def duplicate(path: str, value: Any, hint: str) -> Problem:
    return Problem(path, f"Duplicate value: {render(value)}", hint)


def forbidden(path: str, detail: str, hint: str) -> Problem:
    return Problem(path, f"Forbidden: {detail}", hint)


def not_found(path: str, value: Any, hint: str) -> Problem:
    return Problem(path, f"Not found: {render(value)}", hint)


def key_path(base: str, key: str) -> str:
    """`data[app.properties]`: how field paths name a map key."""
    return f"{base}[{key}]"


# Where each kind keeps its pod template's spec and metadata.
POD_TEMPLATES = {
    "Pod": ("", "spec"),
    "PodTemplate": ("template.metadata", "template.spec"),
    "ReplicationController": ("spec.template.metadata", "spec.template.spec"),
    "Deployment": ("spec.template.metadata", "spec.template.spec"),
    "ReplicaSet": ("spec.template.metadata", "spec.template.spec"),
    "StatefulSet": ("spec.template.metadata", "spec.template.spec"),
    "DaemonSet": ("spec.template.metadata", "spec.template.spec"),
    "Job": ("spec.template.metadata", "spec.template.spec"),
    "CronJob": ("spec.jobTemplate.spec.template.metadata", "spec.jobTemplate.spec.template.spec"),
}


def get(body: Any, dotted: str) -> Any:
    node = body
    for part in dotted.split(".") if dotted else []:
        node = as_dict(node).get(part)
    return node


def pod_spec(kind: str, body: dict) -> tuple[str, dict] | None:
    """(path, spec) of the pod spec a kind carries, or None."""
    where = POD_TEMPLATES.get(kind)
    if where is None:
        return None
    return where[1], as_dict(get(body, where[1]))


def containers(spec: dict, path: str) -> Iterator[tuple[str, dict]]:
    """(path, container) for init and regular containers."""
    for field in ("initContainers", "containers"):
        for i, container in enumerate(as_list(spec.get(field))):
            yield f"{path}.{field}[{i}]", as_dict(container)
