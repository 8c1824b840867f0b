"""Core Kubernetes schemas from kubernetes-validate, rewritten for kubeconform.

kubernetes-validate ships one `_definitions.json` per version plus a file per
type whose `$ref`s point at `/api/_definitions.json` and whose `$schema` is the
2020-12 URL. kubeconform (and any draft-4 reader) would try to fetch both, so
each kind's file is made standalone: the definitions it reaches are copied in
under `$defs` and the refs become local (`#/$defs/...`).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any, Iterator

from gitops.validate.schemas import formats

REF_PREFIX = "/api/_definitions.json#/$defs/"  # in the per-type files
LOCAL_PREFIX = "#/$defs/"  # inside _definitions.json, and in what we write
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def package_version() -> str:
    from importlib.metadata import version

    return version("kubernetes-validate")


def source_dir(k8s_version: str) -> Path:
    # Located, not imported: importing kubernetes_validate pulls in python-jsonschema (90 ms) for nothing.
    spec = importlib.util.find_spec("kubernetes_validate")
    root = Path(list(spec.submodule_search_locations)[0]) / "kubernetes-json-schema"
    path = root / f"v{k8s_version}-local-strict"
    if not path.is_dir():
        shipped = sorted(p.name for p in root.glob("v*-local-strict"))
        raise FileNotFoundError(
            f"kubernetes-validate {package_version()} ships no schemas for {k8s_version}; it has {shipped}"
        )
    return path


def load_definitions(k8s_version: str) -> dict[str, Any]:
    return json.loads((source_dir(k8s_version) / "_definitions.json").read_text())["$defs"]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            for prefix in (REF_PREFIX, LOCAL_PREFIX):
                if ref.startswith(prefix):
                    yield ref[len(prefix) :]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


# The decoder refuses a number outside the Go field's range (`cannot unmarshal number ... of type int32`).
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def _localise(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _localise(v) for k, v in node.items() if k != "$schema"}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            out["$ref"] = LOCAL_PREFIX + ref[len(REF_PREFIX) :]
        fmt = out.get("format")
        if isinstance(fmt, str):
            _assert_format(out, fmt)
        return out
    if isinstance(node, list):
        return [_localise(v) for v in node]
    return node


def _assert_format(out: dict[str, Any], fmt: str) -> None:
    """What the decoder enforces for a format, as schema keywords; no other format is asserted."""
    if fmt in _INT_RANGES:
        out.setdefault("minimum", _INT_RANGES[fmt][0])
        out.setdefault("maximum", _INT_RANGES[fmt][1])
    asserted = formats.asserted_name(fmt)
    if asserted:
        out["format"] = asserted
    else:
        del out["format"]


def closure(roots: Iterator[str] | list[str], definitions: dict[str, Any]) -> dict[str, Any]:
    """Every definition reachable from `roots`, localised."""
    seen: dict[str, Any] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen[name] = definitions[name]
        todo.extend(_refs(definitions[name]))
    return {name: _localise(body) for name, body in sorted(seen.items())}


def standalone(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    out = _localise(schema)
    out["$defs"] = closure(list(_refs(schema)), definitions)
    return out


def kind_files(k8s_version: str) -> Iterator[tuple[str, str, Path]]:
    """(apiVersion, kind, file) for every top-level kind the version ships."""
    for path in sorted(source_dir(k8s_version).glob("*.json")):
        if path.name in ("_definitions.json", "all.json"):
            continue
        schema = json.loads(path.read_text())
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            group, version = gvk.get("group", ""), gvk["version"]
            api_version = f"{group}/{version}" if group else version
            yield api_version, gvk["kind"], path


def object_meta(k8s_version: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """ObjectMeta as a `$ref` plus the `$defs` it needs, for custom resources' open metadata."""
    definitions = load_definitions(k8s_version)
    return {"$ref": LOCAL_PREFIX + OBJECT_META}, closure([OBJECT_META], definitions)
