"""CustomResourceDefinitions read from YAML: each served version's schema and rules.

The rules are what the API server enforces beyond the schema's value checks:
CEL `x-kubernetes-validations` and `x-kubernetes-list-type: map` keys. Each is
kept with the path of the schema node it sits on, in the node-path notation
cel_walk.py walks: a property name, "[]" for a list's items, "{}" for a map's values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitops.core import yamlio


class CrdError(Exception):
    """A CRD file does not parse or lacks what every CRD has."""


@dataclass
class CrdVersion:
    group: str
    kind: str
    version: str
    scope: str
    schema: dict[str, Any]
    origin: str  # where it came from: "argo-workflows v4.0.6 argoproj.io_workflowtemplates.yaml", or a render
    cel: list[dict[str, Any]] = field(default_factory=list)
    list_maps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"


def parse(text: str, where: str) -> list[dict[str, Any]]:
    bodies, errors = yamlio.load_documents(text)
    if errors:
        raise CrdError(f"{where}: document {errors[0].index}: {errors[0].message}")
    return [b for b in bodies if isinstance(b, dict) and b.get("kind") == "CustomResourceDefinition"]


def served_versions(crd: dict[str, Any], origin: str) -> list[CrdVersion]:
    spec = crd.get("spec") if isinstance(crd.get("spec"), dict) else {}
    names = spec.get("names") if isinstance(spec.get("names"), dict) else {}
    if not spec.get("group") or not names.get("kind"):
        raise CrdError(f"{origin}: a CustomResourceDefinition needs spec.group and spec.names.kind")
    out = []
    for entry in spec.get("versions") or []:
        if not isinstance(entry, dict) or not entry.get("served"):
            continue  # a version not served cannot be created
        schema = ((entry.get("schema") or {}).get("openAPIV3Schema")) or {}
        version = CrdVersion(
            spec["group"], names["kind"], str(entry.get("name")), spec.get("scope", "Namespaced"), schema, origin
        )
        _collect(schema, [], version)
        out.append(version)
    return out


def _collect(node: Any, path: list[str], into: CrdVersion) -> None:
    if not isinstance(node, dict):
        return
    for rule in node.get("x-kubernetes-validations") or []:
        into.cel.append({"path": path, "type": _type_name(node), **rule})
    if node.get("x-kubernetes-list-type") == "map":
        into.list_maps.append({"path": path, "keys": list(node.get("x-kubernetes-list-map-keys") or [])})
    for name, child in (node.get("properties") or {}).items():
        _collect(child, [*path, name], into)
    if isinstance(node.get("items"), dict):
        _collect(node["items"], [*path, "[]"], into)
    if isinstance(node.get("additionalProperties"), dict):
        _collect(node["additionalProperties"], [*path, "{}"], into)


def _type_name(node: dict[str, Any]) -> str:
    """What the API server prints as the "value" of a failed rule: the node's schema type."""
    if node.get("x-kubernetes-int-or-string"):
        return ""
    return str(node.get("type", ""))
