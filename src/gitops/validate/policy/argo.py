"""Argo Workflows shapes: templates, and the steps/tasks that call them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

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
