"""Argo Workflows shapes: templates, the steps/tasks that call them, and gitops.argo's scope model of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from gitops.argo import scope
from gitops.core.documents import Document
from gitops.validate.policy.fields import as_dict, as_list

KINDS = ("WorkflowTemplate", "ClusterWorkflowTemplate", "Workflow", "CronWorkflow")


@dataclass(frozen=True)
class Call:
    """One step or DAG task: `body` holds name, template or templateRef, arguments."""

    path: str
    body: dict
    caller_path: str  # path of the steps/DAG template it is in


def workflow_spec(doc: Document) -> tuple[str, dict]:
    spec = as_dict(doc.body.get("spec"))
    if doc.kind == "CronWorkflow":
        return "spec.workflowSpec", as_dict(spec.get("workflowSpec"))
    return ("spec", spec) if doc.kind in KINDS else ("", {})


def templates(doc: Document) -> tuple[str, list]:
    """(path of the templates list, templates) of an Argo workflow-like object."""
    path, wf = workflow_spec(doc)
    return f"{path}.templates", as_list(wf.get("templates"))


def template_names(doc: Document) -> set[str]:
    return {str(as_dict(t).get("name")) for t in templates(doc)[1]}


def calls(doc: Document) -> Iterator[Call]:
    tpath, tpls = templates(doc)
    for i, raw in enumerate(tpls):
        tpl, here = as_dict(raw), f"{tpath}[{i}]"
        for g, group in enumerate(as_list(tpl.get("steps"))):
            for s, step in enumerate(as_list(group)):
                yield Call(f"{here}.steps[{g}][{s}]", as_dict(step), here)
        for t, task in enumerate(as_list(as_dict(tpl.get("dag")).get("tasks"))):
            yield Call(f"{here}.dag.tasks[{t}]", as_dict(task), here)


def callee(doc: Document, call: dict, named: Callable[[str, str], Document | None]) -> dict | None:
    """The template a step or task runs: by `template:` in `doc`, or by `templateRef` in the
    (Cluster)WorkflowTemplate `named(kind, name)` finds; None when neither is known."""
    ref = as_dict(call.get("templateRef"))
    if ref:
        kind = "ClusterWorkflowTemplate" if ref.get("clusterScope") else "WorkflowTemplate"
        owner, wanted = named(kind, str(ref.get("name"))), ref.get("template")
    else:
        owner, wanted = doc, call.get("template")
    found = templates(owner)[1] if owner is not None else []
    return next((as_dict(t) for t in found if as_dict(t).get("name") == wanted), None)


def model(doc: Document, named: Callable[[str, str], Document | None], exit_handler: bool = False) -> scope.Model:
    """gitops.argo.scope's reference model of one workflow-like object, as validate.go builds it:
    globals from its arguments, its own labels and annotations (a WorkflowTemplate validated alone
    accepts any workflow.parameters.*), callees resolved in the object or by templateRef."""
    _, wf = workflow_spec(doc)
    arguments = [as_dict(p) for p in as_list(as_dict(wf.get("arguments")).get("parameters"))]
    labels, annotations = as_dict(doc.metadata.get("labels")), as_dict(doc.metadata.get("annotations"))
    names = scope.globals_(wf, arguments, list(labels), list(annotations), exit_handler)
    alone = doc.kind in ("WorkflowTemplate", "ClusterWorkflowTemplate")
    return scope.Model(names, lambda call: callee(doc, call, named), alone)


def exit_templates(doc: Document) -> set[str]:
    """Templates validate.go validates only after adding workflow.failures (which it does only when
    there is an onExit handler): those the entrypoint's tree does not reach."""
    _, wf = workflow_spec(doc)
    by_name = {str(as_dict(t).get("name")): as_dict(t) for t in templates(doc)[1]}
    reached, todo = set(), [wf.get("entrypoint")]
    while todo:
        name = todo.pop()
        if isinstance(name, str) and name in by_name and name not in reached:
            reached.add(name)
            tpl = by_name[name]
            steps = [as_dict(s) for group in as_list(tpl.get("steps")) for s in as_list(group)]
            todo += [
                c.get("template") for c in steps + [as_dict(t) for t in as_list(as_dict(tpl.get("dag")).get("tasks"))]
            ]
    return set(by_name) - reached if wf.get("entrypoint") and wf.get("onExit") else set()
