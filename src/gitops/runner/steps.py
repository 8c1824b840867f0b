"""Steps templates, as workflow/controller/steps.go (v4.0.6) runs them.

Groups run in order; every step of a group starts in the same pass. A group's
references resolve against the groups before it only; a `when` false makes the
step Skipped; an invalid one makes the step and its group Error. When every
step (and its hooks and exit handler) is fulfilled, the group Fails with
"child '<node id>' failed" for the first Failed/Error child its continueOn does
not cover; the Steps node then Fails with the group's message and no later
group starts. Loops expand into the group itself (no TaskGroup node).
"""

from __future__ import annotations

from typing import Any

from gitops.argo import items as items_mod
from gitops.argo import substitution as subst
from gitops.argo.when import WhenError, should_execute
from gitops.runner import hooks
from gitops.runner.contract import Operator
from gitops.runner.dag import _continues, outbound, template_outputs
from gitops.runner.outputs import AggregateError, aggregate, node_scope
from gitops.runner.record import Node
from gitops.runner.templates import NodeError, Owner, TemplateTimeout

STRICT = ("steps", "tasks")


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
    node = wf.get(name) or op._init_executable(name, "Steps", holder, scope, boundary_id, "Running", flag, template)
    if on_exit:
        op.exit_nodes.add(node.id)
    op.boundary_templates[node.id] = template
    values = {f"inputs.parameters.{p['name']}": p.get("value", "") for p in _inputs(template)}
    groups = template.get("steps") or []
    for i, group in enumerate(groups):
        group_name = f"{name}[{i}]"
        group_node = wf.get(group_name)
        if group_node is None:
            wf.init_node(group_name, "StepGroup", node.id, "Running", "", None, owner.scope, {})
        elif not group_node.fulfilled:
            wf.mark(group_name, "Running")
        if i == 0:
            wf.add_child(name, group_name)
        else:
            previous = wf.get(f"{name}[{i - 1}]")
            if not previous.children:
                wf.add_child(previous.name, group_name)
            for child in previous.children:
                for out in outbound(op, child):
                    wf.add_child(wf.nodes[out].name, group_name)
        try:
            group_node = _group(op, group or [], group_name, node.id, owner, values, on_exit)
        except NodeError as err:
            group_node = wf.mark(group_name, "Error", str(err))
        if not group_node.fulfilled:
            return node
        if group_node.phase in ("Failed", "Error"):
            node.outbound = _last_group_outbound(op, name, groups)
            return wf.mark(name, "Failed", group_node.message)
        for step in group or []:
            child_name = f"{group_name}.{step['name']}"
            child = wf.get(child_name)
            prefix = f"steps.{step['name']}"
            if child is None:  # a loop: aggregate the expansions
                expansions = [
                    n
                    for n in wf.nodes.values()
                    if n.boundary_id == node.id and n.name.startswith(child_name + "(") and n.type != "Skipped"
                ]
                if expansions:
                    try:
                        values.update(aggregate(prefix, expansions))
                    except AggregateError as err:
                        raise NodeError(str(err)) from None
                values.update(node_scope(wf, prefix, group_node))
            else:
                values.update(node_scope(wf, prefix, child))
    node.outbound = _last_group_outbound(op, name, groups)
    node.outputs = template_outputs(template, values)
    return wf.mark(name, "Succeeded")


def _inputs(template: dict[str, Any]) -> list[dict[str, Any]]:
    return (template.get("inputs") or {}).get("parameters") or []


def _last_group_outbound(op: Operator, name: str, groups: list) -> list[str]:
    for i in range(len(groups) - 1, -1, -1):
        last = op.wf.get(f"{name}[{i}]")
        if last is not None:
            return [o for child in last.children for o in outbound(op, child)]
    return []


def _resolve(op: Operator, group: list[dict[str, Any]], values: dict[str, str], group_name: str):
    """resolveReferences: None when a reference is not yet resolvable (a requeue)."""
    scope = {**op.globals, **values}
    out = []
    for step in group:
        plain = {k: v for k, v in step.items() if k != "hooks"}
        try:
            if plain.get("when"):
                when = subst.replace_text(plain["when"], scope, strict=STRICT)
                try:
                    if not should_execute(when):
                        out.append({**step, "when": when})
                        continue
                except WhenError as err:
                    if not _loops(step):
                        raise NodeError(f"failed to resolve references: {err}") from None
            resolved = subst.replace(plain, scope, strict=STRICT)
        except subst.Unresolved as err:
            op.stuck[f"{group_name}.{step['name']}"] = f"{{{{{err.tag}}}}}, which never resolves"
            return None
        if "hooks" in step:
            resolved["hooks"] = step["hooks"]
        out.append(resolved)
    return out


