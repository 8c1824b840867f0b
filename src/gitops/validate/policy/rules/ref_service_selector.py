"""A Service whose selector matches no pod template routes to nothing."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict
from gitops.validate.policy.selectors import pod_labels, selected

ID = "ref-service-selector"
DESCRIPTION = "every Service selector matches the labels of some pod template in the overlay"
SEVERITY = ERROR


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
