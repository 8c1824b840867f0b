"""The run's tree of nodes, and how it is shown (like `argo get`)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

MARKS = {"Succeeded": "✔", "Failed": "✖", "Skipped": "○", "Omitted": "⊘", "Running": "●", "Pending": "◷", "Error": "⚠"}


@dataclass
class Node:
    name: str
    template: str
    depth: int
    phase: str = "Pending"
    message: str = ""
    seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)
    children: list["Node"] = field(default_factory=list)
    attempts: int = 0
    workdir: Path | None = None  # the last attempt's /tmp, where the step left summary.json

    def child(self, name: str, template: str) -> "Node":
        node = Node(name, template, self.depth + 1)
        self.children.append(node)
        return node

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class LiveTree:
    """Prints each node as it finishes, then the whole tree with durations."""

    def __init__(self, out: TextIO = sys.stdout):
        self.out = out

    def finished(self, node: Node) -> None:
        indent = "  " * node.depth
        took = f" ({node.seconds:.1f}s)" if node.phase in ("Succeeded", "Failed") else ""
        message = f"  {node.message}" if node.message else ""
        self.out.write(f"{indent}{MARKS.get(node.phase, '?')} {node.name}{took}{message}\n")
        self.out.flush()

    def started(self, node: Node) -> None:
        if node.children or node.depth == 0:
            return
        self.out.write(f"{'  ' * node.depth}● {node.name} ...\n")
        self.out.flush()


def render_tree(root: Node) -> str:
    rows = [("STEP", "TEMPLATE", "DURATION", "MESSAGE")]

    def visit(node: Node, prefix: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└─" if last else "├─")
        took = f"{node.seconds:.1f}s" if node.phase in ("Succeeded", "Failed") else ""
        rows.append((f"{prefix}{branch}{MARKS.get(node.phase, '?')} {node.name}", node.template, took, node.message))
        child_prefix = prefix if top else prefix + ("  " if last else "│ ")
        for i, child in enumerate(node.children):
            visit(child, child_prefix, i == len(node.children) - 1, False)

    visit(root, " ", True, True)
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}".rstrip() for r in rows)
