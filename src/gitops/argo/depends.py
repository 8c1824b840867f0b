"""A DAG task's `depends` (and the older `dependencies`), as the controller reads them.

- Which tasks a task depends on: workflow/common/ancestry.go GetTaskDependencies
  finds them with a regex (`name.Result` or a bare `name`), not a parser, so any
  other word in the text (`and`, `true`, `5`) counts as a task name, which the
  validator then reports as unknown ("sorting failed: invalid dependency and").
- The logic that is evaluated: `dependencies: [A, B]` becomes `depends:
  (A.Succeeded || A.Skipped || A.Daemoned) && (B...)`, and so does a bare name
  inside `depends`; a dependency task's own `continueOn.error`/`failed` adds
  ` || A.Errored` / ` || A.Failed` (ancestry.go expandDependency).
- Evaluation: workflow/controller/dag.go evaluateDependsLogic waits until every
  dependency (and its hooks) is fulfilled, replaces `-` by `_` in the logic and
  evaluates it with expr over each task's results (Succeeded, Failed, Errored,
  Skipped, Omitted, Daemoned, AnySucceeded, AllFailed).

`parse(text)` accepts the grammar every depends Argo's validator accepts is in:
  expr := term (('&&' | '||') term)* ; term := '!' term | '(' expr ')' | TASK ['.' RESULT]
with expr's precedence (&& over ||). Anything else raises ParseError: the
controller would only find out at run time, with expr's own error text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gitops.argo.errors import ParseError

RESULTS = ("Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed")
ITEMS_RESULTS = ("AnySucceeded", "AllFailed")
# ancestry.go taskNameRegex and taskResultRegex.
_NAME = re.compile(r"([a-zA-Z0-9][-a-zA-Z0-9]*?\.[A-Z][a-zA-Z]+)|([a-zA-Z0-9][-a-zA-Z0-9]*)")
_RESULT = re.compile(r"([a-zA-Z0-9][-a-zA-Z0-9]*?\.[A-Z][a-zA-Z]+)")
_TOKEN = re.compile(r"\s*(?:(?P<op>&&|\|\||!|\(|\))|(?P<ref>[a-zA-Z0-9][-a-zA-Z0-9]*(?:\.[A-Za-z]+)?))")


def dependencies(text: str) -> dict[str, str]:
    """Task name -> "task" or "items" (used with .AnySucceeded/.AllFailed), found as Argo finds them."""
    found: dict[str, str] = {}
    for with_result, bare in _NAME.findall(text):
        if with_result:
            name, result = with_result.split(".", 1)
            if result in ITEMS_RESULTS:
                found[name] = "items"
            else:
                found.setdefault(name, "task")
        else:
            found[bare] = "task"
    return found


def invalid_result(text: str) -> str | None:
    """ancestry.go ValidateTaskResults: the message for the first `name.Result` with an unknown Result."""
    for match in _RESULT.findall(text):
        name, result = match.split(".", 1)
        if result not in RESULTS:
            return f"task result '{result}' for task '{name}' is invalid"
    return None


def _expand(name: str, continue_on: dict[str, Any] | None) -> str:
    parts = [f"{name}.Succeeded", f"{name}.Skipped", f"{name}.Daemoned"]
    if (continue_on or {}).get("error"):
        parts.append(f"{name}.Errored")
    if (continue_on or {}).get("failed"):
        parts.append(f"{name}.Failed")
    return "(" + " || ".join(parts) + ")"


def logic(task: dict[str, Any], tasks: dict[str, dict[str, Any]]) -> str:
    """The expanded logic the controller evaluates for `task` ("" when it depends on nothing)."""
    depends = task.get("depends") or ""
    if not depends:
        return " && ".join(_expand(d, (tasks.get(d) or {}).get("continueOn")) for d in task.get("dependencies") or [])
    bare = [m for m in _NAME.finditer(depends) if m.group(2)]
    for match in reversed(bare):  # right to left, so earlier offsets stay valid
        name = match.group(2)
        depends = (
            depends[: match.start()] + _expand(name, (tasks.get(name) or {}).get("continueOn")) + depends[match.end() :]
        )
    return depends


@dataclass(frozen=True)
class Node:
    op: str  # "&&", "||", "!", or "ref"
    args: tuple["Node", ...] = ()
    task: str = ""
    result: str = ""  # "" for a bare name


class _Parser:
    def __init__(self, text: str):
        self.text, self.tokens, self.i = text, [], 0
        pos = 0
        while text[pos:].strip():
            match = _TOKEN.match(text, pos)
            if not match:
                at = len(text) - len(text[pos:].lstrip())
                raise ParseError(
                    f"unexpected {text[at]!r}: depends takes task names, &&, ||, ! and parentheses", text, at
                )
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind), match.start(kind)))
            pos = match.end()

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise ParseError("depends ends too early", self.text, len(self.text))
        self.i += 1
        return token

    def parse(self) -> Node:
        node = self.or_()
        if self.peek() is not None:
            raise ParseError(f"unexpected {self.peek()[1]!r}", self.text, self.peek()[2])
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.peek() and self.peek()[1] == "||":
            self.take()
            node = Node("||", (node, self.and_()))
        return node

    def and_(self) -> Node:
        node = self.term()
        while self.peek() and self.peek()[1] == "&&":
            self.take()
            node = Node("&&", (node, self.term()))
        return node

    def term(self) -> Node:
        kind, value, position = self.take()
        if value == "!":
            return Node("!", (self.term(),))
        if value == "(":
            inner = self.or_()
            if self.peek() is None or self.peek()[1] != ")":
                raise ParseError("missing ')'", self.text, position)
            self.take()
            return inner
        if kind != "ref":
            raise ParseError(f"unexpected {value!r}", self.text, position)
        name, _, result = value.partition(".")
        if result and result not in RESULTS:
            raise ParseError(f"task result '{result}' for task '{name}' is invalid", self.text, position)
        return Node("ref", task=name, result=result)


def parse(text: str) -> Node:
    """The syntax tree of a `depends` text (or of its expanded logic)."""
    return _Parser(text).parse()


@dataclass(frozen=True)
class TaskResults:
    """dag.go TaskResults: what `depends` can ask of a finished task."""

    Succeeded: bool = False
    Failed: bool = False
    Errored: bool = False
    Skipped: bool = False
    Omitted: bool = False
    Daemoned: bool = False
    AnySucceeded: bool = False
    AllFailed: bool = False


def evaluate(node: Node, results: dict[str, TaskResults]) -> bool:
    """The expanded logic over the dependencies' results (every name in it is a dependency)."""
    if node.op == "ref":
        # The logic is always expanded, so every reference carries its result.
        return getattr(results[node.task], node.result)
    if node.op == "!":
        return not evaluate(node.args[0], results)
    left = evaluate(node.args[0], results)
    if node.op == "&&":
        return left and evaluate(node.args[1], results)
    return left or evaluate(node.args[1], results)
