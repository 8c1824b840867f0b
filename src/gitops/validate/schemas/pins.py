"""One pin per platform component: the release the repo targets, and the charts that install it.

These are the versions `../shared/platform/` mirrors (its README and SOURCES.tsv
say where each file comes from). The same fact appears in four places, and
tests/validate/test_platform_pins.py fails, naming both sides, when any two
disagree: here, in `platform-files.tsv` (the folder and tag of every file), in
the chart `targetRevision` of the Applications under argocd/apps, and, for Argo
CD, which no chart installs, in the bootstrap docs (argocd/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Component:
    name: str
    version: str  # the release its CRDs (folder crds/<name>-<version>/) or its only chart come from
    charts: dict[str, str] = field(default_factory=dict)  # chart name -> chart version, each an Application
    installed_by: str = ""  # for a component no chart installs: the doc whose command installs it


COMPONENTS = (
    Component("argo-workflows", "v4.0.6", {"argo-workflows": "1.0.18"}),
    Component("argo-cd", "v3.5.1", installed_by="argocd/README.md"),
    Component("external-secrets", "v2.9.0", {"external-secrets": "2.9.0"}),
    # kserve-runtime-configs (stock ClusterServingRuntimes) is mirrored but not installed: no Application uses it.
    Component("kserve", "v0.20.0", {"kserve-crd": "v0.20.0", "kserve-resources": "v0.20.0"}),
    Component("kube-prometheus-stack", "88.5.3", {"kube-prometheus-stack": "88.5.3"}),
    Component("prometheus-pushgateway", "3.8.0", {"prometheus-pushgateway": "3.8.0"}),
    Component("mlflow", "1.11.5", {"mlflow": "1.11.5"}),
)


def by_name() -> dict[str, Component]:
    return {c.name: c for c in COMPONENTS}


def chart_pins() -> dict[str, tuple[Component, str]]:
    """chart name -> (component, chart version)."""
    return {chart: (c, version) for c in COMPONENTS for chart, version in c.charts.items()}
