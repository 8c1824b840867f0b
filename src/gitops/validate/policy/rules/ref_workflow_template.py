"""workflowTemplateRef and templateRef resolve, down to the template name, before Argo says otherwise at 3 a.m."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import argo
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, templated
from gitops.validate.policy.refs import HINT, missing

ID = "ref-workflow-template"
DESCRIPTION = "every workflowTemplateRef and templateRef names a (Cluster)WorkflowTemplate and a template in it"
SEVERITY = ERROR


def _kind(ref: dict) -> str:
    return "ClusterWorkflowTemplate" if ref.get("clusterScope") is True else "WorkflowTemplate"


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind(*argo.KINDS):
        wf_path, wf = argo.workflow_spec(doc)
        ref = as_dict(wf.get("workflowTemplateRef"))
        if ref and not overlay.provides(_kind(ref), str(ref.get("name")), doc.namespace):
            yield overlay.finding(
                doc, f"{wf_path}.workflowTemplateRef.name", missing(_kind(ref), str(ref.get("name"))), HINT
            )
        for call in argo.calls(doc):
            ref = as_dict(call.body.get("templateRef"))
            name, template = str(ref.get("name", "")), str(ref.get("template", ""))
            if not ref or templated(name):
                continue
            target = overlay.named(_kind(ref), name, doc.namespace)
            if target is None and not overlay.context.platform.has(_kind(ref), name, doc.namespace):
                yield overlay.finding(doc, f"{call.path}.templateRef.name", missing(_kind(ref), name), HINT)
            elif target is not None and template not in argo.template_names(target):
                yield overlay.finding(
                    doc,
                    f"{call.path}.templateRef.template",
                    f"{_kind(ref)} {name} has no template {template}",
                    f"use one of: {', '.join(sorted(argo.template_names(target)))}",
                )
