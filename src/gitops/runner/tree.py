"""The run as people read it: a line per step as it starts and ends, then the tree `argo get` draws.

The record (gitops.runner.record) is the truth; this only shows it. A node is
drawn under its parent in the template tree: a task or step under its DAG or
step group, an attempt under its Retry node, a loop's expansions under their
TaskGroup, hooks and exit handlers under the node they belong to.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from gitops.runner.record import Node, Workflow

MARKS = {"Succeeded": "✔", "Failed": "✖", "Skipped": "○", "Omitted": "⊘", "Running": "●", "Pending": "◷", "Error": "⚠"}
SHOWN = ("Pod", "Skipped")  # the nodes whose ends the live view prints; the containers print nothing


class LiveTree:
    """Prints a pod's start and every leaf's end, indented by how deep the node sits."""

    def __init__(self, wf: Workflow, out: TextIO = sys.stdout, describe: Callable[[Node], str] | None = None):
        self.wf, self.out, self.seen = wf, out, {}
        # The record keeps Argo's messages; people read them through `describe` (gitops.runner.wording).
        self.describe = describe or (lambda node: node.message)
        wf.on_change.append(self.changed)

    def changed(self, node: Node) -> None:
        retry_told = node.type == "Retry" and len(node.children) < 2 and not node.message
        if (node.type not in SHOWN and not (node.type in ("Retry", "TaskGroup") and node.fulfilled)) or retry_told:
            return  # a Retry node with one attempt says what its attempt said
        if self.seen.get(node.id) == (node.phase, node.message):
            return
        self.seen[node.id] = (node.phase, node.message)
        depth = len(_ancestors(self.wf, node))
        indent = "  " * depth
        if node.phase == "Running" and node.type == "Pod":
            self.out.write(f"{indent}● {node.display_name} ...\n")
        elif node.fulfilled:
            took = f" ({_seconds(node):.1f}s)" if node.completed else ""
            message = f"  {self.describe(node)}" if node.message else ""
            self.out.write(f"{indent}{MARKS.get(node.phase, '?')} {node.display_name}{took}{message}\n")
        elif node.message and node.type == "Pod":
            self.out.write(f"{indent}◷ {node.display_name}  {node.message}\n")
        self.out.flush()

    def note(self, message: str) -> None:
        self.out.write(f"◷ {self.wf.name}  {message}\n")
        self.out.flush()


def _seconds(node: Node) -> float:
    return (node.finished_at or time.time()) - node.started_at


def parent_of(wf: Workflow, node: Node) -> Node | None:
    """The node `node` is drawn under (None for the entry node and the workflow's exit handler)."""
    name = node.name
    if node.id == wf.name or name == f"{wf.name}.onExit":
        return None
    if node.hooked:  # "<parent>.onExit", "<parent>.hooks.<name>"
        cut = name.rfind(".onExit") if name.endswith(".onExit") else name.rfind(".hooks.")
        found = wf.get(name[:cut]) if cut > 0 else None
        if found is not None:
            return found
    if name.endswith(")") and "(" in name:  # an attempt under its Retry node, an expansion under its TaskGroup
        found = wf.get(name[: name.rfind("(")])
        if found is not None and (node.retried or found.type == "TaskGroup"):
            return found
    boundary = wf.nodes.get(node.boundary_id)
    if boundary is not None and boundary.type == "Steps" and node.type != "StepGroup":
        return wf.get(name[: name.rfind("].") + 1]) or boundary
    return boundary


def _ancestors(wf: Workflow, node: Node) -> list[Node]:
    out, here = [], parent_of(wf, node)
    while here is not None and len(out) < 50:
        out.append(here)
        here = parent_of(wf, here)
    return out


def render(wf: Workflow, describe: Callable[[Node], str] | None = None) -> str:
    """The final tree: STEP, TEMPLATE, DURATION, MESSAGE (through `describe`, as the live view)."""
    describe = describe or (lambda node: node.message)
    children: dict[str, list[Node]] = {}
    roots = []
    for node in wf.nodes.values():
        parent = parent_of(wf, node)
        if parent is None:
            roots.append(node)
        else:
            children.setdefault(parent.id, []).append(node)
    rows = [("STEP", "TEMPLATE", "DURATION", "MESSAGE")]

    def visit(node: Node, prefix: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└─" if last else "├─")
        took = f"{_seconds(node):.1f}s" if node.completed else ""
        template = node.template_name or (
            f"{node.template_ref['name']}/{node.template_ref['template']}" if node.template_ref else ""
        )
        mark = f"{prefix}{branch}{MARKS.get(node.phase, '?')} {node.display_name}"
        rows.append((mark, template, took, describe(node) if node.message else ""))
        child_prefix = prefix if top else prefix + ("  " if last else "│ ")
        kids = sorted(children.get(node.id, []), key=lambda n: (n.started_at, n.name))
        for i, child in enumerate(kids):
            visit(child, child_prefix, i == len(kids) - 1, False)

    for root in sorted(roots, key=lambda n: (n.started_at, n.name)):
        visit(root, " ", True, True)
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}".rstrip() for r in rows)
