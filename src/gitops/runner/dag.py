"""DAG templates, as workflow/controller/dag.go (v4.0.6) runs them.

- Each pass visits the targets (dag.target, or every task no other task depends
  on, sorted) and, depth first, their dependencies (executeDAGTask).
- A task with `depends`/`dependencies` waits until every dependency and its
  hooks are fulfilled, then evaluates the expanded logic: false makes it
  Omitted ("omitted: depends condition not met"). Nothing stops after a failure:
  every task whose logic becomes true still starts.
- Its references resolve against its ancestors only (buildLocalScopeFromTask;
  a Skipped/Omitted ancestor's declared output parameters read ""); a `tasks.`
  or `steps.` reference that does not resolve requeues the task (here: the
  operator reports the wait if nothing else can move).
- `when` false: Skipped ("when '<when>' evaluated false"); a loop becomes a
  TaskGroup node over its expansions ("Skipped, empty params" when empty).
- The DAG's phase (assessDAGPhase): walking down from its first tasks, a
  completed node sets the branch phase and a Skipped/Omitted one inherits it;
  a target reached Failed/Error (unless its continueOn covers that) fails the
  DAG with that phase and no message; otherwise it Succeeds and takes its
  `outputs` from its tasks.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from gitops.argo import depends as depends_mod
from gitops.argo import items as items_mod
from gitops.argo import scope as scope_mod
from gitops.argo import substitution as subst
from gitops.argo.when import WhenError, should_execute
from gitops.runner import hooks
from gitops.runner.contract import Operator
from gitops.runner.outputs import AggregateError, aggregate, loop_children, node_scope
from gitops.runner.record import Node
from gitops.runner.templates import NodeError, Owner, TemplateTimeout

STRICT = ("tasks", "steps")


@dataclass
class Context:
    op: Operator
    name: str  # the DAG node's name (the boundary)
    boundary_id: str
    template: dict[str, Any]
    owner: Owner
    on_exit: bool
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    visited: set[str] = field(default_factory=set)

    def task_node(self, task: str) -> Node | None:
        return self.op.wf.get(f"{self.name}.{task}")


def targets(template: dict[str, Any], tasks: dict[str, dict[str, Any]]) -> list[str]:
    target = (template.get("dag") or {}).get("target") or ""
    if target:
        return target.split(" ")
    depended = {d for t in tasks.values() for d in scope_mod.task_dependencies(t)}
    return sorted(n for n in tasks if n not in depended)


def execute(
    op: Operator,
    name: str,
    template: dict[str, Any],
    owner: Owner,
    holder,
    scope: str,
    boundary_id: str,
    on_exit: bool,
    flag,
) -> Node:
    wf = op.wf
    node = wf.get(name) or op._init_executable(name, "DAG", holder, scope, boundary_id, "Running", flag, template)
    if on_exit:
        op.exit_nodes.add(node.id)
    op.boundary_templates[node.id] = template
    tasks = {t["name"]: t for t in (template.get("dag") or {}).get("tasks") or []}
    ctx = Context(op, name, node.id, template, owner, on_exit, tasks)
    chosen = targets(template, tasks)
    exits_done = True
    for target in chosen:
        execute_task(ctx, target)
        task_node = ctx.task_node(target)
        if task_node is None:
            continue
        try:
            local = local_scope(ctx, tasks[target])
        except NodeError as err:
            wf.mark(name, "Error", str(err))
            raise
        local[f"tasks.{target}.status"] = task_node.phase
        hooks.template_hooks(
            op, local, tasks[target].get("hooks"), task_node, ctx.boundary_id, owner, f"tasks.{target}"
        )
        if task_node.fulfilled and task_node.completed:
            exit_node = wf.get(f"{task_node.name}.onExit")
            if exit_node is not None and not exit_node.fulfilled:
                exits_done = False
    del exits_done  # only a shutdown makes the DAG's phase depend on it
    phase = assess(ctx, chosen)
    if phase == "Running":
        return node
    if phase in ("Failed", "Error"):
        node.outbound = _target_outbound(ctx, chosen)
        return wf.mark(name, phase)
    scope_values = {f"inputs.parameters.{p['name']}": p.get("value", "") for p in _inputs(template)}
    for task_name in tasks:
        task_node = ctx.task_node(task_name)
        if task_node is None:
            continue
        prefix = f"tasks.{task_name}"
        if task_node.type == "TaskGroup":
            try:
                scope_values.update(aggregate(prefix, loop_children(wf, task_node, ctx.boundary_id)))
            except AggregateError as err:
                raise NodeError(str(err)) from None
        scope_values.update(node_scope(wf, prefix, task_node))
    node.outputs = template_outputs(template, scope_values)
    node.outbound = _target_outbound(ctx, chosen)
    return wf.mark(name, "Succeeded")


def _inputs(template: dict[str, Any]) -> list[dict[str, Any]]:
    return (template.get("inputs") or {}).get("parameters") or []


def template_outputs(template: dict[str, Any], scope: dict[str, str]) -> dict[str, Any] | None:
    """getTemplateOutputsFromScope for DAG/steps: `valueFrom.parameter` is one tag, resolved in the scope."""
    declared = (template.get("outputs") or {}).get("parameters") or []
    if not declared:
        return None
    params = []
    for param in declared:
        value_from = param.get("valueFrom") or {}
        ref = value_from.get("parameter", "")
        tag = ref[2:-2].strip() if ref.startswith("{{") and ref.endswith("}}") else ref.strip()
        if tag in scope:
            value = scope[tag]
        elif "default" in value_from:
            value = str(value_from["default"])
        else:
            raise NodeError(f'Unable to resolve: "{tag}"')
        out = {k: v for k, v in param.items() if k != "valueFrom"}
        out["value"] = value
        params.append(out)
    return {"parameters": params}


def _target_outbound(ctx: Context, chosen: list[str]) -> list[str]:
    out: list[str] = []
    for target in chosen:
        task_node = ctx.task_node(target)
        if task_node is not None:
            out += outbound(ctx.op, task_node.id)
    return out


def outbound(op: Operator, node_id: str) -> list[str]:
    """getOutboundNodes: the nodes a following task or step group attaches to."""
    node = op.wf.nodes[node_id]
    if node.type in ("Skipped", "Suspend", "HTTP", "Plugin", "Pod"):
        return [node.id]
    if node.type in ("Container", "TaskGroup"):
        if not node.children:
            return [node.id]
        return [o for child in node.children for o in outbound(op, child)]
    if node.type == "Retry":
        return [node.children[-1]] if node.children else []
    return [o for out in node.outbound for o in outbound(op, out)]


def assess(ctx: Context, chosen: list[str]) -> str:
    """assessDAGPhase."""
    wf = ctx.op.wf
    target_phase = {wf.node_id(f"{ctx.name}.{t}"): "" for t in chosen}
    boundary = wf.nodes[ctx.boundary_id]
    queue, seen = deque(), set()

    def push(ids: list[str], phase: str) -> None:
        for node_id in ids:
            if (node_id, phase) not in seen:
                seen.add((node_id, phase))
                queue.append((node_id, phase))

    push(boundary.children, "Succeeded")
    while queue:
        node_id, branch = queue.popleft()
        node = wf.nodes.get(node_id)
        if node is None or not node.fulfilled:
            return "Running"
        if node.completed:
            branch = node.phase
        if node_id in target_phase and target_phase[node_id] not in ("Failed", "Error"):
            target_phase[node_id] = branch
        if node.type == "Retry":
            push(_retry_children(ctx.op, node), branch)
        else:
            push(node.children, branch)
    fail_fast = (ctx.template.get("dag") or {}).get("failFast")
    fail_fast = fail_fast is None or bool(fail_fast)
    result = "Succeeded"
    for target in chosen:
        branch = target_phase[wf.node_id(f"{ctx.name}.{target}")]
        if branch == "":
            result = "Running"
            if not fail_fast:
                break
        elif branch in ("Failed", "Error"):
            if _continues(ctx.tasks.get(target) or {}, branch):
                continue
            result = branch
            if fail_fast:
                break
    return result


def _retry_children(op: Operator, node: Node) -> list[str]:
    """getRetryNodeChildrenIds: hooks, and the children of each attempt, last attempt first."""
    out: list[str] = []
    for child_id in reversed(node.children):
        child = op.wf.nodes.get(child_id)
        if child is None:
            continue
        if child.hooked:
            out.append(child.id)
        elif child.children:
            out += child.children
    return out


def _continues(call: dict[str, Any], phase: str) -> bool:
    cont = call.get("continueOn") or {}
    return (phase == "Error" and bool(cont.get("error"))) or (phase == "Failed" and bool(cont.get("failed")))


def local_scope(ctx: Context, task: dict[str, Any]) -> dict[str, str]:
    """buildLocalScopeFromTask."""
    wf = ctx.op.wf
    scope = {f"inputs.parameters.{p['name']}": p.get("value", "") for p in _inputs(ctx.template)}
    for ancestor in sorted(scope_mod.ancestry(task["name"], ctx.tasks)):
        node = ctx.task_node(ancestor)
        if node is None:
            raise NodeError(f"Ancestor task node {ancestor} not found")
        prefix = f"tasks.{ancestor}"
        if node.type == "TaskGroup":
            try:
                scope.update(aggregate(prefix, loop_children(wf, node, ctx.boundary_id)))
            except AggregateError as err:
                raise NodeError(str(err)) from None
        scope.update(node_scope(wf, prefix, node))
        if node.phase in ("Skipped", "Omitted") and node.outputs is None:
            try:
                template, _ = ctx.op.resolve(ctx.tasks[ancestor], ctx.owner)
            except NodeError:
                continue
            for param in (template.get("outputs") or {}).get("parameters") or []:
                scope[f"{prefix}.outputs.parameters.{param['name']}"] = ""
    return scope


def _results(ctx: Context, dep: Node) -> depends_mod.TaskResults:
    any_succeeded = all_failed = False
    if dep.type == "TaskGroup":
        phases = [ctx.op.wf.nodes[c].phase for c in dep.children if c in ctx.op.wf.nodes]
        all_failed = bool(dep.children) and all(p == "Failed" for p in phases)
        any_succeeded = any(p == "Succeeded" for p in phases)
    return depends_mod.TaskResults(
        Succeeded=dep.phase == "Succeeded",
        Failed=dep.phase == "Failed",
        Errored=dep.phase == "Error",
        Skipped=dep.phase == "Skipped",
        Omitted=dep.phase == "Omitted",
        AnySucceeded=any_succeeded,
        AllFailed=all_failed,
    )


def _depends(ctx: Context, task: dict[str, Any]) -> tuple[bool, bool]:
    """evaluateDependsLogic: (execute, proceed)."""
    if ctx.task_node(task["name"]) is not None:
        return True, True
    results = {}
    for dep in scope_mod.task_dependencies(task):
        node = ctx.task_node(dep)
        if node is None or not node.fulfilled or not hooks.hooks_fulfilled(ctx.op, node):
            return False, False
        results[dep] = _results(ctx, node)
    logic = depends_mod.logic(task, ctx.tasks)
    return depends_mod.evaluate(depends_mod.parse(logic), results), True


def _resolve_references(ctx: Context, task: dict[str, Any]) -> dict[str, Any] | None:
    """resolveDependencyReferences: None when a tasks./steps. reference is not yet resolvable (a requeue)."""
    scope = {**ctx.op.globals, **local_scope(ctx, task)}
    plain = {k: v for k, v in task.items() if k != "hooks"}
    try:
        if plain.get("when"):
            when = subst.replace_text(plain["when"], scope, strict=STRICT)
            try:
                if not should_execute(when):
                    return {**task, "when": when}
            except WhenError as err:
                if not _loops(task):
                    raise NodeError(str(err)) from None
        resolved = subst.replace(plain, scope, strict=STRICT)
    except subst.Unresolved as err:
        ctx.op.stuck[f"{ctx.name}.{task['name']}"] = f"{{{{{err.tag}}}}}, which never resolves"
        return None
    if "hooks" in task:
        resolved["hooks"] = task["hooks"]
    return resolved


def _loops(task: dict[str, Any]) -> bool:
    return bool(task.get("withItems") or task.get("withParam") or task.get("withSequence") is not None)


def _expand(task: dict[str, Any], scope: dict[str, str]) -> list[dict[str, Any]]:
    """expandTask: the task itself, or one task per item (named "<task>(<i>:<desc>)")."""
    if not _loops(task):
        return [task]
    when = task.get("when", "")
    try:
        items = items_mod.items_of(task)
    except items_mod.ItemsError as err:
        try:
            must = should_execute(when)
        except WhenError:
            must = True
        if must:
            raise NodeError(str(err)) from None
        items = []
    body = {k: v for k, v in task.items() if k not in ("withItems", "withParam", "withSequence")}
    try:
        lenient = not should_execute(when)
    except WhenError:
        lenient = False
    out = []
    for expansion in items_mod.expand(task["name"], items or []):
        try:
            expanded = subst.replace(body, {**scope, **expansion.scope}, allow_unresolved=lenient)
        except subst.Unresolved as err:
            raise NodeError(str(err)) from None
        expanded["name"] = expansion.name
        if "template" in task:
            expanded["template"] = task["template"]
        out.append(expanded)
    return out


def execute_task(ctx: Context, name: str) -> None:
    """executeDAGTask."""
    if name in ctx.visited:
        return
    ctx.visited.add(name)
    op, wf = ctx.op, ctx.op.wf
    task = ctx.tasks[name]
    node = ctx.task_node(name)
    if node is not None and (node.fulfilled or node.phase == "Running"):
        scope = local_scope(ctx, task)
        scope[f"tasks.{name}.status"] = node.phase
        try:
            if not hooks.template_hooks(
                op, scope, task.get("hooks"), node, ctx.boundary_id, ctx.owner, f"tasks.{name}"
            ):
                return
        except NodeError as err:
            wf.mark(node.name, "Error", str(err))
    if node is not None and node.fulfilled:
        op.locks.release(op.holder(node.name))
        if node.completed:
            scope = local_scope(ctx, task)
            scope[f"tasks.{name}.status"] = node.phase
            try:
                hooks.run_exit_node(op, _exit(op, task), node, ctx.boundary_id, ctx.owner, f"tasks.{name}", scope)
            except NodeError:
                pass
        return
    node_name = f"{ctx.name}.{name}"
    deps = sorted(scope_mod.task_dependencies(task))
    existing = wf.get(node_name)
    group: list[Node | None] = [existing if existing is not None and existing.type == "TaskGroup" else None]

    def connect(child: str) -> None:
        if not deps or group[0] is not None:
            wf.add_child(group[0].name if group[0] is not None else ctx.name, child)
            return
        for dep in deps:
            for out in outbound(op, ctx.task_node(dep).id):
                wf.add_child(wf.nodes[out].name, child)

    def skipped(child: str, phase: str, message: str) -> None:
        wf.init_node(
            child,
            "Skipped",
            ctx.boundary_id,
            phase,
            task.get("template", ""),
            task.get("templateRef"),
            ctx.owner.scope,
            {},
            message,
        )

    if deps:
        for dep in deps:
            execute_task(ctx, dep)
        execute, proceed = _depends(ctx, task)
        if not proceed:
            return
        if not execute:
            skipped(node_name, "Omitted", "omitted: depends condition not met")
            connect(node_name)
            return
    try:
        resolved = _resolve_references(ctx, task)
        if resolved is None:
            return
        expanded = _expand(resolved, {**op.globals, **local_scope(ctx, resolved)})
    except NodeError as err:
        skipped(node_name, "Error", str(err))
        connect(node_name)
        return
    if _loops(task):
        if not expanded:
            skipped(node_name, "Skipped", "Skipped, empty params")
            connect(node_name)
        elif group[0] is None:
            connect(node_name)
            group[0] = wf.init_node(
                node_name,
                "TaskGroup",
                ctx.boundary_id,
                "Running",
                task.get("template", ""),
                task.get("templateRef"),
                ctx.owner.scope,
                {},
            )
    for one in expanded:
        child_name = f"{ctx.name}.{one['name']}"
        child = wf.get(child_name)
        if child is None:
            connect(child_name)
            try:
                proceed = should_execute(one.get("when", ""))
            except WhenError as err:
                skipped(child_name, "Error", str(err))
                continue
            if not proceed:
                skipped(child_name, "Skipped", f"when '{one.get('when', '')}' evaluated false")
                continue
        try:
            child = op.execute_template(
                child_name,
                one,
                ctx.owner,
                (one.get("arguments") or {}).get("parameters") or [],
                ctx.boundary_id,
                on_exit=ctx.on_exit,
                call_kind="tasks",
            )
        except TemplateTimeout:
            wf.mark(child_name, "Failed", "timeout")
            return
        except NodeError as err:
            wf.mark(child_name, "Error", f"task '{child_name}' errored: {err}")
            return
        if child is None:
            return
        if child.completed:
            scope = local_scope(ctx, task)
            scope[f"tasks.{name}.status"] = child.phase
            try:
                has, exit_node = hooks.run_exit_node(
                    op, _exit(op, task), child, ctx.boundary_id, ctx.owner, f"tasks.{name}", scope
                )
            except NodeError:
                return
            if has and (exit_node is None or not exit_node.fulfilled):
                return
    if group[0] is not None:
        phase = "Succeeded"
        for one in expanded:
            child = wf.get(f"{ctx.name}.{one['name']}")
            if child is None or not child.fulfilled:
                return
            if child.phase in ("Failed", "Error"):
                phase = child.phase
        wf.mark(group[0].name, phase)


def _exit(op: Operator, call: dict[str, Any]) -> dict[str, Any] | None:
    """The task's exit handler, given the workflow's arguments (DAGTask.GetExitHook)."""
    return hooks.exit_hook(call, op.arguments)
