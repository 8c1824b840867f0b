"""Which `{{...}}` references resolve where: at submit (the validator) and at run time (the controller).

Submit: workflow/validate/validate.go resolveAllVariables checks only tags that
start with item., steps., inputs., outputs., pod., workflow. or tasks.; a checked
tag passes when it is in the scope of its place, or matches one of the prefix
exceptions (any outputs.*, workflow.creationTimestamp*, workflow.scheduledTime*,
workflow.duration*, tasks.name*, steps.name*, node.name*, workflow.parameters*
when a WorkflowTemplate is validated alone, item.* under withParam); otherwise
"failed to resolve {{tag}}". The scope of a place:
- everywhere: the workflow globals (`globals`);
- in a template: its inputs, pod.name (pod templates), retries and lastRetry.*
  (with a retryStrategy), outputs.* (`template_names`);
- in a DAG task: every task's outputs (validateDAG adds them all before checking
  any task), but tasks.X.status only for X among the task's ancestors (or the
  task itself when it has hooks), and its own item variables;
- in a step: the outputs and status of the steps before it in document order,
  siblings in its group included (validateSteps adds each step's after checking it).

Run time: workflow/controller/dag.go buildLocalScopeFromTask gives a task the
outputs of its transitive dependencies only; steps.go gives a step group the
outputs of the groups before it only. The controller resolves `tasks.`/`steps.`
tags strictly and requeues when one is missing, so a reference the submit check
lets through but run time cannot resolve leaves the task never started and the
workflow Running (`run_problem`).

`Model(...)` answers for one workflow: `resolves(tag, template, call)` gives a
Resolution (submit, run, why) for a reference at a template, or at a task or
step of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from gitops.argo import depends as depends_mod

CHECKED_PREFIXES = ("item.", "steps.", "inputs.", "outputs.", "pod.", "workflow.", "tasks.")
_ALWAYS = (
    "outputs.",
    "workflow.creationTimestamp",
    "workflow.scheduledTime",
    "workflow.duration",
    "tasks.name",
    "steps.name",
    "node.name",
)
POD_TYPES = ("container", "containerSet", "script", "resource", "data")
LEAF_TYPES = ("container", "containerSet", "script", "resource", "data", "suspend", "http", "plugin")


def template_type(template: dict[str, Any]) -> str:
    for kind in ("container", "containerSet", "steps", "script", "resource", "dag", "suspend", "data", "http"):
        if kind in template:
            return kind
    return "plugin" if "plugin" in template else ""


def has_output(template: dict[str, Any]) -> bool:
    """workflow_types.go HasOutput: the templates whose pod can report a result and an exit code."""
    kind = template_type(template)
    if kind == "containerSet":
        return any(c.get("name") == "main" for c in (template["containerSet"].get("containers") or []))
    return kind in ("container", "script", "data", "http", "plugin")


@dataclass
class Scope:
    names: set[str] = field(default_factory=set)
    any_item: bool = False  # withParam: any item.* may resolve
    any_output_parameter: bool = False  # a globalName that is itself a {{...}}
    workflow_template: bool = False  # validating a WorkflowTemplate alone: any workflow.parameters*

    def copy(self) -> "Scope":
        return Scope(set(self.names), self.any_item, self.any_output_parameter, self.workflow_template)

    def accepts(self, tag: str) -> bool:
        """resolveAllVariables for one tag (whitespace trimmed)."""
        key = tag.strip()
        if not key.startswith(CHECKED_PREFIXES) or key in self.names:
            return True
        if (key == "item" or key.startswith("item.")) and self.any_item:
            return True
        if key.startswith("workflow.outputs.parameters.") and self.any_output_parameter:
            return True
        if key.startswith(_ALWAYS):
            return True
        return key.startswith("workflow.parameters") and self.workflow_template


def globals_(
    spec: dict[str, Any],
    arguments: Iterable[dict[str, Any]],
    labels: Iterable[str] = (),
    annotations: Iterable[str] = (),
    exit_handler: bool = False,
) -> set[str]:
    """ValidateWorkflow's globalParams: fixed names, arguments, labels and annotations, priority, failures.

    `arguments` are the merged spec.arguments.parameters; `labels`/`annotations` the keys of the
    object's metadata and workflowMetadata; `exit_handler` adds workflow.failures, which validate.go
    only puts in scope for the exit handler's templates.
    """
    names = {
        "workflow.name",
        "workflow.namespace",
        "workflow.mainEntrypoint",
        "workflow.serviceAccountName",
        "workflow.uid",
        "workflow.status",
        "workflow.annotations",
        "workflow.annotations.json",
        "workflow.labels",
        "workflow.labels.json",
    }
    params = [p.get("name") for p in arguments if p.get("name")]
    if params:
        names |= {"workflow.parameters", "workflow.parameters.json"}
        names |= {f"workflow.parameters.{p}" for p in params}
    metadata = spec.get("workflowMetadata") or {}
    names |= {
        f"workflow.labels.{k}" for k in [*labels, *(metadata.get("labels") or {}), *(metadata.get("labelsFrom") or {})]
    }
    names |= {f"workflow.annotations.{k}" for k in [*annotations, *(metadata.get("annotations") or {})]}
    if spec.get("priority") is not None:
        names.add("workflow.priority")
    if exit_handler:
        names.add("workflow.failures")
    return names


def template_names(template: dict[str, Any]) -> set[str]:
    """validateTemplate's own scope: inputs, pod.name, the retry variables, output paths."""
    inputs = template.get("inputs") or {}
    names = {f"inputs.parameters.{p.get('name')}" for p in inputs.get("parameters") or []}
    if inputs.get("parameters"):
        names.add("inputs.parameters")
    leaf = template_type(template) in LEAF_TYPES
    for art in inputs.get("artifacts") or []:
        names.add(f"inputs.artifacts.{art.get('name')}")
        if leaf:
            names.add(f"inputs.artifacts.{art.get('name')}.path")
    if template_type(template) in POD_TYPES:
        names.add("pod.name")
    if template.get("retryStrategy") is not None:
        names |= {"retries", "lastRetry.exitCode", "lastRetry.status", "lastRetry.duration", "lastRetry.message"}
    if leaf:
        outputs = template.get("outputs") or {}
        names |= {f"outputs.artifacts.{a.get('name')}.path" for a in outputs.get("artifacts") or [] if a.get("path")}
        names |= {
            f"outputs.parameters.{p.get('name')}.path"
            for p in outputs.get("parameters") or []
            if (p.get("valueFrom") or {}).get("path")
        }
    return names


