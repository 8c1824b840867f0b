"""Every Helm value an Application sets is a key its chart version declares: Helm ignores a misspelt one silently."""

# Helm coalesces the user's values over the chart's values.yaml (pkg/chartutil/coalesce.go)
# and templates read only the keys they name; a key no template reads changes nothing and
# nothing says so. values.yaml of the pinned version is the chart's own list of keys; maps
# the chart passes through whole (and subcharts whose values are not pinned) are listed with
# a reason in policy/helm-open-values.yaml. Lists replace the default whole, so the items of
# a list are not checked.

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator

import yaml

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.applications import applications, sources
from gitops.validate.policy.charts import OPEN_VALUES_FILE, OpenValues
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list

ID = "helm-values-key"
DESCRIPTION = "every key of a Helm source's valuesObject, values and parameters exists in the chart's values.yaml"
SEVERITY = ERROR
_UNESCAPED_DOT = re.compile(r"(?<!\\)\.")


def unknown_keys(
    given: dict, defaults: object, chart: str, opened: OpenValues, at: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], list[str]]]:
    """(key path, the keys values.yaml has there) for every key values.yaml does not have."""
    known = as_dict(defaults)
    for key, value in given.items():
        path = (*at, str(key))
        if opened.is_open(chart, path):
            continue
        if str(key) not in known:
            yield path, sorted(map(str, known))
        elif isinstance(value, dict):
            yield from unknown_keys(value, known[str(key)], chart, opened, path)


def parameter_path(name: str) -> dict:
    """A `--set` name (a.b[0].c, dots escaped as \\.) as the nested map it sets."""
    parts = [re.sub(r"\[\d+\]$", "", p.replace("\\.", ".")) for p in _UNESCAPED_DOT.split(name)]
    out: dict = {}
    for part in reversed(parts):
        out = {part: out} if out else {part: None}
    return out


def given_values(helm: dict) -> Iterator[tuple[str, dict | None]]:
    """(field, values) for valuesObject, values (YAML text) and each parameter; None: unreadable."""
    if isinstance(helm.get("valuesObject"), dict):
        yield "valuesObject", helm["valuesObject"]
    if isinstance(helm.get("values"), str) and helm["values"].strip():
        try:
            parsed = yaml.safe_load(helm["values"])
        except yaml.YAMLError:
            parsed = None
        yield "values", parsed if isinstance(parsed, dict) else None
    for i, param in enumerate(as_list(helm.get("parameters"))):
        if as_dict(param).get("name"):
            yield f"parameters[{i}].name", parameter_path(str(param["name"]))


def check(overlay: Overlay) -> Iterable[Finding]:
    charts, opened = overlay.context.charts, overlay.context.open_values
    for app in applications(overlay.docs):
        for path, source in sources(app):
            chart, version = str(source.get("chart") or ""), str(source.get("targetRevision") or "")
            defaults = charts.values(chart, version) if chart else None
            if defaults is None:
                continue  # not Helm, or helm-chart-version reports the version
            for field, given in given_values(as_dict(source.get("helm"))):
                where = f"{path}.helm.{field}"
                if given is None:
                    yield overlay.finding(app, where, "is not a YAML map of values", "write the values as a YAML map")
                    continue
                for keys, known in unknown_keys(given, defaults, chart, opened):
                    near = difflib.get_close_matches(keys[-1], known, n=1, cutoff=0.75)
                    hint = f"did you mean {near[0]}? " if near else ""
                    shown = f"{where}.{'.'.join(keys)}" if field == "valuesObject" else where
                    yield overlay.finding(
                        app,
                        shown,
                        f"{'.'.join(keys)} is not a key of {chart} {version}'s values.yaml: Helm ignores it",
                        f"{hint}fix the key, or, if the chart reads the map whole, list it in {OPEN_VALUES_FILE}",
                    )
