"""Alerts and dashboards read only metrics on the one list; a typo is an alert that never fires."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from gitops.core.documents import Document
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list
from gitops.validate.policy.promql import metric_names

ID = "metric-known"
DESCRIPTION = "every metric in a PrometheusRule expr or a Grafana dashboard is on src/mlpipeline/metric_names.py"
SEVERITY = ERROR
LIST = "src/mlpipeline/metric_names.py"

# Series Prometheus itself writes (scrape health, alert state); no exporter emits them.
BUILTIN = {"up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds", "scrape_samples_scraped"}
# The series a family of each kind may expose beyond its listed name.
SUFFIXES = {
    "counter": ("_total", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
}
_STRIP = ("_total", "_created", "_count", "_sum", "_bucket")


def family(name: str) -> str:
    for suffix in _STRIP:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def known_names(metrics) -> set[str]:
    """Every series name the listed metrics produce (a summary listed as _count also has _sum)."""
    out = set(BUILTIN)
    for m in metrics:
        out.add(m.name)
        out.update(family(m.name) + s for s in SUFFIXES.get(m.kind, ()))
    return out


def expressions(doc: Document) -> Iterator[tuple[str, str]]:
    """(field path, PromQL) from a PrometheusRule or from a Grafana dashboard's JSON in a ConfigMap."""
    if doc.kind == "PrometheusRule":
        for g, group in enumerate(as_list(as_dict(doc.body.get("spec")).get("groups"))):
            for r, rule in enumerate(as_list(as_dict(group).get("rules"))):
                if isinstance(as_dict(rule).get("expr"), str):
                    yield f"spec.groups[{g}].rules[{r}].expr", rule["expr"]
    elif doc.kind == "ConfigMap":
        for key, text in as_dict(doc.body.get("data")).items():
            if str(key).endswith(".json"):
                try:
                    yield from _json_exprs(json.loads(text), f"data.{key}")
                except (TypeError, ValueError):
                    continue  # not JSON: the schema pass and Grafana own that problem


def _json_exprs(value, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "expr" and isinstance(child, str):
                yield f"{path}.{key}", child
            else:
                yield from _json_exprs(child, f"{path}.{key}")
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _json_exprs(child, f"{path}[{i}]")


def recorded(overlay: Overlay) -> set[str]:
    """Recording rules define new series that other rules may read."""
    return {
        str(as_dict(rule).get("record"))
        for doc in overlay.of_kind("PrometheusRule")
        for group in as_list(as_dict(doc.body.get("spec")).get("groups"))
        for rule in as_list(as_dict(group).get("rules"))
        if as_dict(rule).get("record")
    }


def check(overlay: Overlay) -> Iterable[Finding]:
    known = known_names(overlay.context.metrics) | recorded(overlay)
    for doc in overlay.of_kind("PrometheusRule", "ConfigMap"):
        for path, expr in expressions(doc):
            for name in metric_names(expr):
                if name not in known:
                    yield overlay.finding(
                        doc,
                        path,
                        f"metric {name} is not on {LIST}",
                        "fix the name, or add it to METRICS with the step that emits it",
                    )
