"""The package layout holds: no import cycle, commands do not import each other's insides, rules import no rule."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
COMMANDS = ("render", "validate", "promote", "diff", "runner", "scaffold", "bench")
# Who may import which command package (beyond itself): promotion runs the validator and the diff,
# the PR comment is part of diff, the bench times the validator (on scaffolded models) and the runner.
ALLOWED = {"promote": {"validate", "diff"}, "bench": {"validate", "runner", "scaffold"}}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Module -> the project modules it imports (gitops.*, mlpipeline.*), read from the source.

    A package's __init__ runs before any of its modules; that implicit edge is not counted.
    """
    modules = {module_name(p): p for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from pkg import mod` depends on pkg.mod; `from mod import name` on mod.
                targets = [
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                    for a in node.names
                ]
            found.update(t for t in targets if t in modules and t != name)
        graph[name] = found
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_no_import_cycle():
    assert cycle(imports()) == []


def test_a_command_imports_only_the_core_and_the_commands_it_builds_on():
    wrong = []
    for module, targets in imports().items():
        parts = module.split(".")
        if parts[0] != "gitops" or len(parts) < 2 or parts[1] not in COMMANDS:
            continue
        for target in targets:
            other = target.split(".")
            if other[0] == "gitops" and len(other) > 1 and other[1] in COMMANDS and other[1] != parts[1]:
                if other[1] not in ALLOWED.get(parts[1], set()):
                    wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_the_core_imports_no_command():
    wrong = [
        f"{m} imports {t}"
        for m, targets in imports().items()
        if m.startswith(("gitops.core", "gitops.argo"))
        for t in targets
        if t.split(".")[:2][-1] in COMMANDS
    ]
    assert wrong == []


def test_no_rule_imports_another_rule():
    prefix = "gitops.validate.policy.rules."
    wrong = [
        f"{m} imports {t}" for m, ts in imports().items() if m.startswith(prefix) for t in ts if t.startswith(prefix)
    ]
    assert wrong == []


def test_the_steps_never_import_the_tooling():
    """The step image ships mlpipeline only (Dockerfile): an import of gitops would fail in the pod."""
    wrong = [
        f"{m} imports {t}"
        for m, ts in imports().items()
        if m.startswith("mlpipeline")
        for t in ts
        if t.startswith("gitops")
    ]
    assert wrong == []
