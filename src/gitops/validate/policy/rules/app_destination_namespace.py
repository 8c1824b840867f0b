"""An Application's destination namespace is the one its overlay renders into, or Argo CD fights itself."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.applications import source_paths
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict

ID = "app-destination-namespace"
DESCRIPTION = "every Application's destination namespace equals the namespace its source path renders into"
SEVERITY = ERROR


def namespaces(objects: list[dict]) -> list[str]:
    """The namespaces a build puts its namespaced objects in."""
    return sorted({str(ns) for obj in objects if (ns := as_dict(obj.get("metadata")).get("namespace"))})


def check(overlay: Overlay) -> Iterable[Finding]:
    for app in overlay.of_kind("Application"):
        wanted = str(as_dict(as_dict(app.body.get("spec")).get("destination")).get("namespace") or "")
        for _, path in source_paths(app):
            rendered = overlay.context.render(path) if (overlay.context.root / path).is_dir() else None
            if not wanted or not isinstance(rendered, list):
                continue  # app-source-path reports paths that are missing or do not build
            actual = namespaces(rendered)
            if actual and actual != [wanted]:
                yield overlay.finding(
                    app,
                    "spec.destination.namespace",
                    f"is {wanted} but {path} renders into {', '.join(actual)}",
                    "make the destination namespace the overlay's `namespace:`",
                )
