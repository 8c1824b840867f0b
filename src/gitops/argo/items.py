"""withItems / withParam / withSequence: the expanded calls, their node names and `{{item}}` values.

workflow/controller/operator.go (v4.0.6): processItem sets `item` (and `item.<key>`
for a map) and names each expansion with generateNodeName: `<name>(<index>:<desc>)`,
parentheses removed from the description; expandSequence counts from `start`
(default 0) to `end` or over `count`, downwards when start > end, each number
printed with `format` (default %d) as a string item. An item keeps its JSON text
(wfv1.Item, item.go): a number prints as JSON does, a map's `{{item}}` is its
compact JSON with sorted keys, `{{item.key}}` the value's text. withParam must
parse as a JSON list (dag.go/steps.go: "withParam value could not be parsed as
a JSON list: <value>: <error>").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from gitops.argo.goformat import go_json, unescape_html

# The printf formats a local run can print as Go's fmt does: one integer verb with flags and width.
SEQUENCE_FORMAT = re.compile(r"[^%]*(?:%%[^%]*)*%[-+ 0#]*[0-9]*[dxXob][^%]*(?:%%[^%]*)*")


class ItemsError(ValueError):
    """The items cannot be expanded; str() is the controller's message where it has one."""


@dataclass(frozen=True)
class Expansion:
    name: str  # the node name suffix: "A(0:foo)"
    scope: dict[str, str]  # item, item.<key>


def _text(value: Any) -> str:
    """Item.String(): the JSON text, a string without its quotes, HTML escapes undone."""
    raw = go_json(value)
    return unescape_html(raw[1:-1] if raw.startswith('"') else raw)


def _expansion(name: str, index: int, item: Any) -> Expansion:
    if isinstance(item, dict):
        scope = {f"item.{k}": _text(v) for k, v in item.items()}
        scope["item"] = go_json(item)  # json.Marshal of the map: HTML escapes stay
        desc = ",".join(sorted(f"{k}:{_text(v)}" for k, v in item.items()))
    elif isinstance(item, list):
        scope = {"item": go_json(item)}
        desc = "[" + " ".join(_text(v) for v in item) + "]"
    elif isinstance(item, str):
        scope = {"item": item}
        desc = _text(item)
    else:
        scope = {"item": _text(item)}
        desc = _text(item)
    desc = desc.replace("(", "").replace(")", "")
    return Expansion(f"{name}({index}:{desc})", scope)


def sequence(seq: dict[str, Any]) -> list[str]:
    """expandSequence; the strings it yields."""

    def number(key: str) -> int:
        text = str(seq[key])
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise ItemsError(f'strconv.Atoi: parsing "{text}": invalid syntax')
        return int(text)

    start = number("start") if seq.get("start") is not None else 0
    if seq.get("end") is not None:
        end = number("end")
    elif seq.get("count") is not None:
        count = number("count")
        if count == 0:
            return []
        end = start + count - 1
    else:
        raise ItemsError("neither end nor count was specified in withSequence")
    fmt = seq.get("format") or "%d"
    step = 1 if start <= end else -1
    return [fmt % i for i in range(start, end + step, step)]


def items_of(call: dict[str, Any]) -> list[Any] | None:
    """The items a call expands over after substitution (None when it has no loop)."""
    if call.get("withItems"):
        return list(call["withItems"])
    if call.get("withParam"):
        text = call["withParam"]
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            reason = go_json_error(err)
            raise ItemsError(f"withParam value could not be parsed as a JSON list: {text.strip()}: {reason}") from None
        if value is None:
            return []  # null unmarshals into an empty list
        if not isinstance(value, list):
            kind = {"dict": "object", "str": "string", "bool": "bool"}.get(type(value).__name__, "number")
            raise ItemsError(
                f"withParam value could not be parsed as a JSON list: {text.strip()}: "
                f"json: cannot unmarshal {kind} into Go value of type []v1alpha1.Item"
            )
        return value
    if call.get("withSequence") is not None:
        return sequence(call["withSequence"])
    return None


def _quote_char(ch: str) -> str:
    """encoding/json quoteChar: the offending character as its error prints it."""
    if ch == "'":
        return "'\\''"
    if ch == '"':
        return "'\"'"
    return "'" + json.dumps(ch)[1:-1] + "'"


def _container(text: str, pos: int) -> str:
    """The innermost array or object open at `pos` (outside strings)."""
    stack, in_string, escaped = [], False, False
    for ch in text[:pos]:
        if in_string:
            escaped, in_string = (not escaped and ch == "\\"), in_string and not (ch == '"' and not escaped)
            continue
        if ch == '"':
            in_string = True
        elif ch in "[{":
            stack.append(ch)
        elif ch in "]}" and stack:
            stack.pop()
    return stack[-1] if stack else ""


def go_json_error(err: json.JSONDecodeError) -> str:
    """encoding/json's text for the syntax errors a step's output most often has.

    Python's decoder names the same positions; the few classes not mapped here keep Python's
    wording, a difference the caller's docs name.
    """
    text, pos = err.doc, err.pos
    ch = text[pos] if pos < len(text) else ""
    if not ch or err.msg.startswith("Unterminated string"):
        return "unexpected end of JSON input"
    if err.msg == "Expecting value":
        return f"invalid character {_quote_char(ch)} looking for beginning of value"
    if err.msg == "Extra data":
        return f"invalid character {_quote_char(ch)} after top-level value"
    if err.msg == "Expecting ',' delimiter":
        where = "array element" if _container(text, pos) == "[" else "object key:value pair"
        return f"invalid character {_quote_char(ch)} after {where}"
    if err.msg == "Expecting ':' delimiter":
        return f"invalid character {_quote_char(ch)} after object key"
    if err.msg.startswith("Expecting property name"):
        return f"invalid character {_quote_char(ch)} looking for beginning of object key string"
    if err.msg.startswith("Invalid control character"):
        return f"invalid character {_quote_char(ch)} in string literal"
    return err.msg


def expand(name: str, items: list[Any]) -> list[Expansion]:
    return [_expansion(name, i, item) for i, item in enumerate(items)]
