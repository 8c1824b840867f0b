"""A CRD's openAPIV3Schema as a JSON Schema (2020-12) that accepts what the API server accepts.

A CRD schema is OpenAPI v3.0 read with Kubernetes' structural-schema rules
(apiextensions-apiserver pkg/apiserver/schema), not plain JSON Schema:

- an object's unknown fields are pruned, and `kubectl apply --validate=strict`
  (kubectl's default) turns a pruned field into an error, so every object node
  gets `additionalProperties: false` unless it sets
  `x-kubernetes-preserve-unknown-fields: true` or `additionalProperties` itself;
- `x-kubernetes-int-or-string: true` takes an integer or a string;
- `nullable: true` takes null (other nulls are pruned before validation, see check.py);
- `exclusiveMaximum`/`exclusiveMinimum` are booleans beside `maximum`/`minimum`
  (OpenAPI 3.0, like draft 4); 2020-12 wants the bound itself;
- `format` is asserted only for the formats the API server checks
  (apiextensions-apiserver pkg/apiserver/validation/formats.go); the ones the
  pinned CRDs use are implemented in formats.py, another known one stops the build;
- `x-kubernetes-list-type: set` items are unique; `x-kubernetes-embedded-resource`
  objects need apiVersion and kind, and their metadata is ObjectMeta;
- at the root, apiVersion and kind are always allowed and metadata is ObjectMeta,
  whether the schema lists them or not.
"""

from __future__ import annotations

from typing import Any

from gitops.validate.schemas import formats

# Kept as they are: plain JSON Schema value constraints with the same meaning in both dialects.
_SAME = (
    "enum",
    "pattern",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
    "required",
    "uniqueItems",
    "description",
)
_COMBINATORS = ("allOf", "anyOf", "oneOf")


class UnsupportedSchema(Exception):
    """A CRD uses something the API server would check and this translation cannot."""


def translate(schema: dict[str, Any], meta_ref: dict[str, Any], where: str) -> dict[str, Any]:
    """The root schema of one CRD version; `meta_ref` points at ObjectMeta."""
    out = _node(schema, meta_ref, where)
    props = dict(out.get("properties", {}))
    props.setdefault("apiVersion", {"type": "string"})
    props.setdefault("kind", {"type": "string"})
    props["metadata"] = meta_ref
    out["properties"] = props
    out.setdefault("type", "object")
    return out


def _node(node: Any, meta_ref: dict[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(node, dict):
        return {}
    out: dict[str, Any] = {k: node[k] for k in _SAME if k in node}
    if node.get("x-kubernetes-int-or-string"):
        out["type"] = ["integer", "string"]
    elif "type" in node:
        out["type"] = node["type"]
    if node.get("nullable") and "type" in out:
        kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*kinds, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    _bounds(node, out)
    fmt = node.get("format")
    if fmt and out.get("type") in ("string", None):
        asserted = formats.asserted_name(fmt)
        if asserted is None and formats.api_server_asserts(fmt):
            raise UnsupportedSchema(f"{where}: format {fmt!r}, which the API server checks, is not implemented here")
        if asserted:
            out["format"] = asserted
    if "properties" in node:
        out["properties"] = {k: _node(v, meta_ref, f"{where}.{k}") for k, v in node["properties"].items()}
    if "items" in node:
        out["items"] = _node(node["items"], meta_ref, f"{where}[]")
    if node.get("x-kubernetes-list-type") == "set":
        out["uniqueItems"] = True
    for key in _COMBINATORS:
        if key in node:
            out[key] = [_node(branch, meta_ref, where) for branch in node[key]]
    if "not" in node:
        out["not"] = _node(node["not"], meta_ref, where)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out["additionalProperties"] = _node(extra, meta_ref, f"{where}{{}}")
    elif isinstance(extra, bool):
        out["additionalProperties"] = extra
    elif _is_object(node) and not node.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False  # pruned, and strict field validation reports it
    if node.get("x-kubernetes-embedded-resource"):
        props = dict(out.get("properties", {}))
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        props["metadata"] = meta_ref
        out["properties"] = props
        out["required"] = sorted({*out.get("required", []), "apiVersion", "kind"})
    return out


def _is_object(node: dict[str, Any]) -> bool:
    return node.get("type") == "object" or "properties" in node


def _bounds(node: dict[str, Any], out: dict[str, Any]) -> None:
    """OpenAPI 3.0's boolean exclusive bounds become 2020-12's numeric ones."""
    for bound, exclusive in (("maximum", "exclusiveMaximum"), ("minimum", "exclusiveMinimum")):
        if bound not in node:
            continue
        if node.get(exclusive) is True:
            out[exclusive] = node[bound]
        else:
            out[bound] = node[bound]
