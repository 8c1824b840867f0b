"""Which schemas and rules an object must satisfy, compiled once per process.

Custom resources are looked up among the pinned CRDs (the store), then among
the CustomResourceDefinitions rendered beside them in the same kustomization:
a kustomization that ships its own CRD has it applied first by Argo CD, so its
objects are checked against it, with the same structural rules.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs

from gitops.validate.schemas import crds, formats, store
from gitops.validate.schemas.rules_walk import KindRules
from gitops.validate.schemas.store import KUBERNETES_VERSIONS, core_dir, crd_file, rules_file

OLDEST, NEWEST = KUBERNETES_VERSIONS[0], KUBERNETES_VERSIONS[-1]


def compile_schema(schema: dict[str, Any]) -> Any:
    """The one place a JSON Schema validator is made: 2020-12, our format checkers and no others."""
    return jsonschema_rs.Draft202012Validator(schema, formats=formats.CHECKERS, validate_formats=True)


@dataclass(frozen=True)
class Compiled:
    validator: Any
    schema: dict[str, Any]
    labels: tuple[str, ...]  # the Kubernetes versions (or "crd") this schema stands for


@dataclass
class Lookup:
    """Resolved once per (apiVersion, kind) per process: schemas, or why there are none."""

    compiled: list[Compiled] = field(default_factory=list)
    rules: KindRules | None = None  # CEL rules and list-map keys of a custom resource
    problem: str = ""  # a message when the kind is not served where it must be
    hint: str = ""
    unchecked_reason: str = ""  # listed in unchecked-kinds.yaml
    missing: bool = False  # no schema anywhere and not listed
    custom: bool = False  # a custom resource (its metadata is checked as ObjectMeta by the schema)


class SchemaIndex:
    def __init__(self, root: Path, index: dict[str, Any], unchecked: dict[tuple[str, str], str]):
        self.root = root
        self.data = index  # what the store was built from (index.json)
        self.core: dict[str, dict[str, str]] = index["core"]
        self.unchecked = unchecked
        self._lookups: dict[tuple[str, str], Lookup] = {}
        self._by_digest: dict[str, Compiled] = {}

    def lookup(self, api_version: str, kind: str, local: dict[tuple[str, str], Lookup] | None = None) -> Lookup:
        key = (api_version, kind)
        if key not in self._lookups:
            self._lookups[key] = self._resolve(api_version, kind)
        found = self._lookups[key]
        if found.missing and local and key in local:
            return local[key]
        return found

    def _compile(self, path: Path, label: str, found: dict[str, tuple[Path, list[str]]]) -> None:
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        found.setdefault(digest, (path, []))[1].append(label)

    def _resolve(self, api_version: str, kind: str) -> Lookup:
        served = {v: self.core[v].get(f"{api_version}|{kind}") for v in KUBERNETES_VERSIONS}
        found: dict[str, tuple[Path, list[str]]] = {}
        for version, name in served.items():
            if name:
                self._compile(core_dir(self.root, version) / name, version, found)
        result = Lookup()
        if found:
            missing_in = [v for v, name in served.items() if not name]
            if NEWEST in missing_in:
                result.problem = (
                    f"{api_version} {kind} is not served by Kubernetes {NEWEST}: it was removed after {OLDEST}"
                )
                result.hint = self._replacement_hint(kind, NEWEST)
            elif OLDEST in missing_in:
                result.problem = (
                    f"{api_version} {kind} is not served by Kubernetes {OLDEST}, the oldest version this repo supports"
                )
                result.hint = self._replacement_hint(kind, OLDEST)
        else:
            path = crd_file(self.root, api_version, kind)
            served_as = sorted(
                {k.split("|")[0] for v in KUBERNETES_VERSIONS for k in self.core[v] if k.split("|")[1] == kind}
            )
            if not path.is_file() and served_as:
                # A core kind under an apiVersion neither end of the range serves (removed before 1.33).
                result.problem = f"{api_version} {kind} is served by neither Kubernetes {OLDEST} nor {NEWEST}"
                result.hint = self._replacement_hint(kind, OLDEST)
                return result
            if path.is_file():
                self._compile(path, "crd", found)
                schema = json.loads(path.read_text())
                result.rules = KindRules.build(json.loads(rules_file(path).read_text()), schema)
                result.custom = True
            elif key_reason := self.unchecked.get((api_version, kind)):
                result.unchecked_reason = key_reason
                return result
            else:
                result.missing = True
                return result
        for digest, (path, labels) in found.items():
            if digest not in self._by_digest:
                schema = json.loads(path.read_text())
                self._by_digest[digest] = Compiled(compile_schema(schema), schema, tuple(labels))
            cached = self._by_digest[digest]
            result.compiled.append(Compiled(cached.validator, cached.schema, tuple(labels)))
        return result

    def _replacement_hint(self, kind: str, version: str) -> str:
        others = sorted(k.split("|")[0] for k in self.core[version] if k.split("|")[1] == kind)
        if others:
            return (
                f"use apiVersion {' or '.join(others)}, which both {OLDEST} and {NEWEST} serve"
                if all(f"{o}|{kind}" in self.core[v] for o in others for v in KUBERNETES_VERSIONS)
                else f"Kubernetes {version} serves {kind} as {', '.join(others)}"
            )
        return (
            f"Kubernetes {version} has no {kind}; "
            "remove it or raise the supported range in src/gitops/validate/schemas/store.py"
        )


@dataclass
class LocalCrds:
    """The CRDs one render ships, as lookups for its own objects, and what was wrong with them."""

    lookups: dict[tuple[str, str], Lookup] = field(default_factory=dict)
    problems: dict[int, str] = field(default_factory=dict)  # document index -> why its schema cannot be used


def local_crds(bodies: list[tuple[int, dict[str, Any]]]) -> LocalCrds:
    out = LocalCrds()
    for index, body in bodies:
        if body.get("kind") != "CustomResourceDefinition" or not str(body.get("apiVersion", "")).startswith(
            "apiextensions.k8s.io/"
        ):
            continue
        name = (body.get("metadata") or {}).get("name", "") if isinstance(body.get("metadata"), dict) else ""
        try:
            versions = crds.served_versions(body, f"CustomResourceDefinition {name} in this render")
            for version in versions:
                schema, rules = store.crd_schema(version)
                lookup = Lookup(custom=True)
                lookup.compiled.append(Compiled(compile_schema(schema), schema, ("crd",)))
                lookup.rules = KindRules.build(rules, schema)
                out.lookups[(version.api_version, version.kind)] = lookup
        except (crds.CrdError, store.StoreError, ValueError) as err:
            out.problems[index] = str(err)
    return out
