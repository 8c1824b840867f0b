"""Exit handlers and lifecycle hooks, for the workflow and for each task or step.

workflow/controller (v4.0.6):
- operator.go operate: `workflow.status` is the entry node's phase as a workflow
  phase; `workflow.failures` a quoted JSON list of every Failed/Error node; the
  workflow's exit handler (`onExit`, or `hooks.exit`, given the workflow's
  arguments unless it has its own) runs as node `<wf>.onExit` once the entry
  node and the workflow hooks are fulfilled.
- hooks.go: a hook other than `exit` needs an `expression` (expr over the
  globals, and for a task or step its scope); once true it runs as
  `<parent>.hooks.<name>`, once, and its parent waits for it.
- exit_handler.go runOnExitNode: a task's or step's exit handler runs as
  `<node>.onExit` when the node is completed (an optional expression gates it);
  its arguments may name the node's own outputs (`tasks.<name>.outputs...`).
"""

from __future__ import annotations

from typing import Any

from gitops.argo import expr
from gitops.argo import substitution as subst
from gitops.runner.contract import Operator
from gitops.runner.outputs import last_attempt
from gitops.runner.record import Node, pod_name, rfc3339
from gitops.runner.templates import NodeError, Owner


def expand_env(flat: dict[str, str]) -> dict[str, Any]:
    """util/expand Expand: dotted keys nested into maps; a key that is also another's prefix is dropped."""
    keys = sorted(flat)
    kept = {k: flat[k] for i, k in enumerate(keys) if not (i + 1 < len(keys) and keys[i + 1].startswith(k + "."))}
    out: dict[str, Any] = {}
    for key, value in kept.items():
        parts = key.split(".")
        here = out
        for part in parts[:-1]:
            nxt = here.get(part)
            if not isinstance(nxt, dict):
                nxt = here[part] = {}
            here = nxt
        here[parts[-1]] = value
    return out


def go_quote(text: str) -> str:
    """strconv.Quote for the text json.Marshal produced (printable runes stay, controls are escaped)."""
    escapes = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a", "\b": "\\b"}
    escapes |= {"\f": "\\f", "\v": "\\v"}
    out = []
    for ch in text:
        if ch in escapes:
            out.append(escapes[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        elif not ch.isprintable():
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def failures(op: Operator) -> str:
    """workflow.failures: every Failed or Error node, as the controller lists them before the exit handler."""
    from gitops.argo.goformat import go_json

    items = []
    for node in op.wf.nodes.values():
        if node.phase not in ("Failed", "Error"):
            continue
        template = node.template_name or (node.template_ref or {}).get("template", "")
        fields = [
            ("displayName", node.display_name),
            ("message", node.message),
            ("templateName", template),
            ("phase", node.phase),
            ("podName", pod_name(op.wf.name, node.name, template)),
            ("finishedAt", rfc3339(node.finished_at)),
        ]
        items.append("{" + ",".join(f"{go_json(k)}:{go_json(v)}" for k, v in fields) + "}")
    return go_quote("[" + ",".join(items) + "]") if items else go_quote("null")


def exit_hook(spec_or_call: dict[str, Any], arguments: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """GetExitHook: `onExit: name` with the given arguments, or `hooks.exit` (its own arguments, else those)."""
    args = {"parameters": arguments} if arguments is not None else spec_or_call.get("arguments") or {}
    if spec_or_call.get("onExit"):
        return {"template": spec_or_call["onExit"], "arguments": args}
    hook = (spec_or_call.get("hooks") or {}).get("exit")
    if hook is None:
        return None
    out = dict(hook)
    if not (hook.get("arguments") or {}).get("parameters"):
        out["arguments"] = args
    return out


def _evaluate(expression: str, scope: dict[str, str]) -> bool:
    # preflight checked the expression evaluates cleanly over this scope's names
    return bool(expr.parse(expression).evaluate(expand_env(scope)))


def workflow_hooks(op: Operator) -> bool:
    """executeWfLifeCycleHook: True when every started hook node is fulfilled."""
    done = True
    for name, hook in sorted((op.spec.get("hooks") or {}).items()):
        if name == "exit":
            continue
        node_name = f"{op.wf.name}.hooks.{name}"
        if not hook.get("expression"):
            raise NodeError(f"Expression required for hook {node_name}")
        existing = op.wf.get(node_name)
        if existing is None and not _evaluate(hook["expression"], op.globals):
            continue
        node = op.execute_template(
            node_name, hook, op.main, (hook.get("arguments") or {}).get("parameters") or [], "", flag={"hooked": True}
        )
        op.wf.add_child(op.wf.name, node_name)
        done = done and node is not None and node.fulfilled
    return done


def _resolve_arguments(op: Operator, arguments: dict[str, Any], prefix: str, outputs: dict[str, Any] | None, scope):
    """resolveExitTmplArgument: the node's own outputs join the scope the arguments are substituted with."""
    scope = dict(scope)
    for param in (outputs or {}).get("parameters") or []:
        scope[f"{prefix}.outputs.parameters.{param['name']}"] = param.get("value", "")
    return subst.replace(arguments, {**op.globals, **scope})


def template_hooks(
    op: Operator,
    scope: dict[str, str],
    hooks: dict[str, Any],
    parent: Node,
    boundary_id: str,
    owner: Owner,
    prefix: str,
) -> bool:
    """executeTmplLifeCycleHook: True when every started hook of `parent` is fulfilled."""
    done = True
    for name, hook in sorted((hooks or {}).items()):
        if name == "exit":
            continue
        node_name = f"{parent.name}.hooks.{name}"
        if not hook.get("expression"):
            raise NodeError(f"Expression required for hook {node_name}")
        existing = op.wf.get(node_name)
        if existing is None and not _evaluate(hook["expression"], {**op.globals, **scope}):
            continue
        outputs = last_attempt(op.wf, parent).outputs
        arguments = hook.get("arguments") or {}
        if (arguments.get("parameters") or arguments.get("artifacts")) and outputs is not None:
            arguments = _resolve_arguments(op, arguments, prefix, outputs, scope)
        node = op.execute_template(
            node_name, hook, owner, arguments.get("parameters") or [], boundary_id, flag={"hooked": True}
        )
        op.wf.add_child(parent.name, node_name)
        done = done and node is not None and node.fulfilled
    return done


def run_exit_node(
    op: Operator, hook: dict[str, Any] | None, parent: Node, boundary_id: str, owner: Owner, prefix: str, scope
) -> tuple[bool, Node | None]:
    """runOnExitNode: (has an exit handler, its node)."""
    if hook is None:
        return False, None
    if hook.get("expression") and not _evaluate(hook["expression"], {**op.globals, **scope}):
        return False, None
    arguments = hook.get("arguments") or {}
    if arguments.get("parameters") or arguments.get("artifacts"):
        arguments = _resolve_arguments(op, arguments, prefix, last_attempt(op.wf, parent).outputs, scope)
    name = f"{parent.name}.onExit"
    node = op.execute_template(
        name, hook, owner, arguments.get("parameters") or [], boundary_id, on_exit=True, flag={"hooked": True}
    )
    op.wf.add_child(parent.name, name)
    return True, node


def hooks_fulfilled(op: Operator, node: Node) -> bool:
    """common.CheckAllHooksFullfilled: every hooked child of `node` is fulfilled."""
    for child_id in node.children:
        child = op.wf.nodes.get(child_id)
        if child is not None and child.hooked and not child.fulfilled:
            return False
    return True
