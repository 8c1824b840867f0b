"""Pick a WorkflowTemplate or CronWorkflow out of a rendered overlay and run its entrypoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitops.runner import fields, local_pod
from gitops.runner.engine import Context, Engine, Owner, workflow_parameters
from gitops.runner.errors import RunnerError
from gitops.runner.nodes import LiveTree, Node

RUNNABLE = ("WorkflowTemplate", "CronWorkflow")


def find(docs: list[dict[str, Any]], kind: str, name: str | None, source: str) -> dict[str, Any]:
    matches = [d for d in docs if d.get("kind") == kind and (name is None or d["metadata"]["name"] == name)]
    if len(matches) == 1:
        return matches[0]
    names = sorted(d["metadata"]["name"] for d in docs if d.get("kind") == kind)
    wanted = f"{kind} {name!r}" if name else f"exactly one {kind}"
    raise RunnerError(f"{source}: expected {wanted}; it has {', '.join(names) or 'none'}")


def config_maps(docs: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {
        d["metadata"]["name"]: {k: str(v) for k, v in (d.get("data") or {}).items()}
        for d in docs
        if d.get("kind") == "ConfigMap"
    }


def spec_of(doc: dict[str, Any]) -> dict[str, Any]:
    if doc["kind"] == "CronWorkflow":
        cron = doc.get("spec") or {}
        if "schedule" in cron and "schedules" not in cron:
            raise RunnerError(
                f"CronWorkflow/{doc['metadata']['name']}.spec.schedule: deprecated; use schedules: (a list)"
            )
        return cron.get("workflowSpec") or {}
    return doc.get("spec") or {}


def preflight(spec: dict[str, Any], kind: str, name: str) -> None:
    """Check every template before anything runs: a branch that would be skipped is checked too."""
    owner = Owner(kind, name, spec)
    for template in spec.get("templates") or []:
        where = owner.where(template.get("name", "?"))
        fields.check(template, fields.TEMPLATE_RUNS, fields.TEMPLATE_CLUSTER_ONLY, where)
        for body in ("container", "script"):
            if body in template:
                fields.check(template[body], fields.CONTAINER_RUNS, fields.CONTAINER_CLUSTER_ONLY, f"{where}.{body}")
                image = str(template[body].get("image", "")).split("@")[0].rsplit(":", 1)[0]
                if image != fields.STEP_IMAGE:
                    raise RunnerError(
                        f"{where}.{body}.image: {template[body].get('image')!r} is not the step image "
                        f"({fields.STEP_IMAGE}); only its commands run locally"
                    )
        if "dag" in template:
            fields.check(template["dag"], fields.DAG_RUNS, frozenset(), f"{where}.dag")
        if "retryStrategy" in template and ("dag" in template or "steps" in template):
            raise RunnerError(f"{where}.retryStrategy: retrying a whole dag/steps template is not supported locally")
        for p in (template.get("inputs") or {}).get("parameters") or []:
            fields.check(
                p, fields.PARAMETER_RUNS - {"valueFrom"}, frozenset(), f"{where}.inputs.parameters[{p.get('name')}]"
            )
        for p in (template.get("outputs") or {}).get("parameters") or []:
            fields.check(
                p,
                frozenset({"name", "valueFrom", "description"}),
                frozenset(),
                f"{where}.outputs.parameters[{p.get('name')}]",
            )
        for task in (template.get("dag") or {}).get("tasks") or []:
            fields.check(task, fields.TASK_RUNS, frozenset(), f"{where}.dag.tasks[{task.get('name')}]")
        for g, group in enumerate(template.get("steps") or []):
            for step in group:
                fields.check(step, fields.TASK_RUNS, frozenset(), f"{where}.steps[{g}][{step.get('name')}]")


def check(docs: list[dict[str, Any]], doc: dict[str, Any], overrides: dict[str, str]) -> dict[str, str]:
    """Everything that can be refused before a process starts; returns the workflow's parameters."""
    kind, name = doc["kind"], doc["metadata"]["name"]
    spec = spec_of(doc)
    where = f"{kind}/{name}.spec" + (".workflowSpec" if kind == "CronWorkflow" else "")
    fields.check(spec, fields.SPEC_RUNS, fields.SPEC_CLUSTER_ONLY, where)
    for d in docs:
        if d.get("kind") == "WorkflowTemplate" or d is doc:
            preflight(spec_of(d), d["kind"], d["metadata"]["name"])
    if "workflowTemplateRef" in spec:
        raise RunnerError(f"{where}.workflowTemplateRef: run the referenced WorkflowTemplate directly")
    return workflow_parameters(spec, overrides, f"{kind}/{name}", config_maps(docs))


def run(
    docs: list[dict[str, Any]],
    doc: dict[str, Any],
    overrides: dict[str, str],
    cluster: local_pod.Cluster,
    run_dir: Path,
    tree: LiveTree,
) -> Node:
    kind, name = doc["kind"], doc["metadata"]["name"]
    spec = spec_of(doc)
    where = f"{kind}/{name}.spec" + (".workflowSpec" if kind == "CronWorkflow" else "")
    ctx = Context(
        workflow_name=f"{name}-local",
        parameters=check(docs, doc, overrides),
        volumes=spec.get("volumes") or [],
        cluster=cluster,
        run_dir=run_dir,
        tree=tree,
        workflow_templates={d["metadata"]["name"]: d for d in docs if d.get("kind") == "WorkflowTemplate"},
        namespace=doc["metadata"].get("namespace", ""),
    )
    owner = Owner(kind, name, spec)
    entry = spec.get("entrypoint")
    if not entry:
        raise RunnerError(f"{where}.entrypoint: missing")
    root = Node(name, entry, 0)
    # Argo fills the entrypoint's inputs from the workflow's arguments of the same name.
    Engine(ctx).execute(owner, owner.template(entry, f"{where}.entrypoint"), ctx.parameters, root, owner.where(entry))
    return root
