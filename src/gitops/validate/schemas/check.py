"""Schema-check one rendered object and turn validator errors into messages people can act on."""

from __future__ import annotations

import difflib
import json
from typing import Any, Iterable

from gitops.core.documents import Document
from gitops.core.findings import Finding
from gitops.validate.schemas import jsonvalues
from gitops.validate.schemas.lookup import LocalCrds, SchemaIndex

UNCHECKED_HINT = (
    "pin the component that provides it in src/gitops/validate/schemas/pins.py and platform-files.tsv, render "
    "its CRD in this kustomization, or list the kind with a reason in src/gitops/validate/schemas/unchecked-kinds.yaml"
)


def field_path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "." in str(part) or "/" in str(part) or not str(part):
            out += f'["{part}"]'
        else:
            out += f".{part}" if out else str(part)
    return out


def check(doc: Document, index: SchemaIndex, local: LocalCrds | None = None) -> list[Finding]:
    """Schema findings for one object, then (when there are none) its CRD's CEL rules and list-map keys."""
    body = doc.body
    if not isinstance(body, dict):
        return [
            Finding(
                doc.source,
                f"document {doc.index}",
                "",
                "is not a mapping",
                "every document must be a Kubernetes object",
            )
        ]
    problems = jsonvalues.normalise(body)
    if problems:
        return [Finding(doc.source, doc.resource, field_path(path), what, hint) for path, what, hint in problems]
    if not doc.api_version or not doc.kind:
        missing = "apiVersion" if not doc.api_version else "kind"
        return [
            Finding(
                doc.source,
                doc.resource,
                missing,
                f'missing required field "{missing}"',
                "every object needs apiVersion and kind",
            )
        ]
    findings = []
    if local and doc.index in local.problems:
        findings.append(
            Finding(doc.source, doc.resource, "spec", local.problems[doc.index], "fix the CRD's schema or rules")
        )
    found = index.lookup(doc.api_version, doc.kind, local.lookups if local else None)
    if found.unchecked_reason:
        return findings
    if found.missing:
        return [
            *findings,
            Finding(doc.source, doc.resource, "", f"no schema for {doc.api_version} {doc.kind}", UNCHECKED_HINT),
        ]
    if found.problem:
        findings.append(Finding(doc.source, doc.resource, "apiVersion", found.problem, found.hint))
    if found.custom and not all(c.validator.is_valid(body) for c in found.compiled):
        jsonvalues.prune_nulls(body)  # the API server drops nulls a schema does not allow before validating
    seen: set[tuple[str, str]] = set()
    for compiled in found.compiled:
        if compiled.validator.is_valid(body):
            continue
        for error in compiled.validator.iter_errors(body):
            for path, message, hint in _explain(error, compiled.schema, body):
                if (path, message) not in seen:
                    seen.add((path, message))
                    findings.append(Finding(doc.source, doc.resource, path, message, hint))
    if found.rules and not seen:
        # The API server runs CEL only on an object its schema accepted (apiextensions strategy.go).
        for problem in found.rules.check(body):
            findings.append(
                Finding(doc.source, doc.resource, field_path(problem.path), problem.message, problem.hint, rule="cel")
            )
    return findings


def _explain(error: Any, root: dict[str, Any], body: Any) -> list[tuple[str, str, str]]:
    parts = list(error.instance_path)
    where = field_path(parts)
    kind = error.kind
    name = type(kind).__name__
    if name == "AdditionalProperties":
        allowed = sorted(_properties_at(root, body, parts))
        out = []
        for key in kind.unexpected:
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
            hint = (
                f'did you mean "{close[0]}"?'
                if close
                else f"remove it; fields allowed here: {', '.join(allowed[:12]) or 'none'}"
            )
            out.append((field_path([*parts, key]), f'unknown field "{key}"', hint))
        return out
    if name == "Required":
        return [(where or "(top level)", f'missing required field "{kind.property}"', f"add {kind.property}")]
    if name == "Type":
        wanted = " or ".join(t for t in kind.types if t != "null")
        value = error.instance
        hint = f"set {'an' if wanted[0] in 'aeiou' else 'a'} {wanted} value"
        if (
            isinstance(value, str)
            and wanted in ("integer", "number")
            and value.lstrip("-").replace(".", "", 1).isdigit()
        ):
            hint = f"write {value} without quotes"
        return [(where, f"expected {wanted}, got {_json_type(value)} {json.dumps(value)[:60]}", hint)]
    if name == "Enum":
        options = ", ".join(json.dumps(o) for o in kind.options)
        return [(where, f"{json.dumps(error.instance)[:60]} is not one of {options}", "use one of the listed values")]
    if name == "Format":
        what, example = _FORMATS.get(kind.format, (kind.format, ""))
        return [(where, f"Invalid value: {json.dumps(error.instance)}: must be {what}", f"write it like {example}")]
    bound = _BOUNDS.get(name)
    if bound:
        text, fix = bound
        limit = kind.limit
        return [
            (
                where,
                f"Invalid value: {json.dumps(error.instance)}: must be {text} {limit}",
                f"use a value {fix} {limit}",
            )
        ]
    if name == "Pattern":
        return [
            (
                where,
                f"Invalid value: {json.dumps(error.instance)[:80]}: should match '{kind.pattern}'",
                "match the pattern",
            )
        ]
    if name == "MaxLength":
        return [(where, f"Too long: may not be more than {kind.limit} characters", f"shorten it to {kind.limit}")]
    if name == "MaxItems":
        return [(where, f"Too many: {len(error.instance)}: must have at most {kind.limit} items", "remove items")]
    if name in ("MinItems", "MinLength"):
        unit = "items" if name == "MinItems" else "characters"
        return [(where, f"Invalid value: should have at least {kind.limit} {unit}", f"add {unit}")]
    if name == "UniqueItems":
        return [(where, "Duplicate value: the list is a set and repeats an item", "remove the repeated item")]
    return [(where, error.message, "see the field's API reference")]


_BOUNDS = {
    "Maximum": ("less than or equal to", "of at most"),
    "ExclusiveMaximum": ("less than", "below"),
    "Minimum": ("greater than or equal to", "of at least"),
    "ExclusiveMinimum": ("greater than", "above"),
}
_FORMATS = {
    "k8s-date-time": ("an RFC 3339 date-time", "2024-01-31T12:00:00Z"),
    "k8s-byte": ("base64-encoded data", "aGVsbG8= (base64 of the bytes)"),
}


def _json_type(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), "null"
    )


def _properties_at(root: dict[str, Any], body: Any, parts: list[Any]) -> set[str]:
    """Field names the schema allows at `parts` (for did-you-mean hints)."""
    node: Any = root
    for part in [*parts, None]:
        node = _deref(root, node)
        for branch in node.get("oneOf", []) + node.get("anyOf", []) + node.get("allOf", []):
            branch = _deref(root, branch)
            if "properties" in branch:
                node = branch
                break
        if part is None:
            return set(node.get("properties", {}))
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part) or (
                node.get("additionalProperties") if isinstance(node.get("additionalProperties"), dict) else {}
            )
    return set()


def _deref(root: dict[str, Any], node: Any) -> dict[str, Any]:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = root
        for key in node["$ref"][2:].split("/"):
            target = target.get(key, {})
        node = target
    return node if isinstance(node, dict) else {}
