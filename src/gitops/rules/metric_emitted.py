"""A metric the list attributes to a step is really pushed by that step's code.

Otherwise the alert on it is green forever. The check is textual: the name
must appear as a string literal in the step's module or in a module of the
package it imports (metric_names itself does not count, it only lists names).
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterable

from gitops.findings import ERROR, Finding
from gitops.rules.overlay import Overlay

ID = "metric-emitted"
DESCRIPTION = "every metric METRICS attributes to a pipeline step appears in that step's code"
SEVERITY = ERROR
SCOPE = "repo"  # about the code, not an overlay: run once
LIST = "src/mlpipeline/metric_names.py"


def imported_modules(tree: ast.Module, package: str, module: str) -> set[str]:
    """Names of the package's own modules `module` imports (absolute or relative)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[1] for a in node.names if a.name.startswith(package + "."))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level == 0 and base == package or node.level == 1 and not base:
                out.update(a.name for a in node.names)  # from mlpipeline import x / from . import x
            elif node.level == 0 and base.startswith(package + "."):
                out.add(base.split(".")[1])
            elif node.level == 1:
                out.add(base.split(".")[0])
    return out - {module}


def literals(steps_dir: Path, step: str) -> set[str] | None:
    """String constants of the step's module and every package module it reaches; None if it is missing."""
    package, todo, seen, found = steps_dir.name, [step], set(), set()
    while todo:
        module = todo.pop()
        source = steps_dir / f"{module}.py"
        if module in seen or module == "metric_names" or not source.is_file():
            if module == step and not source.is_file():
                return None
            continue
        seen.add(module)
        tree = ast.parse(source.read_text(), str(source))
        found.update(n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str))
        todo.extend(imported_modules(tree, package, module))
    return found


def check(overlay: Overlay) -> Iterable[Finding]:
    steps_dir: Path = overlay.context.steps_dir
    shown = f"{steps_dir.name}"
    cache: dict[str, set[str] | None] = {}
    for metric in overlay.context.metrics:
        if metric.source.startswith("platform:"):
            continue
        step = metric.source
        if step not in cache:
            cache[step] = literals(steps_dir, step)
        where = f"{metric.name} (source {step})"
        if cache[step] is None:
            yield Finding(LIST, where, "", f"step module {shown}/{step}.py does not exist", "fix the metric's source, or write the step")
        elif metric.name not in cache[step]:
            yield Finding(
                LIST, where, "", f"{shown}/{step}.py and the modules it imports never name it",
                "push it from the step, or attribute it to the step that does",
            )
