"""An Application's destination namespace must be created by someone, or the first sync fails."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.applications import source_paths
from gitops.validate.policy.context import PLATFORM_FILE, Overlay
from gitops.validate.policy.fields import as_dict, as_list

ID = "app-namespace-created"
DESCRIPTION = (
    "every Application's destination namespace is rendered by its source, on the platform list, or CreateNamespace=true"
)
SEVERITY = ERROR
HINT = f"render the Namespace from the source path, list it in {PLATFORM_FILE}, or add syncOptions CreateNamespace=true"


def creates(app, overlay: Overlay, namespace: str) -> bool:
    """An Application of the overlay (an environment's namespace app, say) renders the Namespace,
    or Argo CD is told to create it."""
    spec = as_dict(app.body.get("spec"))
    if "CreateNamespace=true" in as_list(as_dict(spec.get("syncPolicy")).get("syncOptions")):
        return True
    for _, path in (p for a in overlay.of_kind("Application") for p in source_paths(a)):
        rendered = overlay.context.render(path) if (overlay.context.root / path).is_dir() else None
        if isinstance(rendered, list) and any(
            o.get("kind") == "Namespace" and as_dict(o.get("metadata")).get("name") == namespace for o in rendered
        ):
            return True
    return False


def check(overlay: Overlay) -> Iterable[Finding]:
    for app in overlay.of_kind("Application"):
        namespace = str(as_dict(as_dict(app.body.get("spec")).get("destination")).get("namespace") or "")
        if not namespace or overlay.provides("Namespace", namespace) or creates(app, overlay, namespace):
            continue
        yield overlay.finding(app, "spec.destination.namespace", f"nothing creates namespace {namespace}", HINT)