def output_names(prefix: str, template: dict[str, Any] | None, aggregate: bool, ancestor: bool) -> set[str]:
    """validate.go addOutputsToScope for `tasks.X` or `steps.X`."""
    names = {f"{prefix}.id", f"{prefix}.startedAt", f"{prefix}.finishedAt", f"{prefix}.hostNodeName"}
    if template is None:
        return names
    if template.get("daemon"):
        names.add(f"{prefix}.ip")
    if has_output(template):
        names |= {f"{prefix}.outputs.result", f"{prefix}.exitCode"}
    outputs = template.get("outputs") or {}
    names |= {f"{prefix}.outputs.parameters.{p.get('name')}" for p in outputs.get("parameters") or []}
    names |= {f"{prefix}.outputs.artifacts.{a.get('name')}" for a in outputs.get("artifacts") or []}
    if aggregate:
        names.add(f"{prefix}.outputs.parameters")
        if template_type(template) in ("script", "containerSet"):
            names |= {f"{prefix}.outputs.result", f"{prefix}.exitCode"}
    if ancestor:
        names.add(f"{prefix}.status")
    return names


def item_names(call: dict[str, Any], scope: Scope) -> None:
    """addItemsToScope: what item.* a withItems/withParam/withSequence call may use."""
    for item in call.get("withItems") or []:
        if isinstance(item, dict):
            scope.names |= {f"item.{k}" for k in item}
        elif isinstance(item, list):
            scope.names |= {f"item.[{i}]" for i in range(len(item))}
        else:
            scope.names.add("item")
    if call.get("withParam"):
        scope.names.add("item")
        scope.any_item = True
    if call.get("withSequence") is not None:
        scope.names.add("item")


def ancestry(task: str, tasks: dict[str, dict[str, Any]]) -> set[str]:
    """GetTaskAncestry: every task `task` depends on, directly or not."""
    seen: set[str] = set()

    def visit(name: str) -> None:
        for dep in task_dependencies(tasks.get(name) or {}):
            if dep not in seen and dep in tasks:
                seen.add(dep)
                visit(dep)

    visit(task)
    seen.discard(task)
    return seen


def task_dependencies(task: dict[str, Any]) -> set[str]:
    if task.get("depends"):
        return set(depends_mod.dependencies(task["depends"]))
    return set(task.get("dependencies") or [])


