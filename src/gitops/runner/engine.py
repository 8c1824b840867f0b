"""Execute a rendered WorkflowTemplate or CronWorkflow with Argo's semantics, on this machine.

Honoured: DAG (`dependencies`, `depends`) and steps ordering, `when:`,
workflow/input/task/step parameters, output parameters from `valueFrom.path`
(and `valueFrom.parameter` on DAG outputs), `retryStrategy.limit`,
`templateRef` (the referenced WorkflowTemplate's `spec.arguments`,
serviceAccountName, volumes and podGC are not carried over, as in Argo),
`withItems`, failure propagation. Tasks run one at a time in dependency order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitops.runner import expressions, fields, local_pod, templating
from gitops.runner.errors import RunnerError
from gitops.runner.nodes import LiveTree, Node


@dataclass
class Owner:
    """A WorkflowTemplate (or a CronWorkflow's workflowSpec) whose templates a `template:` resolves in."""

    kind: str
    name: str
    spec: dict[str, Any]

    def where(self, template: str) -> str:
        path = "spec.workflowSpec" if self.kind == "CronWorkflow" else "spec"
        return f"{self.kind}/{self.name}.{path}.templates[{template}]"

    def template(self, name: str, where: str) -> dict[str, Any]:
        for tmpl in self.spec.get("templates") or []:
            if tmpl.get("name") == name:
                return tmpl
        known = ", ".join(t.get("name", "?") for t in self.spec.get("templates") or [])
        raise RunnerError(f"{where}: {self.kind} {self.name!r} has no template {name!r} (it has: {known})")


@dataclass
class Context:
    workflow_name: str
    parameters: dict[str, str]  # the running workflow's spec.arguments, after -p overrides
    volumes: list[dict[str, Any]]  # the running workflow's spec.volumes (never a templateRef's)
    cluster: local_pod.Cluster
    run_dir: Path
    tree: LiveTree
    workflow_templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    namespace: str = ""  # the rendered object's namespace, what {{workflow.namespace}} is in the cluster
    pods: int = 0  # a counter, so two nodes with one name never share a pod directory


def _params(items: list[dict[str, Any]] | None) -> dict[str, str]:
    return {p["name"]: str(p.get("value", p.get("default", ""))) for p in items or [] if "value" in p or "default" in p}


def workflow_parameters(
    spec: dict[str, Any],
    overrides: dict[str, str],
    where: str,
    config_maps: dict[str, dict[str, str]] | None = None,
) -> dict[str, str]:
    declared = {p["name"]: p for p in (spec.get("arguments") or {}).get("parameters") or []}
    unknown = sorted(set(overrides) - set(declared))
    if unknown:
        raise RunnerError(
            f"-p {unknown[0]}: {where} declares no such parameter (it has: {', '.join(sorted(declared)) or 'none'})"
        )
    values = _params(list(declared.values()))
    for name, p in declared.items():
        ref = (p.get("valueFrom") or {}).get("configMapKeyRef")
        if ref and name not in overrides:
            data = (config_maps or {}).get(ref["name"])
            if data is None or ref["key"] not in data:
                raise RunnerError(
                    f"{where}.spec.arguments.parameters[{name}].valueFrom: "
                    f"no ConfigMap {ref['name']!r} with key {ref['key']!r} in the rendered overlay"
                )
            values[name] = data[ref["key"]]
    values.update(overrides)
    missing = sorted(set(declared) - set(values))
    if missing:
        raise RunnerError(f"{where}: parameter {missing[0]!r} has no value; pass -p {missing[0]}=...")
    return values


class Engine:
    def __init__(self, ctx: Context):
        self.ctx = ctx

    def scope(self, inputs: dict[str, str]) -> dict[str, str]:
        scope = {f"workflow.parameters.{k}": v for k, v in self.ctx.parameters.items()}
        scope["workflow.name"] = self.ctx.workflow_name
        scope["workflow.namespace"] = self.ctx.namespace
        scope.update({f"inputs.parameters.{k}": v for k, v in inputs.items()})
        return scope

    def inputs_for(self, template: dict[str, Any], passed: dict[str, str], where: str) -> dict[str, str]:
        values = {}
        for p in (template.get("inputs") or {}).get("parameters") or []:
            if p["name"] in passed:
                values[p["name"]] = passed[p["name"]]
            elif "value" in p or "default" in p:
                values[p["name"]] = str(p.get("value", p.get("default")))
            else:
                raise RunnerError(
                    f"{where}: input parameter {p['name']!r} has no value: the caller passes none and it has no default"
                )
        if (template.get("inputs") or {}).get("artifacts"):
            raise RunnerError(f"{where}.inputs.artifacts: not supported by the local runner")
        return values

    def execute(self, owner: Owner, template: dict[str, Any], passed: dict[str, str], node: Node, where: str) -> None:
        fields.check(template, fields.TEMPLATE_RUNS, fields.TEMPLATE_CLUSTER_ONLY, where)
        inputs = self.inputs_for(template, passed, where)
        self.ctx.tree.started(node)
        if "dag" in template:
            self._dag(owner, template, inputs, node, where)
        elif "steps" in template:
            self._steps(owner, template, inputs, node, where)
        elif "container" in template or "script" in template:
            self._container(template, inputs, node, where)
        else:
            raise RunnerError(f"{where}: template {template.get('name')!r} has no dag, steps, container or script")
        self.ctx.tree.finished(node)

    # -- leaves ---------------------------------------------------------------
    def _container(self, template: dict[str, Any], inputs: dict[str, str], node: Node, where: str) -> None:
        body = templating.substitute(template, self.scope(inputs), where)
        kind = "container" if "container" in body else "script"
        fields.check(body[kind], fields.CONTAINER_RUNS, fields.CONTAINER_CLUSTER_ONLY, f"{where}.{kind}")
        retry = body.get("retryStrategy") or {}
        fields.check(retry, fields.RETRY_RUNS, fields.RETRY_CLUSTER_ONLY, f"{where}.retryStrategy")
        limit = int(retry.get("limit", 0))
        self.ctx.pods += 1
        pod_dir = self.ctx.run_dir / "pods" / f"{self.ctx.pods:02d}-{node.name.replace('/', '_')}"
        for attempt in range(limit + 1):
            attempt_dir = pod_dir / f"attempt-{attempt}"
            attempt_dir.mkdir(parents=True, exist_ok=True)
            result, mapped = local_pod.run(body, self.ctx.volumes, self.ctx.cluster, attempt_dir, where)
            node.attempts, node.seconds, node.workdir = attempt + 1, node.seconds + result.seconds, result.outputs
            if result.exit_code == 0 or not _retries(retry, result.exit_code, f"{where}.retryStrategy"):
                break
        if result.exit_code != 0:
            node.phase = "Failed"
            tries = f" (after {node.attempts} attempts)" if node.attempts > 1 else ""
            node.message = f"exit {result.exit_code}: {_last_line(result.log)}{tries}"
            return
        node.outputs = self._read_outputs(body, mapped, where)
        node.phase = "Succeeded"

    def _read_outputs(self, body: dict[str, Any], mapped: dict[str, Path], where: str) -> dict[str, str]:
        out = {}
        for p in (body.get("outputs") or {}).get("parameters") or []:
            path = (p.get("valueFrom") or {}).get("path")
            if not path:
                raise RunnerError(
                    f"{where}.outputs.parameters[{p['name']}]: only valueFrom.path is supported on containers"
                )
            local = Path(local_pod.remap(path, mapped))
            if local == Path(path):
                raise RunnerError(f"{where}.outputs.parameters[{p['name']}]: {path} is not under a mounted emptyDir")
            if local.is_file():
                out[p["name"]] = local.read_text().removesuffix("\n")  # as Argo reads it
            elif "default" in (p.get("valueFrom") or {}):
                out[p["name"]] = str(p["valueFrom"]["default"])
            else:
                raise RunnerError(f"{where}.outputs.parameters[{p['name']}]: the step did not write {path}")
        if (body.get("outputs") or {}).get("artifacts"):
            raise RunnerError(f"{where}.outputs.artifacts: not supported by the local runner")
        return out

    # -- DAG and steps ------------------------------------------------------------
    def _call(
        self, owner: Owner, task: dict[str, Any], scope: dict[str, str], parent: Node, where: str, name: str
    ) -> Node:
        """Run one task/step: resolve its template (local or templateRef) and arguments in the caller's scope."""
        fields.check(task, fields.TASK_RUNS, frozenset(), where)
        args = templating.substitute((task.get("arguments") or {}).get("parameters") or [], scope, f"{where}.arguments")
        if (task.get("arguments") or {}).get("artifacts"):
            raise RunnerError(f"{where}.arguments.artifacts: not supported by the local runner")
        passed = {a["name"]: str(a.get("value", "")) for a in args}
        if "templateRef" in task:
            ref = task["templateRef"]
            if ref.get("clusterScope"):
                raise RunnerError(f"{where}.templateRef.clusterScope: ClusterWorkflowTemplates are not in the overlay")
            doc = self.ctx.workflow_templates.get(ref["name"])
            if doc is None:
                raise RunnerError(f"{where}.templateRef: no WorkflowTemplate {ref['name']!r} in the rendered overlay")
            target_owner = Owner("WorkflowTemplate", ref["name"], doc["spec"])
            template = target_owner.template(ref["template"], f"{where}.templateRef")
            label = f"{ref['name']}/{ref['template']}"
        else:
            target_owner, template, label = (
                owner,
                owner.template(task["template"], f"{where}.template"),
                task["template"],
            )
        node = parent.child(name, label)
        self.execute(target_owner, template, passed, node, target_owner.where(template["name"]))
        return node

    def _expand(self, task: dict[str, Any], scope: dict[str, str], where: str) -> list[tuple[str, dict[str, str]]]:
        if "withItems" not in task:
            return [(task["name"], scope)]
        out = []
        for i, item in enumerate(task["withItems"]):
            item_scope = dict(scope)
            if isinstance(item, dict):
                item_scope.update({f"item.{k}": str(v) for k, v in item.items()})
                item_scope["item"] = json.dumps(item)
            else:
                item_scope["item"] = str(item)
            out.append((f"{task['name']}({i}:{item_scope['item']})", item_scope))
        return out

    def _dag(self, owner: Owner, template: dict[str, Any], inputs: dict[str, str], node: Node, where: str) -> None:
        tasks = {t["name"]: t for t in template["dag"].get("tasks") or []}
        deps = {n: _dependencies(t, tasks, f"{where}.dag.tasks[{n}]") for n, t in tasks.items()}
        scope = self.scope(inputs)
        phases: dict[str, str] = {}
        for name in _topological(deps, where):
            task, task_where = tasks[name], f"{where}.dag.tasks[{name}]"
            failed = "Failed" in phases.values()  # Argo's failFast: nothing new starts after a failure
            if failed or not _ready(task, deps[name], phases, task_where):
                phases[name] = "Omitted"
                omitted = node.child(name, task.get("template") or task.get("templateRef", {}).get("template", ""))
                omitted.phase = "Omitted"
                omitted.message = "not started: the DAG failed" if failed else "a dependency did not succeed"
                self.ctx.tree.finished(omitted)
                continue
            phases[name] = self._run_task(owner, task, scope, node, task_where, "tasks")
        self._finish_parent(node, template, scope, where, phases)

    def _steps(self, owner: Owner, template: dict[str, Any], inputs: dict[str, str], node: Node, where: str) -> None:
        scope = self.scope(inputs)
        phases: dict[str, str] = {}
        for g, group in enumerate(template["steps"]):
            for step in group:
                phases[step["name"]] = self._run_task(
                    owner, step, scope, node, f"{where}.steps[{g}][{step['name']}]", "steps"
                )
            if any(p == "Failed" for p in phases.values()):
                break
        self._finish_parent(node, template, scope, where, phases)

    def _run_task(
        self, owner: Owner, task: dict[str, Any], scope: dict[str, str], parent: Node, where: str, kind: str
    ) -> str:
        results = []
        for name, item_scope in self._expand(task, scope, where):
            when = task.get("when")
            if when is not None:
                text = templating.substitute(when, item_scope, f"{where}.when")
                if not _when(text, f"{where}.when"):
                    skipped = parent.child(
                        name, task.get("template") or task.get("templateRef", {}).get("template", "")
                    )
                    skipped.phase, skipped.message = "Skipped", f"when: {text} is false"
                    self.ctx.tree.finished(skipped)
                    results.append("Skipped")
                    continue
            child = self._call(owner, task, item_scope, parent, where, name)
            if "withItems" not in task:
                scope.update({f"{kind}.{task['name']}.outputs.parameters.{k}": v for k, v in child.outputs.items()})
            results.append(child.phase)
        scope[f"{kind}.{task['name']}.status"] = _aggregate(results)
        return _aggregate(results)

    def _finish_parent(
        self, node: Node, template: dict[str, Any], scope: dict[str, str], where: str, phases: dict[str, str]
    ) -> None:
        node.seconds = sum(c.seconds for c in node.children)
        failed = [n for n, p in phases.items() if p == "Failed"]
        if failed:
            node.phase, node.message = "Failed", f"child {failed[0]!r} failed"
            return
        node.phase = "Succeeded"
        for p in (template.get("outputs") or {}).get("parameters") or []:
            ref = (p.get("valueFrom") or {}).get("parameter")
            if ref is None:
                raise RunnerError(
                    f"{where}.outputs.parameters[{p['name']}]: only valueFrom.parameter is supported on dag/steps"
                )
            try:
                node.outputs[p["name"]] = templating.substitute(ref, scope, f"{where}.outputs.parameters[{p['name']}]")
            except templating.TemplatingError:
                if "default" not in p["valueFrom"]:
                    raise
                node.outputs[p["name"]] = str(p["valueFrom"]["default"])


def _retries(retry: dict[str, Any], exit_code: int, where: str) -> bool:
    """Whether Argo would retry this failure. Locally every failure is a failed container, never an Error."""
    policy = retry.get("retryPolicy", "OnFailure")
    if policy not in fields.RETRY_POLICIES:
        raise RunnerError(f"{where}.retryPolicy: {policy!r} is not one of {', '.join(sorted(fields.RETRY_POLICIES))}")
    if policy in ("OnError", "OnTransientError"):
        return False  # locally a failure is the container's exit code: never an Argo error, never transient
    if "expression" not in retry:
        return True
    try:
        return expressions.evaluate_retry(retry["expression"], exit_code)
    except expressions.ExpressionError as err:
        raise RunnerError(f"{where}.expression: {err}") from err


def _when(text: str, where: str) -> bool:
    try:
        return expressions.evaluate_when(text)
    except expressions.ExpressionError as err:
        raise RunnerError(f"{where}: {err}") from err


def _aggregate(results: list[str]) -> str:
    if any(r == "Failed" for r in results):
        return "Failed"
    if results and all(r == "Skipped" for r in results):
        return "Skipped"
    return "Succeeded"


def _dependencies(task: dict[str, Any], tasks: dict[str, Any], where: str) -> set[str]:
    if "depends" in task and "dependencies" in task:
        raise RunnerError(f"{where}: use either depends or dependencies, not both (Argo rejects both)")
    names = expressions.depends_names(task["depends"]) if "depends" in task else set(task.get("dependencies") or [])
    unknown = sorted(names - set(tasks))
    if unknown:
        raise RunnerError(f"{where}: depends on {unknown[0]!r}, which is not a task of this DAG")
    return names


def _ready(task: dict[str, Any], deps: set[str], phases: dict[str, str], where: str) -> bool:
    if "depends" in task:
        try:
            return expressions.evaluate_depends(task["depends"], phases)
        except expressions.ExpressionError as err:
            raise RunnerError(f"{where}: {err}") from err
    return all(phases[d] in ("Succeeded", "Skipped") for d in deps)


def _topological(deps: dict[str, set[str]], where: str) -> list[str]:
    order, done = [], set()
    pending = dict(deps)
    while pending:
        ready = sorted(n for n, d in pending.items() if d <= done)
        if not ready:
            raise RunnerError(f"{where}.dag: dependency cycle among {', '.join(sorted(pending))}")
        for name in ready:
            order.append(name)
            done.add(name)
            del pending[name]
    return order


def _last_line(log: Path) -> str:
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
    return lines[-1][:200] if lines else "no output"
