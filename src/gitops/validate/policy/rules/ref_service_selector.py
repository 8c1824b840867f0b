"""A Service whose selector matches no pod template routes to nothing."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict
from gitops.validate.policy.selectors import pod_labels, unmatched

ID = "ref-service-selector"
DESCRIPTION = "every Service selector matches the labels of some pod template in the overlay"
SEVERITY = ERROR


def check(overlay: Overlay) -> Iterable[Finding]:
    templates = pod_labels(overlay)
    for svc in overlay.of_kind("Service"):
        selector = as_dict(as_dict(svc.body.get("spec")).get("selector"))
        yield from unmatched(overlay, svc, "spec.selector", selector, templates)
