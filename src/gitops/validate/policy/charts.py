"""The pinned Helm charts (their Chart.yaml and values.yaml from the schema store) and the reviewed open maps.

The store (validate/schemas/store.py) holds one JSON file per chart version the
platform files pin, built from the sha256-checked copies. `policy/helm-open-values.yaml`
lists, per chart, the value paths below which any key is fine: maps the chart passes
through unchecked (a container's securityContext, extra environment variables) and the
values of subcharts whose values.yaml is not pinned. Every entry gives a reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from gitops.validate.policy.platform import PlatformListError

OPEN_VALUES_FILE = "policy/helm-open-values.yaml"


@dataclass
class PinnedCharts:
    """Charts in the store at `store_root` (None: no store, so no chart is pinned)."""

    store_root: Path | None
    _values: dict[tuple[str, str], dict] = field(default_factory=dict)

    @cached_property
    def _index(self) -> dict[str, str]:
        index = self.store_root / "index.json" if self.store_root else None
        if index is None or not index.is_file():
            return {}
        return dict(json.loads(index.read_text()).get("charts") or {})

    def versions(self, chart: str) -> list[str]:
        return sorted(v for c, _, v in (k.partition("|") for k in self._index) if c == chart)

    def values(self, chart: str, version: str) -> dict[str, Any] | None:
        """The chart version's default values, or None when that version is not pinned."""
        key = f"{chart}|{version}"
        if key not in self._index or self.store_root is None:
            return None
        if (chart, version) not in self._values:
            stored = json.loads((self.store_root / self._index[key]).read_text())
            self._values[(chart, version)] = stored.get("values") or {}
        return self._values[(chart, version)]


@dataclass(frozen=True)
class OpenValues:
    """chart -> value paths (dotted) under which keys are not checked."""

    paths: dict[str, frozenset[str]]

    def is_open(self, chart: str, path: tuple[str, ...]) -> bool:
        opened = self.paths.get(chart, frozenset())
        return any(".".join(path[:n]) in opened for n in range(1, len(path) + 1))


def load_open_values(path: Path, shown_as: str) -> OpenValues:
    """Read the reviewed list; an entry without chart, path or a reason is an error, never skipped.
    A repo without the file opens no map."""
    if not path.is_file():
        return OpenValues({})
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict) or not isinstance(data.get("open"), list):
        raise PlatformListError(f"{shown_as}: expected a mapping with an `open:` list")
    paths: dict[str, set[str]] = {}
    for i, entry in enumerate(data["open"]):
        entry = entry if isinstance(entry, dict) else {}
        missing = [k for k in ("chart", "path", "reason") if not str(entry.get(k) or "").strip()]
        if missing:
            raise PlatformListError(f"{shown_as}: open[{i}]: missing {', '.join(missing)} (every entry says why)")
        paths.setdefault(str(entry["chart"]), set()).add(str(entry["path"]))
    return OpenValues({chart: frozenset(p) for chart, p in paths.items()})
