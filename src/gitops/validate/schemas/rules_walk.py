"""A custom resource's CEL rules and list-map keys, checked where the API server checks them.

Semantics from apiextensions-apiserver pkg/apiserver/schema/cel/validation.go
and k8s.io/apiserver pkg/cel/common/values.go (notes: /work/notes/cel.md §4):
- a rule runs at its schema node once per present, non-null value there: a
  rule on a list gets the whole list, one on `items` each element, one on
  `additionalProperties` each map value;
- `self` is the value; a null field counts as absent for has(); a `number`
  field is a double; `byte` strings are bytes;
- transition rules (reading `oldSelf`) compare with the stored object and run
  on update only: an offline check has none, so they are skipped and counted;
- a false result is `<path>: Invalid value: "<schema type>": <message>` (other
  `reason`s print Forbidden / Required value / Duplicate value); the message
  is the evaluated `messageExpression` when it gives a one-line string, else
  `message`, else `failed rule: <rule>`; an evaluation error says so.
- x-kubernetes-list-type: map lists may not repeat a key tuple
  (apiextensions-apiserver pkg/apiserver/schema/listtype/validation.go).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from gitops.validate.schemas import cel

_REASONS = {
    "FieldValueForbidden": "Forbidden: {msg}",
    "FieldValueRequired": "Required value: {msg}",
    "FieldValueDuplicate": 'Duplicate value: "{type}"',
}


@dataclass
class Problem:
    path: list[Any]
    message: str
    hint: str


@dataclass
class _Node:
    rules: list[dict[str, Any]] = field(default_factory=list)
    map_keys: list[str] | None = None
    schema: dict[str, Any] = field(default_factory=dict)
    children: dict[str, _Node] = field(default_factory=dict)


@dataclass
class KindRules:
    """Every rule of one CRD version, arranged as a tree of the schema paths they sit on."""

    origin: str
    root: _Node
    rules: int  # evaluated rules
    skipped_transition: int  # rules with oldSelf, never evaluated offline

    @classmethod
    def build(cls, data: dict[str, Any], schema: dict[str, Any]) -> KindRules:
        root = _Node(schema=schema)
        evaluated = skipped = 0
        for rule in data.get("cel", []):
            if cel.is_transition_rule(rule["rule"]):
                skipped += 1
                continue
            compiled = {**rule, "program": cel.compile_rule(rule["rule"])}
            if rule.get("messageExpression"):
                compiled["message_program"] = cel.compile_rule(rule["messageExpression"])
            _node_at(root, rule["path"], schema).rules.append(compiled)
            evaluated += 1
        for entry in data.get("list_maps", []):
            _node_at(root, entry["path"], schema).map_keys = entry["keys"]
        return cls(data.get("origin", ""), root, evaluated, skipped)

    def check(self, body: Any) -> list[Problem]:
        problems: list[Problem] = []
        _walk(body, self.root, [], problems, self.origin)
        return problems


def _node_at(root: _Node, path: list[str], schema: dict[str, Any]) -> _Node:
    node, sub = root, schema
    for segment in path:
        sub = _child_schema(sub, segment)
        node = node.children.setdefault(segment, _Node(schema=sub))
    return node


def _child_schema(schema: dict[str, Any], segment: str) -> dict[str, Any]:
    if segment == "[]":
        found = schema.get("items")
    elif segment == "{}":
        found = schema.get("additionalProperties")
    else:
        found = (schema.get("properties") or {}).get(segment)
    return found if isinstance(found, dict) else {}


def _walk(value: Any, node: _Node, path: list[Any], out: list[Problem], origin: str) -> None:
    if value is None:
        return
    if node.rules:
        bound = cel.bind(to_cel(value, node.schema))
        for rule in node.rules:
            problem = _run(rule, bound, path, origin)
            if problem:
                out.append(problem)
    if node.map_keys is not None and isinstance(value, list):
        out.extend(_duplicate_keys(value, node.map_keys, path))
    for segment, child in node.children.items():
        if segment == "[]":
            if isinstance(value, list):
                for i, item in enumerate(value):
                    _walk(item, child, [*path, i], out, origin)
        elif segment == "{}":
            if isinstance(value, dict):
                for key, item in value.items():
                    _walk(item, child, [*path, key], out, origin)
        elif isinstance(value, dict) and segment in value:
            _walk(value[segment], child, [*path, segment], out, origin)


def _run(rule: dict[str, Any], bound: Any, path: list[Any], origin: str) -> Problem | None:
    result, error = cel.evaluate(rule["program"], bound)
    if result is True:
        return None
    message = _message(rule, bound)
    where = [*path, *_field_path(rule.get("fieldPath", ""))]
    hint = f"satisfy the CRD's rule ({origin}): {rule['rule']}"
    if error:
        return Problem(where, f'Invalid value: "{rule["type"]}": {error} evaluating rule: {message}', hint)
    template = _REASONS.get(rule.get("reason", ""), 'Invalid value: "{type}": {msg}')
    return Problem(where, template.format(msg=message, type=rule["type"]), hint)


def _message(rule: dict[str, Any], bound: Any) -> str:
    if "message_program" in rule:
        text, error = cel.evaluate(rule["message_program"], bound)
        if not error and isinstance(text, str) and text.strip() and "\n" not in text and len(text) <= 5120:
            return text.strip()
    if str(rule.get("message", "")).strip():
        return str(rule["message"]).strip()
    return f"failed rule: {rule['rule']}"


def _field_path(text: str) -> list[Any]:
    """`.a.b` or `['x.y']` (a rule's fieldPath) as path segments."""
    parts: list[Any] = []
    rest = text
    while rest:
        if rest.startswith("."):
            name = rest[1:].split(".")[0].split("[")[0]
            parts.append(name)
            rest = rest[1 + len(name) :]
        elif rest.startswith("['"):
            end = rest.index("']")
            parts.append(rest[2:end])
            rest = rest[end + 2 :]
        elif rest.startswith("["):
            end = rest.index("]")
            parts.append(int(rest[1:end]))
            rest = rest[end + 1 :]
        else:
            break
    return parts


def _duplicate_keys(items: list[Any], keys: list[str], path: list[Any]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        key = json.dumps({k: item.get(k) for k in keys if k in item}, sort_keys=True, separators=(",", ":"))
        if key in seen:
            out.append(
                Problem([*path, i], f"Duplicate value: {key}", f"list items are keyed by {', '.join(keys)}: merge them")
            )
        seen.add(key)
    return out


def to_cel(value: Any, schema: dict[str, Any]) -> Any:
    """The value as CEL sees it: nulls are absent, `number` is double, `byte` is bytes, unknown fields unseen."""
    if _plain(schema):
        return value
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if isinstance(value, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            if props is not None and key in props:
                out[key] = to_cel(item, props[key])
            elif isinstance(extra, dict):
                out[key] = to_cel(item, extra)
            elif props is None and extra is not False:
                out[key] = item
        return out
    if isinstance(value, list):
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        return [to_cel(item, items) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and "number" in kinds:
        return float(value)
    if isinstance(value, str) and schema.get("format") == "k8s-byte":
        return base64.b64decode(value.replace("\r", "").replace("\n", ""))
    return value


_PLAIN: dict[int, bool] = {}


def _plain(schema: dict[str, Any]) -> bool:
    """True when the raw value already is what CEL sees (no number, format, null or pruned field below)."""
    key = id(schema)
    if key not in _PLAIN:
        _PLAIN[key] = False  # a recursive schema is not plain
        kinds = schema.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        children = [*(schema.get("properties") or {}).values()]
        for name in ("items", "additionalProperties"):
            if isinstance(schema.get(name), dict):
                children.append(schema[name])
        _PLAIN[key] = (
            "number" not in kinds
            and "null" not in kinds
            and "format" not in schema
            and not (schema.get("properties") is not None and schema.get("additionalProperties") is not False)
            and all(_plain(child) for child in children)
        )
    return _PLAIN[key]
