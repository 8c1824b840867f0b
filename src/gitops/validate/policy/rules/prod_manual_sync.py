"""Prod changes only when a person presses sync: no automated sync on a prod Application."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.documents import Document
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list

ID = "prod-manual-sync"
DESCRIPTION = "an Application that deploys prod has no automated sync"
SEVERITY = ERROR


def is_prod(app: Document) -> bool:
    """Prod by destination namespace (*-prod) or by a source path through a `prod` folder
    (k8s/overlays/prod/<model>)."""
    spec = as_dict(app.body.get("spec"))
    namespace = str(as_dict(spec.get("destination")).get("namespace") or "")
    sources = [as_dict(spec.get("source"))] + [as_dict(s) for s in as_list(spec.get("sources"))]
    paths = [str(s.get("path") or "").rstrip("/") for s in sources]
    return namespace == "prod" or namespace.endswith("-prod") or any("prod" in p.split("/") for p in paths)


def check(overlay: Overlay) -> Iterable[Finding]:
    for app in overlay.of_kind("Application"):
        automated = as_dict(as_dict(app.body.get("spec")).get("syncPolicy")).get("automated")
        # Argo CD 3.x can keep the block but switch it off with enabled: false.
        if automated is not None and as_dict(automated).get("enabled", True) is not False and is_prod(app):
            yield overlay.finding(
                app,
                "spec.syncPolicy.automated",
                "prod Application syncs automatically",
                "remove syncPolicy.automated; prod is synced by hand after review",
            )