def _loops(step: dict[str, Any]) -> bool:
    return bool(step.get("withItems") or step.get("withParam") or step.get("withSequence") is not None)


def _expand(op: Operator, group: list[dict[str, Any]], group_name: str, boundary_id: str, owner: Owner, values):
    out = []
    for step in group:
        if not _loops(step):
            out.append(step)
            continue
        when = step.get("when", "")
        try:
            items = items_mod.items_of(step)
        except items_mod.ItemsError as err:
            try:
                must = should_execute(when)
            except WhenError:
                must = True
            if must:
                raise NodeError(str(err)) from None
            items = []
        if not items:
            child = f"{group_name}.{step['name']}"
            if op.wf.get(child) is None:
                op.wf.init_node(
                    child,
                    "Skipped",
                    boundary_id,
                    "Skipped",
                    step.get("template", ""),
                    step.get("templateRef"),
                    owner.scope,
                    {},
                    "Skipped, empty params",
                )
                op.wf.add_child(group_name, child)
            continue
        try:
            lenient = not should_execute(when)
        except WhenError:
            lenient = False
        body = {k: v for k, v in step.items() if k not in ("withItems", "withParam", "withSequence")}
        for expansion in items_mod.expand(step["name"], items):
            try:
                expanded = subst.replace(body, {**op.globals, **values, **expansion.scope}, allow_unresolved=lenient)
            except subst.Unresolved as err:
                raise NodeError(str(err)) from None
            expanded["name"] = expansion.name
            out.append(expanded)
    return out


def _group(
    op: Operator, group: list[dict[str, Any]], group_name: str, boundary_id: str, owner: Owner, values, on_exit: bool
) -> Node:
    """executeStepGroup."""
    wf = op.wf
    node = wf.get(group_name)
    if node.fulfilled and all(wf.nodes[c].fulfilled for c in node.children):
        return node
    resolved = _resolve(op, group, values, group_name)
    if resolved is None:
        return node
    steps = _expand(op, resolved, group_name, boundary_id, owner, values)
    by_node: dict[str, dict[str, Any]] = {}
    for step in steps:
        child_name = f"{group_name}.{step['name']}"
        try:
            proceed = should_execute(step.get("when", ""))
        except WhenError as err:
            if wf.get(child_name) is None:
                wf.init_node(
                    child_name,
                    "Skipped",
                    boundary_id,
                    "Error",
                    step.get("template", ""),
                    step.get("templateRef"),
                    owner.scope,
                    {},
                    str(err),
                )
            wf.add_child(group_name, child_name)
            wf.mark(child_name, "Error", str(err))
            return wf.mark(group_name, "Error", str(err))
        if not proceed:
            if wf.get(child_name) is None:
                wf.init_node(
                    child_name,
                    "Skipped",
                    boundary_id,
                    "Skipped",
                    step.get("template", ""),
                    step.get("templateRef"),
                    owner.scope,
                    {},
                    f"when '{step.get('when', '')}' evaluated false",
                )
                wf.add_child(group_name, child_name)
            continue
        try:
            child = op.execute_template(
                child_name,
                step,
                owner,
                (step.get("arguments") or {}).get("parameters") or [],
                boundary_id,
                on_exit=on_exit,
                call_kind="steps",
            )
        except TemplateTimeout:
            return wf.mark(group_name, "Failed", "timeout")
        except NodeError as err:
            wf.add_child(group_name, child_name)
            return wf.mark(group_name, "Error", f"step group deemed errored due to child {child_name} error: {err}")
        if child is not None:
            by_node[child_name] = step
            wf.add_child(group_name, child_name)
    node = wf.get(group_name)
    completed = True
    for child_id in node.children:
        child = wf.nodes[child_id]
        step = by_node.get(child.name, {})
        scope = {**values, f"steps.{child.display_name}.status": child.phase}
        values[f"steps.{child.display_name}.status"] = child.phase
        if not hooks.template_hooks(
            op, scope, step.get("hooks"), child, boundary_id, owner, f"steps.{step.get('name', '')}"
        ):
            return node
        if not child.fulfilled:
            completed = False
        elif child.completed:
            has, exit_node = hooks.run_exit_node(
                op,
                hooks.exit_hook(step, op.arguments),
                child,
                boundary_id,
                owner,
                f"steps.{step.get('name', '')}",
                scope,
            )
            if has and (exit_node is None or not exit_node.fulfilled):
                completed = False
    if not completed:
        return wf.mark(group_name, "Running") if node.fulfilled else node
    for child_id in node.children:
        child = wf.nodes[child_id]
        step = by_node.get(child.name, {})
        if child.phase in ("Failed", "Error") and not _continues(step, child.phase):
            return wf.mark(group_name, "Failed", f"child '{child_id}' failed")
    return wf.mark(group_name, "Succeeded")
