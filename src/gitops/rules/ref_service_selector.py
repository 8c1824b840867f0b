"""A Service whose selector matches no pod template routes to nothing."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.findings import ERROR, Finding
from gitops.rules.fields import as_dict
from gitops.rules.overlay import Overlay
from gitops.rules.pods import pods

ID = "ref-service-selector"
DESCRIPTION = "every Service selector matches the labels of some pod template in the overlay"
SEVERITY = ERROR


def matches(selector: dict, labels: dict) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def pod_labels(overlay: Overlay) -> list[tuple[str, dict]]:
    """(namespace, labels) of every pod template, computed once per check."""
    return [(pod.doc.namespace, pod.labels) for pod in pods(overlay.docs)]


def selected(templates: list[tuple[str, dict]], selector: dict, namespace: str) -> bool:
    return any(matches(selector, labels) for ns, labels in templates if not namespace or not ns or ns == namespace)


def check(overlay: Overlay) -> Iterable[Finding]:
    templates = pod_labels(overlay)
    for svc in overlay.of_kind("Service"):
        selector = as_dict(as_dict(svc.body.get("spec")).get("selector"))
        if selector and not selected(templates, selector, svc.namespace):
            shown = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
            yield overlay.finding(
                svc,
                "spec.selector",
                f"selector {shown} matches no pod template in the overlay",
                "match the workload's pod template labels",
            )