def aggregates(call: dict[str, Any]) -> bool:
    return bool(call.get("withItems")) or bool(call.get("withParam"))


@dataclass(frozen=True)
class Resolution:
    submit: bool  # validate.go accepts it (argo submit/lint)
    run: bool  # the controller can resolve it when the place runs
    why: str = ""  # for a reference that fails either check


Resolver = Callable[[dict[str, Any]], "dict[str, Any] | None"]


class Model:
    """The reference scopes of one workflow's templates.

    `resolve(call)` returns the template a step or task (or a {template:} stub) runs, or None when
    it is outside what the caller knows (a ClusterWorkflowTemplate, say).
    """

    def __init__(self, global_names: set[str], resolve: Resolver, workflow_template: bool = False):
        self.global_names, self.resolve, self.workflow_template = global_names, resolve, workflow_template

    def base(self, template: dict[str, Any]) -> Scope:
        return Scope(self.global_names | template_names(template), workflow_template=self.workflow_template)

    def dag_scopes(self, template: dict[str, Any]) -> dict[str, Scope]:
        """Task name -> the scope validateDAG checks that task's fields against."""
        tasks = {t.get("name"): t for t in (template.get("dag") or {}).get("tasks") or []}
        shared = self.base(template)
        for name, task in tasks.items():
            shared.names |= output_names(f"tasks.{name}", self.resolve(task), aggregates(task), False)
        for name, task in tasks.items():
            if task.get("hooks"):
                shared.names.add(f"tasks.{name}.status")
        out = {}
        for name, task in tasks.items():
            scope = shared.copy()
            for ancestor in ancestry(name, tasks):
                scope.names |= output_names(
                    f"tasks.{ancestor}", self.resolve(tasks[ancestor]), aggregates(tasks[ancestor]), True
                )
            item_names(task, scope)
            out[name] = scope
        return out

    def steps_scopes(self, template: dict[str, Any]) -> dict[str, Scope]:
        """Step name -> the scope validateSteps checks that step's fields against."""
        shared, out = self.base(template), {}
        for group in template.get("steps") or []:
            for step in group or []:
                name = step.get("name")
                shared.names.add(f"steps.{name}.status")
                item_names(step, shared)  # validate.go adds item keys to the shared scope: they leak onwards
                out[name] = shared.copy()
                shared.names |= output_names(f"steps.{name}", self.resolve(step), aggregates(step), False)
        return out

    def resolves(self, tag: str, template: dict[str, Any], call: str | None = None) -> Resolution:
        key = tag.strip()
        if call is None:
            scope = self.base(template)
        elif "dag" in template:
            scope = self.dag_scopes(template)[call]
        else:
            scope = self.steps_scopes(template)[call]
        submit = scope.accepts(key)
        problem = run_problem(key, template, call) if call else None
        if not submit:
            return Resolution(False, False, f"failed to resolve {{{{{tag}}}}}")
        if problem:
            return Resolution(True, False, problem)
        return Resolution(True, True)


def run_problem(key: str, template: dict[str, Any], call: str) -> str | None:
    """Why a `tasks.`/`steps.` reference at `call` can never resolve when it runs (None when it can).

    The reference is known to pass submit: it names a task or step of this template.
    """
    parts = key.split(".")
    if len(parts) < 2 or parts[0] not in ("tasks", "steps") or parts[1] == "name":
        return None
    other = parts[1]
    if "dag" in template and parts[0] == "tasks":
        tasks = {t.get("name"): t for t in template["dag"].get("tasks") or []}
        if other == call or other not in tasks:
            return None  # its own hooks' references resolve after it ran; unknown names fail at submit
        if other not in ancestry(call, tasks):
            return (
                f"{other} is not among the tasks {call} depends on: at run time a task sees only its "
                f"dependencies' outputs (dag.go buildLocalScopeFromTask), so Argo never starts {call}"
            )
        return None
    if "steps" in template and parts[0] == "steps":
        group_of = {s.get("name"): g for g, group in enumerate(template["steps"]) for s in group or []}
        if other not in group_of or call not in group_of:
            return None
        if group_of[other] >= group_of[call]:
            where = "the same step group as" if group_of[other] == group_of[call] else "a later step group than"
            return (
                f"{other} is in {where} {call}: at run time a step group sees only the groups before it "
                f"(steps.go), so Argo never starts that group"
            )
    return None
