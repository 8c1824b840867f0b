"""The reviewed list of kinds that have no schema, each with its reason."""

from __future__ import annotations

from pathlib import Path

import yaml

UNCHECKED_FILE = Path(__file__).with_name("unchecked-kinds.yaml")


class UncheckedListError(Exception):
    """The reviewed list itself is malformed."""


def load(path: Path = UNCHECKED_FILE) -> dict[tuple[str, str], str]:
    data = yaml.safe_load(path.read_text()) or {}
    out: dict[tuple[str, str], str] = {}
    for i, entry in enumerate(data.get("kinds") or []):
        api_version, kind = entry.get("apiVersion"), entry.get("kind")
        reason = str(entry.get("reason") or "").strip()
        if not api_version or not kind or not reason:
            raise UncheckedListError(f"{path}: kinds[{i}]: every entry needs apiVersion, kind and a non-empty reason")
        out[(api_version, kind)] = reason
    return out
