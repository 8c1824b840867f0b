"""Tolerant field access: rules run after the schema pass but must never crash on odd input."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string under `value` with its field path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from strings(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from strings(child, f"{path}[{i}]")


def templated(value: Any) -> bool:
    """An Argo `{{...}}` expression: resolved at run time, so not checkable here."""
    return isinstance(value, str) and "{{" in value
