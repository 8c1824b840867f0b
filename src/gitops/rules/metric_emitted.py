"""A metric the list attributes to a step is really pushed by that step's code.

Otherwise the alert on it is green forever. The check is textual: the name
must appear as a string literal in the step's module or in a module of the
package it imports (metric_names itself does not count, it only lists names).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from gitops.findings import ERROR, Finding
from gitops.rules.overlay import Overlay

ID = "metric-emitted"
DESCRIPTION = "every metric METRICS attributes to a pipeline step appears in that step's code"
SEVERITY = ERROR
SCOPE = "repo"  # about the code, not an overlay: run once
LIST = "src/mlpipeline/metric_names.py"


def imported_modules(tree: ast.Module, package: str) -> set[str]:
    """The package's own modules a module imports, absolute (mlpipeline.x) or relative (.x)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[1] for a in node.names if a.name.startswith(package + "."))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if (node.level == 0 and base == package) or (node.level == 1 and not base):
                out.update(a.name for a in node.names)  # from mlpipeline import x / from . import x
            elif node.level == 0 and base.startswith(package + "."):
                out.add(base.split(".")[1])
            elif node.level == 1:
                out.add(base.split(".")[0])
    return out


def literals(steps_dir: Path, step: str) -> set[str]:
    """String constants of the step's module and of every package module it reaches."""
    todo, seen, found = [step], {"metric_names"}, set()
    while todo:
        module = todo.pop()
        source = steps_dir / f"{module}.py"
        if module in seen or not source.is_file():
            continue
        seen.add(module)
        tree = ast.parse(source.read_text(), str(source))
        found.update(n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str))
        todo.extend(imported_modules(tree, steps_dir.name))
    return found


def check(overlay: Overlay) -> Iterable[Finding]:
    context = overlay.context
    steps: dict[str, list[str]] = {}
    for metric in context.metrics:
        if not metric.source.startswith("platform:"):
            steps.setdefault(metric.source, []).append(metric.name)
    for step, names in steps.items():
        module = context.steps_dir / f"{step}.py"
        shown = _relative(module, context.root)
        if not module.is_file():
            yield Finding(
                LIST,
                "-",
                "",
                f"{shown} does not exist, yet METRICS names step {step} as the source of {', '.join(names)}",
                "write the step, or fix the metrics' source",
            )
            continue
        code = literals(context.steps_dir, step)
        for name in names:
            if name not in code:
                yield Finding(
                    LIST,
                    f"Metric/-/{name}",
                    "",
                    f"attributed to step {step}, but {shown} and the modules it imports never name it",
                    "push it from that step, or attribute it to the step that does",
                )


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
