"""Argo CD's sync annotations are read leniently: a value it does not know is dropped without a word."""

# Argo CD v3.5.1 (gitops-engine vendored in-tree):
# - sync-wave: gitops-engine/pkg/sync/syncwaves/waves.go Wave, strconv.Atoi; anything else
#   silently falls back to helm.sh/hook-weight, else wave 0.
# - hook: comma-separated, trimmed (pkg/sync/resource/annotations.go GetAnnotationCSVs);
#   pkg/sync/common/types.go NewHookType keeps PreSync, Sync, PostSync, SyncFail, Skip, and
#   controller/hook.go adds PreDelete, PostDelete; other words are dropped, and an object whose
#   hook annotation keeps no type (and no helm.sh/hook to fall back on, hook.go Types) is
#   ignored by sync and diff (pkg/sync/ignore/ignore.go).
# - hook-delete-policy: NewHookDeletePolicy keeps HookSucceeded, HookFailed, BeforeHookCreation;
#   with none left the policy is BeforeHookCreation (pkg/sync/hook/delete_policy.go).
# - sync-options: each option is looked up by exact text (HasAnnotationOption,
#   GetAnnotationOptionValue): sync_context.go, controller/state.go, controller/appcontroller.go.

from __future__ import annotations

from collections.abc import Iterable

from gitops.argocd.sync import HOOKS, atoi, csv
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay

ID = "argocd-sync-annotations"
DESCRIPTION = "sync-wave is an integer; hook, hook-delete-policy and sync-options use values Argo CD knows"
SEVERITY = ERROR
PREFIX = "argocd.argoproj.io/"
DELETE_POLICIES = ("HookSucceeded", "HookFailed", "BeforeHookCreation")
SYNC_OPTIONS = (
    "SkipDryRunOnMissingResource=true",
    "PruneLast=true",
    "ServerSideApply=true",
    "ServerSideApply=false",
    "Replace=true",
    "Force=true",
    "Validate=false",
    "Prune=false",
    "Prune=confirm",
    "Delete=false",
    "Delete=confirm",
)


def problems(annotations: dict) -> Iterable[tuple[str, str, str]]:
    """(annotation, message, fix) for each value Argo CD would not act on."""
    wave = annotations.get(PREFIX + "sync-wave")
    if wave is not None and atoi(wave) is None:
        yield "sync-wave", f'"{wave}" is not an integer: Argo CD syncs it in wave 0', 'write a whole number, e.g. "-1"'
    if PREFIX + "hook" in annotations:
        hooks = csv(annotations[PREFIX + "hook"])
        unknown = [h for h in hooks if h not in HOOKS]
        fix = f"use {', '.join(HOOKS)} (case-sensitive, comma-separated)"
        if len(unknown) == len(hooks) and "helm.sh/hook" not in annotations:
            named = f"{', '.join(unknown)} is not a hook type" if unknown else "names no hook type"
            yield "hook", f"{named}: Argo CD never syncs an object whose hook annotation keeps no type", fix
        elif unknown:
            yield "hook", f"{', '.join(unknown)} is not a hook type: Argo CD drops it", fix
    for policy in csv(annotations.get(PREFIX + "hook-delete-policy")):
        if policy not in DELETE_POLICIES:
            yield (
                "hook-delete-policy",
                f"{policy} is not a delete policy: Argo CD ignores it",
                (f"use {', '.join(DELETE_POLICIES)}"),
            )
    for option in csv(annotations.get(PREFIX + "sync-options")):
        if option not in SYNC_OPTIONS:
            yield (
                "sync-options",
                f"{option} is not an option Argo CD reads from an object: it is ignored",
                (f"use {', '.join(SYNC_OPTIONS)}"),
            )


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.docs:
        for key, message, fix in problems(doc.annotations):
            yield overlay.finding(doc, f"metadata.annotations.{PREFIX}{key}", message, fix)
