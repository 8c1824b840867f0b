"""Argo's `{{...}}` parameter substitution, with every reference resolved or reported."""

from __future__ import annotations

import re
from typing import Any, Mapping

from gitops.runner.errors import RunnerError

_REF = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")


class TemplatingError(RunnerError):
    """A `{{...}}` reference names nothing the runner has."""


def substitute(value: Any, scope: Mapping[str, str], where: str) -> Any:
    """Replace every `{{name}}` in strings inside `value`; unknown names are errors naming `where`."""
    if isinstance(value, str):

        def repl(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("="):
                raise TemplatingError(f"{where}: expression tag {{{{{name}}}}} is not supported by the local runner")
            if name not in scope:
                raise TemplatingError(f"{where}: {{{{{name}}}}} refers to nothing: {_explain(name, scope)}")
            return str(scope[name])

        return _REF.sub(repl, value)
    if isinstance(value, list):
        return [substitute(v, scope, where) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, scope, where) for k, v in value.items()}
    return value


def _explain(name: str, scope: Mapping[str, str]) -> str:
    parts = name.split(".")
    if len(parts) == 5 and parts[0] in ("tasks", "steps") and parts[2:4] == ["outputs", "parameters"]:
        producer = f"{parts[0]}.{parts[1]}"
        known = sorted(k.split(".")[-1] for k in scope if k.startswith(f"{producer}.outputs.parameters."))
        if not any(k.startswith(producer + ".") for k in scope):
            return f"no {parts[0][:-1]} named {parts[1]!r} has finished before this point"
        return (
            f"{parts[0][:-1]} {parts[1]!r} has no output parameter {parts[4]!r} (it has: {', '.join(known) or 'none'})"
        )
    prefix = ".".join(parts[:-1]) + "."
    known = sorted(k.rpartition(".")[2] for k in scope if k.startswith(prefix))
    return f"known {prefix}*: {', '.join(known) or 'none'}"


def references(value: Any) -> list[str]:
    if isinstance(value, str):
        return _REF.findall(value)
    if isinstance(value, list):
        return [r for v in value for r in references(v)]
    if isinstance(value, dict):
        return [r for v in value.values() for r in references(v)]
    return []
