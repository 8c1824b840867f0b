"""The schema store: kubeconform's layouts in a git-ignored cache, plus lookup.

    <root>/v1.33.0-standalone-strict/<kind>-<group>-<version>.json   core, oldest supported
    <root>/v1.37.0-standalone-strict/...                              core, newest shipped
    <root>/crds/<group>/<kind>_<version>.json                         custom resources (pinned CRDs)
    <root>/crds/<group>/<kind>_<version>.rules.json                   their CEL rules and list-map keys
    <root>/charts/<chart>-<version>.json                              a pinned chart: Chart.yaml and values.yaml
    <root>/index.json                                                 what we built, from what

kubeconform reads the same files:
    -kubernetes-version 1.33.0 -strict
    -schema-location \\
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

import yaml

from gitops.validate.schemas import cel, core, crds, formats, pins, platform, structural

# The oldest Kubernetes the repo supports and the newest kubernetes-validate ships:
# an object must be valid in both, so an API removed in between is caught.
KUBERNETES_VERSIONS = ("1.33.0", "1.37.0")
FORMAT = 4  # bump when the layout changes; the translating modules' text is in the stamp anyway
CACHE_ENV = "SCHEMA_CACHE"
# The code that turns CRDs into schemas: a change to it rebuilds the store.
_TRANSLATION = (structural, crds, formats, core, cel)


class StoreError(Exception):
    """The store cannot be built from the pinned files."""


def default_root(repo: Path) -> Path:
    return Path(os.environ.get(CACHE_ENV) or repo / ".cache" / "schemas")


def core_dir(root: Path, k8s_version: str) -> Path:
    return root / f"v{k8s_version}-standalone-strict"


def crd_file(root: Path, api_version: str, kind: str) -> Path:
    group, _, version = api_version.rpartition("/")
    return root / "crds" / group / f"{kind.lower()}_{version}.json"


def rules_file(schema_file: Path) -> Path:
    return schema_file.with_suffix(".rules.json")


def inputs_stamp() -> str:
    """What the store is built from; a change rebuilds it."""
    parts = [
        str(FORMAT),
        core.package_version(),
        platform.FILES.read_text(),
        repr(pins.COMPONENTS),
        *KUBERNETES_VERSIONS,
        *(Path(m.__file__).read_text() for m in _TRANSLATION),
    ]
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


def crd_schema(version: crds.CrdVersion) -> tuple[dict[str, Any], dict[str, Any]]:
    """(JSON Schema, rules) for one served CRD version; raises StoreError on what cannot be checked."""
    meta_ref, meta_defs = core.object_meta(KUBERNETES_VERSIONS[0])
    where = f"{version.origin}: {version.kind} {version.version}"
    try:
        schema = structural.translate(version.schema, meta_ref, where)
    except structural.UnsupportedSchema as err:
        raise StoreError(str(err)) from err
    schema["$defs"] = {**schema.get("$defs", {}), **meta_defs}
    rules = {"origin": version.origin, "scope": version.scope, "cel": [], "list_maps": version.list_maps}
    for rule in version.cel:
        try:
            cel.compile_rule(rule["rule"])
        except cel.CelError as err:
            raise StoreError(f"{where}: CEL rule at {'.'.join(rule['path']) or '(root)'}: {err}") from err
        rules["cel"].append(rule)
    return schema, rules


def chart_file(root: Path, chart: str, version: str) -> Path:
    return root / "charts" / f"{chart}-{version}.json"


def _build_charts(tmp: Path, read: dict[platform.PinnedFile, bytes]) -> dict[str, str]:
    """Each pinned chart's Chart.yaml and values.yaml as one JSON file; chart|version -> its path."""
    by_folder: dict[str, dict[str, bytes]] = {}
    for pinned, data in read.items():
        folder, _, name = pinned.local_path.rpartition("/")
        if folder.startswith("charts/") and name in ("Chart.yaml", "values.yaml"):
            by_folder.setdefault(folder, {})[name] = data
    index = {}
    for folder, files in sorted(by_folder.items()):
        if "Chart.yaml" not in files or "values.yaml" not in files:
            continue  # a chart whose values are not pinned has no values to check against
        try:
            chart = yaml.safe_load(files["Chart.yaml"]) or {}
            values = yaml.safe_load(files["values.yaml"]) or {}
        except yaml.YAMLError as err:
            raise StoreError(f"{folder}: not YAML: {err}") from err
        name, version = str(chart.get("name")), str(chart.get("version"))
        out = chart_file(tmp, name, version)
        _write_json(out, {"name": name, "version": version, "folder": folder, "values": values})
        index[f"{name}|{version}"] = str(out.relative_to(tmp))
    return index


def _build_crds(
    tmp: Path, read: dict[platform.PinnedFile, bytes]
) -> tuple[dict[str, dict[str, str]], list[dict[str, str]]]:
    components = pins.by_name()
    index: dict[str, dict[str, str]] = {}
    files = []
    for pinned, data in read.items():
        files.append({"path": pinned.local_path, "tag": pinned.tag, "commit": pinned.commit, "sha256": pinned.sha256})
        if not pinned.local_path.startswith("crds/"):
            continue
        origin = f"{pinned.component} {components[pinned.component].version} {Path(pinned.local_path).name}"
        try:
            documents = crds.parse(data.decode(), pinned.local_path)
            versions = [v for crd in documents for v in crds.served_versions(crd, origin)]
        except crds.CrdError as err:
            raise StoreError(str(err)) from err
        for version in versions:
            schema, rules = crd_schema(version)
            out = crd_file(tmp, version.api_version, version.kind)
            _write_json(out, schema)
            _write_json(rules_file(out), rules)
            index[f"{version.api_version}|{version.kind}"] = {
                "schema": str(out.relative_to(tmp)),
                "origin": origin,
                "cel_rules": str(len(rules["cel"])),
                "transition_rules": str(sum(cel.is_transition_rule(r["rule"]) for r in rules["cel"])),
            }
    return index, files


def build(root: Path, repo: Path) -> Path:
    """Build the store atomically: a failed build leaves the previous store as it was."""
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".schemas-", dir=root.parent))
    try:
        read = platform.read_all(repo)
        crd_index, files = _build_crds(tmp, read)
        index = {
            "stamp": inputs_stamp(),
            "core": _build_core(tmp),
            "crds": crd_index,
            "charts": _build_charts(tmp, read),
            "platform_files": files,
            "components": {c.name: {"version": c.version, "charts": c.charts} for c in pins.COMPONENTS},
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


def ensure(root: Path, repo: Path) -> dict[str, Any]:
    """The store's index, building the store first when missing or stale."""
    index_file = root / "index.json"
    if index_file.is_file():
        index = json.loads(index_file.read_text())
        if index.get("stamp") == inputs_stamp():
            return index
    build(root, repo)
    return json.loads(index_file.read_text())


@dataclass(frozen=True)
class SchemaRef:
    """One schema an object must satisfy: a file, and the Kubernetes version it stands for."""

    path: Path
    label: str  # "1.33.0", "1.37.0" or "crd"
