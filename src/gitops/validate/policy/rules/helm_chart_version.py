"""A Helm Application installs a chart version whose files the platform pins, or nothing checks what it installs."""

# The chart metadata of every pinned version is in ../shared/platform/charts (Chart.yaml,
# values.yaml; sha256-checked through platform-files.tsv into the schema store). A version
# outside it is one whose CRDs and values nobody read: the schemas, the Helm value checks
# and the docs would all describe another release.

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.applications import applications, sources
from gitops.validate.policy.context import Overlay

ID = "helm-chart-version"
DESCRIPTION = "every Helm source's chart and targetRevision are a chart version of the pinned platform files"
SEVERITY = ERROR
MIRROR = "../shared/platform/charts"
PINS = "src/gitops/validate/schemas/pins.py"


def check(overlay: Overlay) -> Iterable[Finding]:
    charts = overlay.context.charts
    for app in applications(overlay.docs):
        for path, source in sources(app):
            if not source.get("chart"):
                continue
            chart, version = str(source["chart"]), str(source.get("targetRevision") or "")
            if charts.values(chart, version) is not None:
                continue
            pinned = charts.versions(chart)
            known = f"pinned: {', '.join(pinned)}" if pinned else "no version of it is pinned"
            yield overlay.finding(
                app,
                f"{path}.targetRevision",
                f"chart {chart} {version or '(no targetRevision)'} is not in the pinned chart metadata ({known})",
                f"install a pinned version, or move the pin ({MIRROR}, {PINS}, platform-files.tsv) in one commit",
            )
