"""Fields Argo Workflows v4.0 removed: the controller and the API server refuse them, or drop them silently."""

# argoproj/argo-workflows v4.0.6 docs/upgrading.md ("Upgrading to v4.0": `schedule` in
# CronWorkflows, `podPriority`, `mutex` and `semaphore` in Workflows and WorkflowTemplates are
# removed) and docs/deprecations.md (their replacements). The v4.0.6 Go types
# (pkg/apis/workflow/v1alpha1/workflow_types.go, cron_workflow_types.go) no longer have them,
# nor the template-level `priority` of v3.6: a CronWorkflow without `schedules` is refused,
# and a pruned `mutex` silently drops the lock it was meant to hold.

from __future__ import annotations

from collections.abc import Iterable, Iterator

from gitops.core.documents import Document
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import argo
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict

ID = "argo-removed-fields"
DESCRIPTION = "no field Argo Workflows v4.0 removed: schedule, podPriority, priority, singular mutex/semaphore"
SEVERITY = ERROR
SYNCHRONIZATION = {
    "mutex": ("synchronization.mutex", "use mutexes: [{name: ...}] (a list)"),
    "semaphore": ("synchronization.semaphore", "use semaphores: [{configMapKeyRef: ...}] (a list)"),
}


def removed(doc: Document) -> Iterator[tuple[str, str, str]]:
    """(field path, what was removed, fix) for each removed field the object still sets."""
    if doc.kind == "CronWorkflow" and "schedule" in as_dict(doc.body.get("spec")):
        yield "spec.schedule", "schedule", 'use schedules: ["<cron>"] (a list)'
    wf_path, wf = argo.workflow_spec(doc)
    if "podPriority" in wf:
        yield f"{wf_path}.podPriority", "podPriority", "use podPriorityClassName with a PriorityClass"
    places = [(wf_path, wf), (f"{wf_path}.templateDefaults", as_dict(wf.get("templateDefaults")))]
    tpath, templates = argo.templates(doc)
    places += [(f"{tpath}[{i}]", as_dict(t)) for i, t in enumerate(templates)]
    for i, (path, spec) in enumerate(places):
        if i > 0 and "priority" in spec:
            yield f"{path}.priority", "the template-level priority", "use priorityClassName with a PriorityClass"
        for key, (what, fix) in SYNCHRONIZATION.items():
            if key in as_dict(spec.get("synchronization")):
                yield f"{path}.synchronization.{key}", what, fix


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind(*argo.KINDS):
        for path, what, fix in removed(doc):
            yield overlay.finding(doc, path, f"{what} was removed in Argo Workflows v4.0", fix)
