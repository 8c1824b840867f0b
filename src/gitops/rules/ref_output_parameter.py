"""`{{tasks.X.outputs.parameters.Y}}` names a task X whose template declares output Y.

Argo only finds out when the run reaches that task; a typo here fails the
pipeline after training has already spent its time.
"""
from __future__ import annotations

import re
from typing import Iterable

from gitops.findings import ERROR, Finding
from gitops.rules import argo
from gitops.rules.fields import as_dict, as_list, strings
from gitops.rules.overlay import Overlay

ID = "ref-output-parameter"
DESCRIPTION = "every steps./tasks. output-parameter reference names a step and an output it declares"
SEVERITY = ERROR
REFERENCE = re.compile(r"\b(steps|tasks)\.([A-Za-z0-9_-]+)\.outputs\.parameters\.([A-Za-z0-9_-]+)")


def callee(overlay: Overlay, doc, call: argo.Call) -> dict | None:
    """The template a step or task runs, when the overlay holds it."""
    ref = as_dict(call.body.get("templateRef"))
    owner = overlay.named("ClusterWorkflowTemplate" if ref.get("clusterScope") else "WorkflowTemplate", str(ref.get("name"))) if ref else doc
    wanted = ref.get("template") if ref else call.body.get("template")
    for tpl in argo.templates(owner)[1] if owner is not None else []:
        if as_dict(tpl).get("name") == wanted:
            return as_dict(tpl)
    return None


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind(*argo.KINDS):
        by_caller: dict[str, dict[str, argo.Call]] = {}
        for call in argo.calls(doc):
            by_caller.setdefault(call.caller_path, {})[str(call.body.get("name"))] = call
        tpath, tpls = argo.templates(doc)
        for i, tpl in enumerate(tpls):
            here, tpl = f"{tpath}[{i}]", as_dict(tpl)
            if "dag" not in tpl and "steps" not in tpl:
                continue  # only steps and DAG templates can see their siblings' outputs
            kind = "tasks" if "dag" in tpl else "steps"
            siblings = by_caller.get(here, {})
            for path, text in strings(tpl, here):
                for ref_kind, step, param in REFERENCE.findall(text):
                    if ref_kind != kind or step not in siblings:
                        yield overlay.finding(doc, path, f"{ref_kind}.{step} is not a {kind[:-1]} of this template", f"use one of: {', '.join(sorted(siblings)) or 'none'}")
                        continue
                    target = callee(overlay, doc, siblings[step])
                    if target is None:
                        continue  # a platform template: its outputs are not in the repo
                    outputs = {str(as_dict(p).get("name")) for p in as_list(as_dict(target.get("outputs")).get("parameters"))}
                    if param not in outputs:
                        yield overlay.finding(doc, path, f"{kind[:-1]} {step} has no output parameter {param}", f"declare it in the template's outputs.parameters, or use one of: {', '.join(sorted(outputs)) or 'none'}")
