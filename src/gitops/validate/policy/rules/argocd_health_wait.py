"""With an Application health check in argocd-cm, a parent's sync waits for each child Application to be Healthy."""

# Argo CD v3.5.1. gitops-engine/pkg/sync/sync_context.go Sync: tasks run by (phase, wave)
# (sync_tasks.go; PreSync, Sync, PostSync; wave from syncwaves/waves.go); when more than one
# (phase, wave) is left, a running task whose live health is Progressing, Missing or Unknown
# keeps the next one from starting, and there is no sync timeout by default
# (cmd/argocd-application-controller: --sync-timeout 0). Only the last (phase, wave), when it
# holds no hook, is not waited on ("successfully synced (all tasks run)"). An Application has
# no health unless argocd-cm adds it (resource.customizations.health.argoproj.io_Application,
# util/settings/settings.go; docs/operator-manual/health.md); the documented check copies the
# child's status.health, and a child nobody syncs stays Missing (controller/health.go), so its
# parent waits forever and later commits to the parent's path are never applied.

from __future__ import annotations

from collections.abc import Iterable, Iterator

import yaml

from gitops.argocd import sync
from gitops.core.documents import Document
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.applications import applications, source_paths
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict

ID = "argocd-health-wait"
DESCRIPTION = "no parent Application's sync waits on the health of a child Application that never syncs itself"
SEVERITY = ERROR
SCOPE = "repo"  # argocd-cm, the parent and its children are three renders
HEALTH_KEY = "resource.customizations.health.argoproj.io_Application"


def application_health_configured(docs: Iterable[Document]) -> bool:
    for doc in docs:
        if doc.kind != "ConfigMap" or doc.name != "argocd-cm":
            continue
        data = as_dict(doc.body.get("data"))
        if str(data.get(HEALTH_KEY) or "").strip():
            return True
        try:  # the older single-key form: resource.customizations: {argoproj.io/Application: {health.lua: ...}}
            legacy = yaml.safe_load(str(data.get("resource.customizations") or "")) or {}
        except yaml.YAMLError:
            continue
        if as_dict(as_dict(legacy).get("argoproj.io/Application")).get("health.lua"):
            return True
    return False


def steps(obj: dict) -> Iterator[tuple[int, int, bool]]:
    """(phase, wave, is_hook) of each sync task the object becomes."""
    annotations = as_dict(as_dict(obj.get("metadata")).get("annotations"))
    for phase, hook in sync.phases(annotations):
        yield phase, sync.wave(annotations), hook


def automated(app: dict) -> bool:
    """types.go SyncPolicy.IsAutomatedSyncEnabled."""
    auto = as_dict(app.get("spec")).get("syncPolicy")
    auto = as_dict(auto).get("automated")
    return isinstance(auto, dict) and as_dict(auto).get("enabled") is not False


def waiting_children(children: list[dict]) -> Iterator[tuple[dict, tuple[int, int]]]:
    """Children that never sync themselves and that the parent's sync waits on, with their step."""
    tasks = [(step, obj) for obj in children for step in steps(obj)]
    order = sorted({(p, w) for (p, w, _), _ in tasks})
    if not order:
        return
    last = order[-1]
    last_has_hook = any(hook for (p, w, hook), _ in tasks if (p, w) == last)
    for (phase, wave, hook), obj in tasks:
        is_app = obj.get("kind") == "Application" and str(obj.get("apiVersion", "")).startswith("argoproj.io/")
        if is_app and not hook and not automated(obj) and ((phase, wave) != last or last_has_hook):
            yield obj, (phase, wave)


def check(overlay: Overlay) -> Iterable[Finding]:
    if not application_health_configured(overlay.docs):
        return
    for parent in applications(overlay.docs):
        for _, path in source_paths(parent):
            rendered = overlay.context.render(path) if (overlay.context.root / path).is_dir() else None
            if not isinstance(rendered, list):
                continue  # app-source-path reports it
            shown = {d.name: d for d in overlay.renders.get(path, ()) if d.kind == "Application"}
            for child, (_, wave) in waiting_children(rendered):
                name = str(as_dict(child.get("metadata")).get("name"))
                yield overlay.finding(
                    shown.get(name, parent),
                    "spec.syncPolicy" if name in shown else "spec.source.path",
                    f"Application {parent.name} waits forever for Application {name} (wave {wave}) to be Healthy: "
                    f"it has no automated sync, and argocd-cm's {HEALTH_KEY} reports an unsynced one Missing",
                    "give it syncPolicy.automated, or put it in the last wave with no hook after it, "
                    "or stop gating on Application health",
                )
