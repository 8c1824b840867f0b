"""Inside one workflow, every `template:`, entrypoint and onExit names a template that exists."""

# argoproj/argo-workflows v4.0.6 workflow/validate/validate.go: "spec.entrypoint is required"
# for a Workflow and a CronWorkflow's workflowSpec (ValidateWorkflow; a WorkflowTemplate may
# leave it to the submitter, ValidateWorkflowTemplate sets IgnoreEntrypoint), and
# "template name '%s' undefined" for an entrypoint, onExit or step/task template that names none.

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import argo
from gitops.validate.policy.context import Overlay

ID = "ref-template-name"
DESCRIPTION = "every step/task template, entrypoint and onExit names a template of the same workflow"
SEVERITY = ERROR


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind(*argo.KINDS):
        wf_path, wf = argo.workflow_spec(doc)
        if "workflowTemplateRef" in wf:
            continue  # entrypoint and templates come from the referenced template
        known = argo.template_names(doc)
        hint = f"use one of: {', '.join(sorted(known))}"
        if doc.kind in ("Workflow", "CronWorkflow") and not wf.get("entrypoint"):
            yield overlay.finding(
                doc,
                f"{wf_path}.entrypoint",
                "spec.entrypoint is required",
                f"set it to one of: {', '.join(sorted(known))}",
            )
        for key in ("entrypoint", "onExit"):
            name = wf.get(key)
            if isinstance(name, str) and name not in known:
                yield overlay.finding(doc, f"{wf_path}.{key}", f"no template named {name}", hint)
        for call in argo.calls(doc):
            name = call.body.get("template")
            if isinstance(name, str) and name not in known:
                yield overlay.finding(doc, f"{call.path}.template", f"no template named {name}", hint)
