"""A metric the list attributes to a step is really pushed by that step's code."""

# Otherwise the alert on it is green forever. The check reads the code, it does
# not run it: the step's module, or a package module it imports, must hold the
# name as a string literal or use a metric_names constant bound to it
# (`DRIFT_PSI = Metric("mlpipeline_drift_psi", ...)`). metric_names itself does
# not count: it only lists names.

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from gitops.core.findings import ERROR, Finding
from gitops.core.kustomize import relative
from gitops.validate.policy.context import Overlay

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


def names_used(steps_dir: Path, step: str) -> tuple[set[str], set[str]]:
    """(string constants, identifiers) of the step's module and of every package module it reaches."""
    todo, seen, strings, identifiers = [step], {"metric_names"}, set(), set()
    while todo:
        module = todo.pop()
        source = steps_dir / f"{module}.py"
        if module in seen or not source.is_file():
            continue
        seen.add(module)
        try:
            tree = ast.parse(source.read_text(), str(source))
        except SyntaxError:
            continue  # its metrics are then reported as not named; the step's own tests say why
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.add(node.value)
            elif isinstance(node, ast.Name):
                identifiers.add(node.id)
            elif isinstance(node, ast.Attribute):
                identifiers.add(node.attr)
            elif isinstance(node, ast.alias):
                identifiers.add(node.asname or node.name)
        todo.extend(imported_modules(tree, steps_dir.name))
    return strings, identifiers


def constants(steps_dir: Path) -> dict[str, set[str]]:
    """Metric name -> module-level names metric_names binds to it (`X = Metric("name", ...)`)."""
    source = steps_dir / "metric_names.py"
    out: dict[str, set[str]] = {}
    if not source.is_file():
        return out
    for node in ast.parse(source.read_text()).body:
        call = node.value if isinstance(node, ast.Assign) else None
        if isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.Constant):
            targets = {t.id for t in node.targets if isinstance(t, ast.Name)}
            out.setdefault(str(call.args[0].value), set()).update(targets)
    return out


def check(overlay: Overlay) -> Iterable[Finding]:
    context = overlay.context
    steps: dict[str, list[str]] = {}
    for metric in context.metrics:
        if not metric.source.startswith("platform:"):
            steps.setdefault(metric.source, []).append(metric.name)
    bound = constants(context.steps_dir)
    for step, names in steps.items():
        module = context.steps_dir / f"{step}.py"
        shown = relative(module, context.root)
        if not module.is_file():
            yield Finding(
                LIST,
                "-",
                "",
                f"{shown} does not exist, yet METRICS names step {step} as the source of {', '.join(names)}",
                "write the step, or fix the metrics' source",
            )
            continue
        strings, identifiers = names_used(context.steps_dir, step)
        for name in names:
            if name not in strings and not bound.get(name, set()) & identifiers:
                yield Finding(
                    LIST,
                    f"Metric/-/{name}",
                    "",
                    f"attributed to step {step}, but {shown} and the modules it imports never name it",
                    "push it from that step, or attribute it to the step that does",
                )
