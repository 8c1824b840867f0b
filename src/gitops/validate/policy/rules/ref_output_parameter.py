"""`{{tasks.X.outputs.parameters.Y}}` names a task X whose template declares output Y."""

# Argo only finds out when the run reaches that task; a typo here fails the
# pipeline after training has already spent its time.

from __future__ import annotations

import re
from collections.abc import Iterable

from gitops.core.documents import Document
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import argo
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list, strings

ID = "ref-output-parameter"
DESCRIPTION = "every steps./tasks. output-parameter reference names a step and an output it declares"
SEVERITY = ERROR
REFERENCE = re.compile(r"\b(steps|tasks)\.([A-Za-z0-9_-]+)\.outputs\.parameters\.([A-Za-z0-9_-]+)")


def callee(overlay: Overlay, doc: Document, call: argo.Call) -> dict | None:
    """The template a step or task runs, when the overlay holds it (None for a platform template)."""
    ref = as_dict(call.body.get("templateRef"))
    if ref:
        kind = "ClusterWorkflowTemplate" if ref.get("clusterScope") else "WorkflowTemplate"
        owner, wanted = overlay.named(kind, str(ref.get("name"))), ref.get("template")
    else:
        owner, wanted = doc, call.body.get("template")
    templates = argo.templates(owner)[1] if owner is not None else []
    return next((as_dict(t) for t in templates if as_dict(t).get("name") == wanted), None)


def outputs(template: dict) -> set[str]:
    return {str(as_dict(p).get("name")) for p in as_list(as_dict(template.get("outputs")).get("parameters"))}


def problem(overlay: Overlay, doc: Document, kind: str, siblings: dict, ref: tuple[str, str, str]):
    """(message, fix) when one reference does not resolve, else None."""
    ref_kind, step, param = ref
    if ref_kind != kind or step not in siblings:
        return f"{ref_kind}.{step} is not a {kind[:-1]} of this template", f"use one of: {', '.join(sorted(siblings))}"
    target = callee(overlay, doc, siblings[step])
    if target is None or param in outputs(target):
        return None
    known = ", ".join(sorted(outputs(target))) or "none declared"
    return (
        f"{kind[:-1]} {step} has no output parameter {param}",
        f"declare it in the template's outputs, or use: {known}",
    )


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind(*argo.KINDS):
        by_caller: dict[str, dict[str, argo.Call]] = {}
        for call in argo.calls(doc):
            by_caller.setdefault(call.caller_path, {})[str(call.body.get("name"))] = call
        tpath, tpls = argo.templates(doc)
        for i, tpl in enumerate(map(as_dict, tpls)):
            if "dag" not in tpl and "steps" not in tpl:
                continue  # only steps and DAG templates can see their children's outputs
            kind, here = ("tasks" if "dag" in tpl else "steps"), f"{tpath}[{i}]"
            for path, text in strings(tpl, here):
                for ref in REFERENCE.findall(text):
                    found = problem(overlay, doc, kind, by_caller.get(here, {}), ref)
                    if found:
                        yield overlay.finding(doc, path, *found)
