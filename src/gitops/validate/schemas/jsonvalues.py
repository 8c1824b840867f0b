"""Rendered YAML as the JSON the API server receives.

kubectl and Argo CD turn YAML into JSON with sigs.k8s.io/yaml (yaml.go,
convertToJSONableObject): a map key that is a number or a boolean becomes its
text (`1:` -> "1", `true:` -> "true"); any other key (null, a list) is an error.
YAML values JSON has no place for (a set, binary bytes) are refused the same way.
The API server also drops a null it has no use for before validating a custom
resource (apiextensions-apiserver schema/defaulting/prunenulls.go).
"""

from __future__ import annotations

import math
from typing import Any

Problem = tuple[list[Any], str, str]  # path, what, fix
_PLAIN = (str, int, float, bool, type(None))


def _key_text(key: Any) -> str | None:
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        if math.isnan(key):
            return ".nan"
        if math.isinf(key):
            return ".inf" if key > 0 else "-.inf"
        return format(key, "g")  # Go's shortest 'g' form; the same for keys of up to six significant digits
    return None


def normalise(body: dict[str, Any]) -> list[Problem]:
    """Rewrite non-string keys in place, as kubectl would; what cannot become JSON is a problem."""
    problems: list[Problem] = []
    _visit(body, [], problems)
    return problems


def _visit(node: Any, path: list[Any], problems: list[Problem]) -> None:
    if isinstance(node, dict):
        if not all(type(k) is str for k in node):
            items = list(node.items())
            node.clear()
            for key, value in items:
                text = key if isinstance(key, str) else _key_text(key)
                if text is None:
                    problems.append(
                        (path, f"map key {key!r} is not a string", "quote the key, or make it a plain string")
                    )
                    continue
                node[text] = value
        for key, value in node.items():
            if type(value) in (dict, list):
                _visit(value, [*path, key], problems)
            elif not isinstance(value, _PLAIN):
                problems.append(
                    ([*path, key], f"a YAML {type(value).__name__} has no JSON form", "write a plain value")
                )
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if type(value) in (dict, list):
                _visit(value, [*path, i], problems)
            elif not isinstance(value, _PLAIN):
                problems.append(([*path, i], f"a YAML {type(value).__name__} has no JSON form", "write a plain value"))


def prune_nulls(node: Any) -> None:
    """Drop null map values in place (list items stay: the API server keeps them too)."""
    if isinstance(node, dict):
        for key in [k for k, v in node.items() if v is None]:
            del node[key]
        for value in node.values():
            prune_nulls(value)
    elif isinstance(node, list):
        for value in node:
            prune_nulls(value)
