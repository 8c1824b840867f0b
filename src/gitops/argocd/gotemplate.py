"""The part of Go's text/template an ApplicationSet here uses, rendered as Argo CD renders it.

ApplicationSet goTemplate (applicationset/utils/utils.go, v3.5.1) runs Go's
text/template over every string of the template. This models only what the
repo's ApplicationSets need: `{{.a.b}}` field access, `{{if .x}}`/`{{else}}`/
`{{end}}` with Go's truthiness, and the `{{-`/`-}}` whitespace trims, with
`missingkey=error` semantics (a missing key is an error, never "<no value>").
Anything else raises TemplateError naming the action, so an ApplicationSet
using more fails validation instead of being expanded wrongly.
"""

from __future__ import annotations

import re
from typing import Any

_ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.S)
_FIELD = re.compile(r"^\.[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class TemplateError(Exception):
    """The template uses what this renderer does not model, or names a missing key; `fix` says what to do."""

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.fix = fix


def render(text: str, params: dict[str, Any]) -> str:
    """`text` with its actions evaluated against `params`."""
    tokens = _tokens(text)
    out, rest = _block(tokens, 0, params, stop=())
    if rest != len(tokens):
        raise TemplateError(f"unexpected {{{{{tokens[rest][1]}}}}} in {text!r}", "pair every {{if}} with one {{end}}")
    return out


def _tokens(text: str) -> list[tuple[str, str]]:
    """("text", s) and ("action", s) in order, whitespace trimmed as `{{-` and `-}}` ask."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    trim_next = False
    for match in _ACTION.finditer(text):
        literal = text[pos : match.start()]
        if trim_next:
            literal = literal.lstrip()
        if match.group(1):
            literal = literal.rstrip()
        tokens.append(("text", literal))
        tokens.append(("action", match.group(2)))
        trim_next = bool(match.group(3))
        pos = match.end()
    tail = text[pos:]
    tokens.append(("text", tail.lstrip() if trim_next else tail))
    return tokens


def _block(tokens: list[tuple[str, str]], i: int, params: dict[str, Any], stop: tuple[str, ...]) -> tuple[str, int]:
    out = []
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "text":
            out.append(value)
            i += 1
            continue
        if value in stop:
            return "".join(out), i
        if value.startswith("if "):
            taken = _truthy(_field(value[3:].strip(), params))
            then, i = _block(tokens, i + 1, params, stop=("else", "end"))
            other = ""
            if tokens[i][1] == "else":
                other, i = _block(tokens, i + 1, params, stop=("end",))
            out.append(then if taken else other)
            i += 1  # the `end`
            continue
        out.append(_printed(_field(value, params)))
        i += 1
    if stop:
        raise TemplateError(
            f"missing {{{{end}}}} (expected one of: {', '.join(stop)})", "close the {{if}} with {{end}}"
        )
    return "".join(out), i


def _field(expression: str, params: dict[str, Any]) -> Any:
    if not _FIELD.match(expression):
        raise TemplateError(
            f"{{{{{expression}}}}} is not modelled offline",
            "use {{.field}} and {{if .field}}...{{end}} only, or model the function in src/gitops/argocd/gotemplate.py",
        )
    value: Any = params
    for key in expression[1:].split("."):
        if not isinstance(value, dict) or key not in value:
            raise TemplateError(
                f'{{{{{expression}}}}}: map has no entry for key "{key}"', "use a parameter the generators provide"
            )
        value = value[key]
    return value


def _printed(value: Any) -> str:
    """A value as Go's fmt prints it in a template: true, [a b], map[k:v]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<no value>"
    if isinstance(value, list):
        return "[" + " ".join(_printed(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_printed(v)}" for k, v in sorted(value.items())) + "]"
    return str(value)


def _truthy(value: Any) -> bool:
    # Go templates: false, 0, nil, and empty strings, slices and maps are false.
    return bool(value)
