"""Which schemas an object must satisfy, and compiled validators for them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs

from gitops.validate.schemas.store import KUBERNETES_VERSIONS, core_dir, crd_file

OLDEST, NEWEST = KUBERNETES_VERSIONS[0], KUBERNETES_VERSIONS[-1]


@dataclass(frozen=True)
class Compiled:
    validator: Any
    schema: dict[str, Any]
    labels: tuple[str, ...]  # the Kubernetes versions (or "crd") this schema stands for


@dataclass
class Lookup:
    """Resolved once per (apiVersion, kind) per process: schemas, or why there are none."""

    compiled: list[Compiled] = field(default_factory=list)
    problem: str = ""  # a message when the kind is not served where it must be
    hint: str = ""
    unchecked_reason: str = ""  # listed in unchecked-kinds.yaml
    missing: bool = False  # no schema anywhere and not listed


class SchemaIndex:
    def __init__(self, root: Path, index: dict[str, Any], unchecked: dict[tuple[str, str], str]):
        self.root = root
        self.data = index  # what the store was built from (index.json)
        self.core: dict[str, dict[str, str]] = index["core"]
        self.unchecked = unchecked
        self._lookups: dict[tuple[str, str], Lookup] = {}
        self._by_digest: dict[str, Compiled] = {}

    def lookup(self, api_version: str, kind: str) -> Lookup:
        key = (api_version, kind)
        if key not in self._lookups:
            self._lookups[key] = self._resolve(api_version, kind)
        return self._lookups[key]

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
            elif key_reason := self.unchecked.get((api_version, kind)):
                result.unchecked_reason = key_reason
                return result
            else:
                result.missing = True
                return result
        for digest, (path, labels) in found.items():
            if digest not in self._by_digest:
                schema = json.loads(path.read_text())
                self._by_digest[digest] = Compiled(jsonschema_rs.Draft202012Validator(schema), schema, tuple(labels))
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
