"""The schema store: kubeconform's layouts in a git-ignored cache, plus lookup.

    <root>/v1.33.0-standalone-strict/<kind>-<group>-<version>.json   core, oldest supported
    <root>/v1.37.0-standalone-strict/...                              core, newest shipped
    <root>/crds/<group>/<kind>_<version>.json                         custom resources
    <root>/index.json                                                 what we built, from what

kubeconform reads the same files:
    -kubernetes-version 1.33.0 -strict
    -schema-location \
      '<root>/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json'
    -schema-location '<root>/crds/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitops.validate.schemas import catalog, core

# The oldest Kubernetes the repo supports and the newest kubernetes-validate ships:
# an object must be valid in both, so an API removed in between is caught.
KUBERNETES_VERSIONS = ("1.33.0", "1.37.0")
FORMAT = 1  # bump when the layout or the rewriting changes
CACHE_ENV = "SCHEMA_CACHE"


def default_root(repo: Path) -> Path:
    return Path(os.environ.get(CACHE_ENV) or repo / ".cache" / "schemas")


def core_dir(root: Path, k8s_version: str) -> Path:
    return root / f"v{k8s_version}-standalone-strict"


def crd_file(root: Path, api_version: str, kind: str) -> Path:
    group, _, version = api_version.rpartition("/")
    return root / "crds" / group / f"{kind.lower()}_{version}.json"


def inputs_stamp() -> str:
    """What the store is built from; a change rebuilds it."""
    parts = [str(FORMAT), core.package_version(), catalog.SUMS_FILE.read_text(), *KUBERNETES_VERSIONS]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")))


def _build_core(tmp: Path) -> dict[str, dict[str, str]]:
    index: dict[str, dict[str, str]] = {}
    for k8s_version in KUBERNETES_VERSIONS:
        definitions = core.load_definitions(k8s_version)
        kinds: dict[str, str] = {}
        for api_version, kind, path in core.kind_files(k8s_version):
            out = core_dir(tmp, k8s_version) / path.name
            if not out.exists():
                _write_json(out, core.standalone(json.loads(path.read_text()), definitions))
            kinds[f"{api_version}|{kind}"] = path.name
        index[k8s_version] = kinds
    return index


def _strict_crd(schema: dict[str, Any], meta_ref: dict[str, Any], meta_defs: dict[str, Any]) -> dict[str, Any]:
    """Close the top level and check metadata against ObjectMeta (the catalog leaves both open)."""
    out = dict(schema)
    props = dict(out.get("properties", {}))
    props["metadata"] = meta_ref
    props.setdefault("status", {"type": "object"})
    out["properties"] = props
    out["additionalProperties"] = False
    out["$defs"] = {**out.get("$defs", {}), **meta_defs}
    return out


def _build_crds(tmp: Path) -> list[str]:
    meta_ref, meta_defs = core.object_meta(KUBERNETES_VERSIONS[0])
    names = []
    for name, data in catalog.fetch_all().items():
        if not name.endswith(".json"):
            continue
        _write_json(tmp / "crds" / name, _strict_crd(json.loads(data), meta_ref, meta_defs))
        names.append(name)
    return sorted(names)


def build(root: Path) -> Path:
    """Build the store atomically: a failed build leaves the previous store as it was."""
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".schemas-", dir=root.parent))
    try:
        index = {
            "stamp": inputs_stamp(),
            "core": _build_core(tmp),
            "crds": _build_crds(tmp),
            "catalog_commit": catalog.COMMIT,
            "kubernetes_validate": core.package_version(),
        }
        _write_json(tmp / "index.json", index)
        if root.exists():
            shutil.rmtree(root)
        tmp.rename(root)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return root


def ensure(root: Path) -> dict[str, Any]:
    """The store's index, building the store first when missing or stale."""
    index_file = root / "index.json"
    if index_file.is_file():
        index = json.loads(index_file.read_text())
        if index.get("stamp") == inputs_stamp():
            return index
    build(root)
    return json.loads(index_file.read_text())


@dataclass(frozen=True)
class SchemaRef:
    """One schema an object must satisfy: a file, and the Kubernetes version it stands for."""

    path: Path
    label: str  # "1.33.0", "1.37.0" or "crd"
