"""Argo workflows read only ConfigMaps and Secrets whose names do not change with their content."""

# kustomize's generators suffix a content hash to the name: a change renames
# the object and Argo CD prunes the old one (the app syncs with prune), while
# workflows started before still read it. The controller re-resolves
# configMapKeyRef arguments on every reconcile (workflow/controller/operator.go,
# setGlobalParameters, v4.0.6) and steps not started yet mount it with envFrom,
# so the running workflow fails. Generated names end in -<10 characters of
# kustomize's hash alphabet: hex with 0,1,3,a,e written g,h,k,m,t.

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import argo
from gitops.validate.policy.context import Overlay

ID = "argo-configmap-stable"
DESCRIPTION = "Argo workflows reference no hash-suffixed (generated) ConfigMap or Secret"
SEVERITY = ERROR

HASHED = re.compile(r"-[2456789bcdfghkmt]{10}$")
REFERENCES = {
    "configMapKeyRef": "ConfigMap",
    "configMapRef": "ConfigMap",
    "configMap": "ConfigMap",
    "secretKeyRef": "Secret",
    "secretRef": "Secret",
}


def _references(value: Any, path: str) -> Iterator[tuple[str, str, str]]:
    """(kind, name, field path) of every ConfigMap/Secret reference under `value`."""
    if isinstance(value, dict):
        for key, child in value.items():
            here = f"{path}.{key}" if path else str(key)
            if key in REFERENCES and isinstance(child, dict) and isinstance(child.get("name"), str):
                yield REFERENCES[key], child["name"], f"{here}.name"
            elif key == "secret" and isinstance(child, dict) and isinstance(child.get("secretName"), str):
                yield "Secret", child["secretName"], f"{here}.secretName"
            else:
                yield from _references(child, here)
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _references(child, f"{path}[{i}]")


def check(overlay: Overlay) -> Iterable[Finding]:
    generated = {(d.kind, d.name) for d in overlay.of_kind("ConfigMap", "Secret") if HASHED.search(d.name)}
    if not generated:
        return
    for doc in overlay.docs:
        if doc.kind not in argo.KINDS:
            continue
        for kind, name, path in _references(doc.body.get("spec"), "spec"):
            if (kind, name) in generated:
                yield overlay.finding(
                    doc,
                    path,
                    f"reads {kind} {name}, a generated name with a content hash: a change renames it, Argo CD "
                    "prunes the old one, and a workflow still running fails reading it",
                    "set options.disableNameSuffixHash: true on its generator, so it changes in place",
                )
