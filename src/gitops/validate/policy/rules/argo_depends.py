"""A DAG's `depends`/`dependencies` name tasks of the DAG, parse, and form no cycle."""

# Semantics from gitops.argo.depends (shared with the local runner),
# which follow argoproj/argo-workflows v4.0.6: workflow/common/ancestry.go (the task names a
# depends text names, found by regex; valid results Succeeded, Failed, Errored, Skipped,
# Omitted, Daemoned, AnySucceeded, AllFailed), util/sorting/topological_sorting.go ("sorting
# failed: duplicated nodeName %s", "invalid dependency %s", "graph with cycle") and
# workflow/validate/validate.go validateDAG (one style per DAG, no continueOn with depends, no
# leading digit, items results only on looped tasks, targets). The logic itself is evaluated
# with expr at run time (dag.go evaluateDependsLogic): text that does not parse errors the task.

from __future__ import annotations

from collections.abc import Iterable, Iterator

from gitops.argo import depends
from gitops.argo.errors import ParseError
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import argo
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list

ID = "argo-depends"
DESCRIPTION = "DAG depends/dependencies name tasks of the DAG, parse as Argo's grammar, and form no cycle"
SEVERITY = ERROR
LOOPS = ("withItems", "withParam", "withSequence")


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One dependency cycle as a path (first name repeated at the end), or []."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt in graph and nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def dag_problems(tasks: list[dict], here: str) -> Iterator[tuple[str, str, str]]:
    """(field path, message, fix) for one DAG's tasks."""
    names = [str(t.get("name")) for t in tasks]
    by_name = dict(zip(names, tasks, strict=True))
    using_depends = any(t.get("depends") for t in tasks)
    for i, name in enumerate(names):
        if name in names[:i]:
            yield f"{here}[{i}].name", f"sorting failed: duplicated nodeName {name}", "give each task its own name"
    for i, task in enumerate(tasks):
        where, name = f"{here}[{i}]", names[i]
        text = task.get("depends")
        if isinstance(text, str) and text.strip():
            yield from _depends(text, f"{where}.depends", by_name)
        for j, dep in enumerate(as_list(task.get("dependencies"))):
            if str(dep) not in by_name:
                yield f"{where}.dependencies[{j}]", f"sorting failed: invalid dependency {dep}", _known(by_name)
        if using_depends and task.get("dependencies"):
            yield (
                f"{where}.dependencies",
                "cannot use both 'depends' and 'dependencies' in the same DAG template",
                "write every task's dependencies as depends",
            )
        if using_depends and task.get("continueOn") is not None:
            yield (
                f"{where}.continueOn",
                "cannot use 'continueOn' when using 'depends'. Instead use 'dep-task.Failed'/'dep-task.Errored'",
                "drop continueOn and let the dependents' depends accept X.Failed or X.Errored",
            )
        if (using_depends or task.get("dependencies")) and name[:1].isdigit():
            yield (
                f"{where}.name",
                "name cannot begin with a digit when using either 'depends' or 'dependencies'",
                "start the task name with a letter",
            )
    graph = {n: {d for d in _dependencies(t) if d in by_name} for n, t in by_name.items()}
    found = cycle(graph)
    if found:
        first = names.index(found[0])
        yield (
            f"{here}[{first}]",
            f"sorting failed: graph with cycle: {' depends on '.join(found)}",
            "break the cycle: a task cannot wait for itself",
        )


def _depends(text: str, where: str, by_name: dict[str, dict]) -> Iterator[tuple[str, str, str]]:
    invalid = depends.invalid_result(text)
    if invalid:
        yield where, invalid, f"use one of {', '.join(depends.RESULTS)}"
        return
    found = depends.dependencies(text)
    unknown = [dep for dep in found if dep not in by_name]
    for dep in unknown:  # Argo's first complaint; `A and B` reads `and` as a task name too
        yield where, f"sorting failed: invalid dependency {dep}", _known(by_name)
    if unknown:
        return
    for dep, kind in found.items():
        if kind == "items" and not any(as_dict(by_name[dep]).get(k) for k in LOOPS):
            yield (
                where,
                f"dependency '{dep}' uses an items-based condition such as .AnySucceeded or .AllFailed but "
                "does not contain any items",
                f"use {dep}.Succeeded (or give {dep} withItems, withParam or withSequence)",
            )
    try:
        depends.parse(text)
    except ParseError as err:
        yield where, f"depends {text!r} does not parse: {err.message}", "write task names joined by &&, || and !"


def _dependencies(task: dict) -> set[str]:
    """gitops.argo.scope.task_dependencies, for a task whose fields may have the wrong type."""
    if isinstance(task.get("depends"), str) and task["depends"]:
        return set(depends.dependencies(task["depends"]))
    return {d for d in as_list(task.get("dependencies")) if isinstance(d, str)}


def _known(by_name: dict[str, dict]) -> str:
    return f"name a task of this DAG: {', '.join(sorted(by_name))}"


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind(*argo.KINDS):
        tpath, templates = argo.templates(doc)
        for i, template in enumerate(map(as_dict, templates)):
            tasks = [as_dict(t) for t in as_list(as_dict(template.get("dag")).get("tasks"))]
            for path, message, fix in dag_problems(tasks, f"{tpath}[{i}].dag.tasks"):
                yield overlay.finding(doc, path, message, fix)
            target = as_dict(template.get("dag")).get("target")
            for name in str(target).split(" ") if isinstance(target, str) and target else []:
                if name not in {str(t.get("name")) for t in tasks} and not name.startswith("{{"):
                    yield overlay.finding(
                        doc, f"{tpath}[{i}].dag.target", f"target '{name}' is not defined", "name a task of this DAG"
                    )
