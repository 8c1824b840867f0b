"""`{{...}}` substitution, as the controller does it.

util/template (template.go, simple_template.go, kind.go) over
valyala/fasttemplate v1.2.2: a tag is the text between `{{` and the next `}}`;
its key is that text trimmed of spaces. A key in the scope is replaced by its
value. An unknown key is written back unchanged, except that a *strict* key (one
under a strict prefix: `tasks`/`steps` when the controller resolves a task's or
step's references, everything when `allow_unresolved` is false) is an error,
"failed to resolve {{<tag>}}", which the controller treats as "not yet" and
requeues (util/template/replace.go IsMissingVariableErr). A tag whose text
starts with `=` is an expression tag (`{{=...}}`); those are expr programs with
sprig and jsonpath, which this module does not evaluate: `expression_tags`
finds them so a caller can refuse them.

The controller substitutes over the JSON text of a template, escaping each value
with strconv.Quote; for every value made of printable text, tabs, newlines and
carriage returns that is the identity on the decoded result, which is what this
module computes, string by string (map keys included, as they are in the JSON).
Two things differ from working on the JSON text and are reported, not guessed:
a `{{` whose `}}` is in a later string (`Unbalanced`), and a value holding
another control character (Go's quoting then yields an escape JSON cannot read,
and the controller fails the node with encoding/json's text; `ControlCharacter`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

START, END = "{{", "}}"


class SubstitutionError(Exception):
    """A tag cannot be substituted; str() is what the controller says (when it says anything)."""


class Unresolved(SubstitutionError):
    """A strict tag names nothing in scope: "failed to resolve {{tag}}" (the controller requeues)."""

    def __init__(self, tag: str):
        super().__init__(f"failed to resolve {{{{{tag}}}}}")
        self.tag = tag


class Unbalanced(SubstitutionError):
    """A string holds `{{` with no `}}` after it."""


class ControlCharacter(SubstitutionError):
    """A value holds a control character other than tab, newline or carriage return."""


class ExpressionTag(SubstitutionError):
    """A `{{=...}}` tag, which this module does not evaluate."""


def tags(text: str) -> list[str]:
    """The raw tags of a string, in order (fasttemplate's split); Unbalanced when a `{{` is not closed."""
    found, rest = [], text
    while True:
        start = rest.find(START)
        if start < 0:
            return found
        rest = rest[start + len(START) :]
        end = rest.find(END)
        if end < 0:
            raise Unbalanced(f"{text!r} has a {{{{ with no }}}} after it")
        found.append(rest[:end])
        rest = rest[end + len(END) :]


def is_expression(tag: str) -> bool:
    return tag.startswith("=")  # kind.go parseTag: no trimming, so `{{ =x}}` is a simple tag


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _strict(prefixes: tuple[str, ...]) -> Callable[[str], bool]:
    if not prefixes:
        return lambda key: False
    pattern = re.compile(r"^(" + "|".join(re.escape(p) for p in prefixes) + r")(\.|$)")
    return lambda key: bool(pattern.match(key))


def replace_text(
    text: str, scope: Mapping[str, str], *, strict: tuple[str, ...] = (), allow_unresolved: bool = True
) -> str:
    """One string, as Replace (allow_unresolved) or ReplaceStrict (strict prefixes) would leave it."""
    if START not in text:
        return text
    is_strict = (lambda key: True) if not allow_unresolved else _strict(strict)
    out, rest = [], text
    while (start := rest.find(START)) >= 0:
        out.append(rest[:start])
        rest = rest[start + len(START) :]
        end = rest.find(END)
        if end < 0:
            raise Unbalanced(f"{text!r} has a {{{{ with no }}}} after it")
        tag, rest = rest[:end], rest[end + len(END) :]
        out.append(_one(tag, scope, is_strict, allow_unresolved))
    out.append(rest)
    return "".join(out)


def _one(tag: str, scope: Mapping[str, str], is_strict: Callable[[str], bool], allow_unresolved: bool) -> str:
    if is_expression(tag):
        raise ExpressionTag(f"{{{{{tag}}}}} is an expression tag")
    key = tag.strip()
    if key in scope:
        return _value(scope[key])
    nested = tag.rfind(START)
    if nested > 0 and tag[nested + 2 :] in scope:
        # simple_template.go: "{{a {{b}}" resolves the inner tag and keeps the outer text open.
        return START + tag[:nested] + _value(scope[tag[nested + 2 :]])
    # Artifacts under a strict prefix are left for artifact resolution when unresolved tags are allowed.
    if is_strict(key) and not (allow_unresolved and ".outputs.artifacts." in key):
        raise Unresolved(tag)
    return START + tag + END


def _value(value: str) -> str:
    if _CONTROL.search(value):
        raise ControlCharacter(f"the value {value!r} holds a control character")
    return value


def replace(
    value: Any, scope: Mapping[str, str], *, strict: tuple[str, ...] = (), allow_unresolved: bool = True
) -> Any:
    """Every string in a template-like structure (dict keys included), substituted; the input is not changed."""
    if isinstance(value, str):
        return replace_text(value, scope, strict=strict, allow_unresolved=allow_unresolved)
    if isinstance(value, list):
        return [replace(v, scope, strict=strict, allow_unresolved=allow_unresolved) for v in value]
    if isinstance(value, dict):
        return {
            replace_text(k, scope, strict=strict, allow_unresolved=allow_unresolved)
            if isinstance(k, str)
            else k: replace(v, scope, strict=strict, allow_unresolved=allow_unresolved)
            for k, v in value.items()
        }
    return value


def strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(field path, text) of every string in a structure, keys included: where tags can be."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from strings(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and START in key:
                yield f"{path}.{key}", key
            yield from strings(item, f"{path}.{key}" if path else str(key))
