"""Requests and limits on every container, so the scheduler and the quota can do their jobs."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict
from gitops.validate.policy.pods import containers

ID = "resource-limits"
DESCRIPTION = "every container sets cpu and memory requests and limits"
SEVERITY = ERROR


def check(overlay: Overlay) -> Iterable[Finding]:
    for pod, c in containers(overlay.docs):
        resources = as_dict(c.body.get("resources"))
        missing = [
            f"{kind}.{res}"
            for kind in ("requests", "limits")
            for res in ("cpu", "memory")
            if res not in as_dict(resources.get(kind))
        ]
        if missing:
            yield overlay.finding(
                pod.doc,
                f"{c.path}.resources",
                f"missing {', '.join(missing)}",
                "set cpu and memory requests and limits (per-environment sizes belong in the overlay)",
            )
