"""What the DAG, steps and hook code needs from the operator that drives them.

The operator (operator.py) calls into dag.py, steps.py and hooks.py, and they
call back into it to run their children; this Protocol is that call back, so
the modules do not import each other in a circle.
"""

from __future__ import annotations

from typing import Any, Protocol

from gitops.runner.locks import Locks
from gitops.runner.record import Node, Workflow
from gitops.runner.templates import Owner


class Operator(Protocol):
    wf: Workflow
    spec: dict[str, Any]
    main: Owner
    arguments: list[dict[str, Any]]
    globals: dict[str, str]
    locks: Locks
    exit_nodes: set[str]
    boundary_templates: dict[str, dict[str, Any]]
    stuck: dict[str, str]

    def execute_template(
        self,
        name: str,
        holder: dict[str, Any],
        owner: Owner,
        arguments: list[dict[str, Any]],
        boundary_id: str,
        on_exit: bool = False,
        flag: dict[str, bool] | None = None,
        call_kind: str = "",
    ) -> Node | None: ...

    def resolve(self, holder: dict[str, Any], owner: Owner) -> tuple[dict[str, Any], Owner]: ...

    def holder(self, name: str) -> str: ...

    def _init_executable(self, name, type_, holder, scope, boundary_id, phase, flag, template, message="") -> Node: ...
