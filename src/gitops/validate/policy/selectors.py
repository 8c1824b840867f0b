"""Label selectors against the pod templates of one overlay."""

from __future__ import annotations

from gitops.core.documents import Document
from gitops.core.findings import Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.pods import pods


def matches(selector: dict, labels: dict) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def pod_labels(overlay: Overlay) -> list[tuple[str, dict]]:
    """(namespace, labels) of every pod template, computed once per check."""
    return [(pod.doc.namespace, pod.labels) for pod in pods(overlay.docs)]


def selected(templates: list[tuple[str, dict]], selector: dict, namespace: str) -> bool:
    return any(matches(selector, labels) for ns, labels in templates if not namespace or not ns or ns == namespace)


def unmatched(
    overlay: Overlay, doc: Document, path: str, selector: dict, templates: list[tuple[str, dict]]
) -> list[Finding]:
    """A finding when `selector` (at `path` of `doc`) matches no pod template of the overlay."""
    if not selector or selected(templates, selector, doc.namespace):
        return []
    shown = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    return [
        overlay.finding(
            doc,
            path,
            f"selector {shown} matches no pod template in the overlay",
            "match the workload's pod template labels",
        )
    ]
