"""The expr-lang expressions Argo evaluates: `retryStrategy.expression` and lifecycle `hooks`.

The controller compiles them with expr-lang/expr v1.17.7 (go.mod) through
util/expr/argoexpr/eval.go EvalBool, over the env util/expr/env/env.go builds:
the string values of the scope, nested at their dots (util/expand), plus the
functions asInt (expr's builtin Int), asFloat (Float), jsonpath, toJson, sprig.

This module reads a subset of expr and decides, before anything runs, whether an
expression will evaluate without error: only then can a local run reproduce the
outcome exactly (expr's compile and run error texts are not reproduced here).

- `parse(text)` -> Expr, or ParseError: a syntax error, or syntax outside the
  subset (closures, pipes, `matches`, `??`, `?.`, ranges, `**`).
- `Expr.check(env)` -> the problems that would make expr fail to compile or run,
  or return a non-boolean, given `env`: a nested dict whose leaves are the kind
  of text each value holds (TEXT, INT_TEXT, FLOAT_TEXT). As in expr over a map
  env, a top-level value has a known type (string) at compile time; a value
  under a dotted prefix sits in a map[string]interface{} and is untyped.
- `Expr.evaluate(values)` -> the result, with expr's semantics: `==` is
  runtime.Equal (numbers compare across int/float, otherwise same type and
  value: "1" == 1 is false), && and || short-circuit, / yields a float.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gitops.argo.errors import ParseError

# What a value in the env holds: every Argo scope value is a string; these say which strings
# asInt/asFloat can convert (an exit code, a retry count, a duration in seconds).
TEXT, INT_TEXT, FLOAT_TEXT = "text", "int-text", "float-text"

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+)
    | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
    | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
    | (?P<op>\?\?|\?\.|\.\.|\*\*|==|!=|<=|>=|&&|\|\||[-+*/%<>!()\[\].,?:|^{}#;=~&])
    )""",
    re.VERBOSE,
)
_UNSUPPORTED_OPS = {"??": "??", "?.": "?.", "..": "..", "**": "**", "^": "^", "|": "|", "{": "{", "#": "#"}
_BINARY = {
    "or": 10,
    "||": 10,
    "and": 15,
    "&&": 15,
    "==": 20,
    "!=": 20,
    "<": 20,
    ">": 20,
    "<=": 20,
    ">=": 20,
    "in": 20,
    "contains": 20,
    "startsWith": 20,
    "endsWith": 20,
    "+": 30,
    "-": 30,
    "*": 60,
    "/": 60,
    "%": 60,
}
_UNARY = {"not": 50, "!": 50, "-": 90}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}
# Functions: name -> (result kind at compile time, what it needs from its argument).
_FUNCTIONS = {"asInt": ("unknown", "int"), "asFloat": ("unknown", "float"), "int": ("int", "int")}
_FUNCTIONS |= {"float": ("float", "float"), "string": ("string", "any"), "len": ("int", "string")}
_FUNCTIONS |= {"lower": ("string", "string"), "upper": ("string", "string")}


@dataclass(frozen=True)
class Node:
    kind: str  # literal, name, member, call, unary, binary, cond, array
    value: Any = None  # literal value, name, member name, operator, function name
    args: tuple["Node", ...] = ()
    position: int = 0


def _unquote(text: str, position: int, source: str) -> str:
    if text[0] == "`":
        return text[1:-1]
    out, i, body = [], 0, text[1:-1]
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1]
            if nxt not in _ESCAPES:
                raise ParseError(f"the escape \\{nxt} is outside the supported subset of expr", source, position + i)
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _tokens(text: str) -> list[tuple[str, Any, int]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            start = len(text) - len(text[pos:].lstrip())
            raise ParseError(f"unexpected character {text[start]!r}", text, start)
        kind = match.lastgroup or ""
        start = match.start(kind)
        raw = match.group(kind)
        if kind == "op" and raw in _UNSUPPORTED_OPS:
            raise ParseError(f"the operator {raw!r} is outside the supported subset of expr", text, start)
        if kind == "number":
            value: Any = float(raw) if any(c in raw for c in ".eE") else int(raw)
        elif kind == "string":
            value = _unquote(raw, start, text)
        else:
            value = raw
        out.append((kind, value, start))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.text, self.tokens, self.i = text, _tokens(text), 0

    def peek(self, ahead: int = 0) -> tuple[str, Any, int] | None:
        j = self.i + ahead
        return self.tokens[j] if j < len(self.tokens) else None

    def take(self) -> tuple[str, Any, int]:
        token = self.peek()
        if token is None:
            raise ParseError("unexpected end of expression", self.text, len(self.text))
        self.i += 1
        return token

    def expect(self, op: str) -> None:
        token = self.take()
        if token[1] != op or token[0] not in ("op",):
            raise ParseError(f"expected {op!r}, found {token[1]!r}", self.text, token[2])

    def binary_op(self) -> tuple[str, int] | None:
        token = self.peek()
        if token is None or token[0] not in ("op", "name"):
            return None
        if token[1] == "not":  # `not in`, `not contains`, ...
            nxt = self.peek(1)
            if nxt and nxt[1] in ("in", "contains", "startsWith", "endsWith"):
                return f"not {nxt[1]}", 20
            return None
        if token[0] == "name" and token[1] == "matches":
            raise ParseError("the operator 'matches' is outside the supported subset of expr", self.text, token[2])
        return (token[1], _BINARY[token[1]]) if token[1] in _BINARY else None

    def expression(self, precedence: int = 0) -> Node:
        left = self.unary()
        while (found := self.binary_op()) and found[1] > precedence:
            op, prec = found
            position = self.take()[2]
            if op.startswith("not "):
                self.take()
                right = self.expression(prec)
                left = Node("unary", "not", (Node("binary", op[4:], (left, right), position),), position)
            else:
                left = Node("binary", op, (left, self.expression(prec)), position)
        if precedence == 0 and self.peek() and self.peek()[1] == "?":
            position = self.take()[2]
            yes = self.expression()
            self.expect(":")
            left = Node("cond", "?", (left, yes, self.expression()), position)
        return left

    def unary(self) -> Node:
        token = self.peek()
        if token and token[1] in _UNARY and token[0] in ("op", "name"):
            self.take()
            return Node("unary", token[1], (self.expression(_UNARY[token[1]]),), token[2])
        return self.postfix(self.primary())

    def primary(self) -> Node:
        kind, value, position = self.take()
        if kind in ("number", "string"):
            return Node("literal", value, (), position)
        if kind == "name":
            if value in ("true", "false"):
                return Node("literal", value == "true", (), position)
            if value == "nil":
                return Node("literal", None, (), position)
            if self.peek() and self.peek()[1] == "(":
                self.take()
                args: list[Node] = []
                while not (self.peek() and self.peek()[1] == ")"):
                    args.append(self.expression())
                    if self.peek() and self.peek()[1] == ",":
                        self.take()
                self.expect(")")
                return Node("call", value, tuple(args), position)
            return Node("name", value, (), position)
        if value == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if value == "[":
            items: list[Node] = []
            while not (self.peek() and self.peek()[1] == "]"):
                items.append(self.expression())
                if self.peek() and self.peek()[1] == ",":
                    self.take()
            self.expect("]")
            return Node("array", None, tuple(items), position)
        raise ParseError(f"unexpected {value!r}", self.text, position)

    def postfix(self, node: Node) -> Node:
        while self.peek() and self.peek()[1] in (".", "["):
            _, op, position = self.take()
            if op == ".":
                kind, name, at = self.take()
                if kind != "name":
                    raise ParseError(f"expected a field name after '.', found {name!r}", self.text, at)
                node = Node("member", name, (node,), position)
            else:
                key = self.expression()
                self.expect("]")
                if key.kind != "literal" or not isinstance(key.value, str):
                    raise ParseError("only a quoted key may index a map here", self.text, position)
                node = Node("member", key.value, (node,), position)
        return node


@dataclass(frozen=True)
class _Type:
    """A node's type twice over: what expr's checker knows (`static`, "unknown" for interface{}),
    and what the value is when it runs (`runtime`, with the text kind of strings)."""

    static: str
    runtime: str
    text: str = ""  # for runtime "string": TEXT, INT_TEXT or FLOAT_TEXT


_NUMBER = ("int", "float")


class Expr:
    def __init__(self, text: str, root: Node):
        self.text, self.root = text, root

    # -- checking --------------------------------------------------------------------------
    def check(self, env: dict[str, Any]) -> list[str]:
        """Why expr would not compile it, fail running it, or return a non-boolean ([] when it is safe)."""
        problems: list[str] = []
        result = self._type(self.root, env, problems)
        if not problems and result.runtime != "bool":
            problems.append(f"it yields a {result.runtime}, not a boolean")
        return problems

    def _type(self, node: Node, env: dict[str, Any], problems: list[str]) -> _Type:
        def fail(message: str) -> _Type:
            problems.append(message)
            return _Type("unknown", "error")

        if node.kind == "literal":
            v = node.value
            kind = "nil" if v is None else "bool" if isinstance(v, bool) else type(v).__name__
            kind = {"str": "string"}.get(kind, kind)
            return _Type(kind, kind, TEXT if kind == "string" else "")
        if node.kind == "array":
            for item in node.args:
                self._type(item, env, problems)
            return _Type("array", "array")
        if node.kind == "name":
            if node.value not in env:
                return fail(f"{node.value!r} names nothing here (known: {', '.join(sorted(env)) or 'none'})")
            found = env[node.value]
            if isinstance(found, dict):
                return _Type("map", "map")
            return _Type("string", "string", found)
        if node.kind == "member":
            base = node.args[0]
            base_type = self._type(base, env, problems)
            if base_type.runtime == "error":
                return base_type
            if base_type.runtime != "map":
                return fail(f"{_path(base)} is a {base_type.runtime}, it has no field {node.value!r}")
            scope = _lookup(base, env)
            if node.value not in scope:
                known = ", ".join(sorted(scope)) or "none"
                return fail(f"{_path(node)} names nothing here ({_path(base)} has: {known})")
            found = scope[node.value]
            # Values under a dotted prefix live in a map[string]interface{}: expr cannot type them.
            return _Type("unknown", "map") if isinstance(found, dict) else _Type("unknown", "string", found)
        if node.kind == "call":
            return self._call(node, env, problems, fail)
        if node.kind == "unary":
            operand = self._type(node.args[0], env, problems)
            if operand.runtime == "error":
                return operand
            if node.value in ("!", "not"):
                if operand.runtime != "bool":
                    return fail(f"{node.value} needs a boolean, {_path(node.args[0])} is a {operand.runtime}")
                return _Type("bool", "bool")
            if operand.runtime not in _NUMBER:
                return fail(f"unary - needs a number, {_path(node.args[0])} is a {operand.runtime}")
            return operand
        if node.kind == "cond":
            cond, yes, no = (self._type(a, env, problems) for a in node.args)
            if cond.runtime != "bool":
                return fail(f"the condition of ?: is a {cond.runtime}, not a boolean")
            if yes.runtime != no.runtime:
                return fail(f"the branches of ?: differ ({yes.runtime} and {no.runtime})")
            return yes
        left, right = (self._type(a, env, problems) for a in node.args)
        if "error" in (left.runtime, right.runtime):
            return _Type("unknown", "error")
        return self._binary(node, left, right, fail)

    def _call(self, node: Node, env, problems, fail) -> _Type:
        if node.value not in _FUNCTIONS:
            return fail(
                f"{node.value}() is not a function the local runner evaluates ({', '.join(sorted(_FUNCTIONS))})"
            )
        if len(node.args) != 1:
            return fail(f"{node.value}() takes one argument")
        result, needs = _FUNCTIONS[node.value]
        arg = self._type(node.args[0], env, problems)
        if arg.runtime == "error":
            return arg
        if needs in ("int", "float") and arg.runtime == "string":
            convertible = (INT_TEXT,) if needs == "int" else (INT_TEXT, FLOAT_TEXT)
            if arg.text not in convertible:
                return fail(f"{node.value}({_path(node.args[0])}) fails when the text is not a number")
        elif needs in ("int", "float") and arg.runtime not in _NUMBER:
            return fail(f"{node.value}() needs a number or a numeric text, got a {arg.runtime}")
        elif needs == "string" and arg.runtime != "string":
            return fail(f"{node.value}() needs a string, got a {arg.runtime}")
        runtime = {"asInt": "int", "asFloat": "float"}.get(node.value, result)
        return _Type(result, runtime, TEXT if runtime == "string" else "")

    def _binary(self, node: Node, left: _Type, right: _Type, fail) -> _Type:
        op = node.value

        def compile_ok(*kinds: str) -> bool:
            # expr's checker: known types must both be of the kinds; an unknown side is let through.
            unknown = "unknown" in (left.static, right.static)
            return unknown or (left.static in kinds and right.static in kinds)

        if op in ("==", "!="):
            static_ok = (
                "unknown" in (left.static, right.static)
                or "nil" in (left.static, right.static)
                or (left.static in _NUMBER and right.static in _NUMBER)
                or left.static == right.static
            )
            if not static_ok:
                return fail(f"expr rejects {op} between {_a(left.static)} and {_a(right.static)} ({_path(node)})")
            return _Type("bool", "bool")
        if op in ("&&", "||", "and", "or"):
            if left.runtime != "bool" or right.runtime != "bool":
                return fail(f"{op} needs booleans on both sides ({_path(node)})")
            return _Type("bool", "bool")
        if op in ("<", ">", "<=", ">="):
            same = (left.runtime in _NUMBER and right.runtime in _NUMBER) or left.runtime == right.runtime == "string"
            if not same or not compile_ok(*_NUMBER, "string"):
                return fail(
                    f"{op} compares {_a(left.runtime)} with {_a(right.runtime)} ({_path(node)}); convert with asInt()"
                )
            return _Type("bool", "bool")
        if op in ("contains", "startsWith", "endsWith"):
            if left.runtime != "string" or right.runtime != "string":
                return fail(f"{op} needs strings on both sides ({_path(node)})")
            return _Type("bool", "bool")
        if op == "in":
            if node.args[1].kind != "array":
                return fail(f"the right side of in must be a list literal here ({_path(node)})")
            return _Type("bool", "bool")
        if op == "+" and left.runtime == right.runtime == "string":
            return _Type("string" if compile_ok("string") else "unknown", "string", TEXT)
        if left.runtime not in _NUMBER or right.runtime not in _NUMBER:
            return fail(f"{op} needs numbers on both sides ({_path(node)})")
        if op == "%":  # an integer % 0 panics in Go; whether the right side is 0 is only known at run time
            return fail(f"% is outside the subset the local runner evaluates ({_path(node)})")
        if op == "/" or "float" in (left.runtime, right.runtime):
            return _Type("float" if "unknown" not in (left.static, right.static) else "unknown", "float")
        return _Type("int" if "unknown" not in (left.static, right.static) else "unknown", "int")

    # -- evaluation ------------------------------------------------------------------------
    def evaluate(self, values: dict[str, Any]) -> Any:
        return _eval(self.root, values)


def _a(kind: str) -> str:
    return ("an " if kind[:1] in "aeiou" else "a ") + kind


def _lookup(node: Node, env: dict[str, Any]) -> dict[str, Any]:
    if node.kind == "name":
        return env[node.value]
    return _lookup(node.args[0], env)[node.value]


def _path(node: Node) -> str:
    if node.kind == "name":
        return str(node.value)
    if node.kind == "member":
        return f"{_path(node.args[0])}.{node.value}"
    if node.kind == "literal":
        return repr(node.value)
    if node.kind == "call":
        return f"{node.value}({', '.join(_path(a) for a in node.args)})"
    if node.kind == "binary":
        return f"{_path(node.args[0])} {node.value} {_path(node.args[1])}"
    return node.kind


def _equal(a: Any, b: Any) -> bool:
    """vm/runtime Equal: numbers by value across int and float; anything else same type and value."""
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return a == b
    return type(a) is type(b) and a == b


def _eval(node: Node, values: dict[str, Any]) -> Any:
    kind = node.kind
    if kind == "literal":
        return node.value
    if kind == "array":
        return [_eval(a, values) for a in node.args]
    if kind == "name":
        return values[node.value]
    if kind == "member":
        return _eval(node.args[0], values).get(node.value)
    if kind == "call":
        arg = _eval(node.args[0], values)
        name = node.value
        if name in ("asInt", "int"):
            return int(arg)  # checked: an integer text, or a number (truncated, as Go's int() does)
        if name in ("asFloat", "float"):
            return float(arg)
        if name == "len":
            return len(arg)
        if name in ("lower", "upper"):
            return arg.lower() if name == "lower" else arg.upper()
        return str(arg)
    if kind == "unary":
        operand = _eval(node.args[0], values)
        return (not operand) if node.value in ("!", "not") else -operand
    if kind == "cond":
        return _eval(node.args[1] if _eval(node.args[0], values) else node.args[2], values)
    op = node.value
    left = _eval(node.args[0], values)
    if op in ("&&", "and"):
        return left and _eval(node.args[1], values)
    if op in ("||", "or"):
        return left or _eval(node.args[1], values)
    right = _eval(node.args[1], values)
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    if op == "in":
        return any(_equal(left, item) for item in right)
    if op in ("<", ">", "<=", ">="):
        return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]
    if op == "contains":
        return right in left
    if op == "startsWith":
        return left.startswith(right)
    if op == "endsWith":
        return left.endswith(right)
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    # "/": expr divides as floats; a zero divisor gives ±Inf or NaN there, never an error.
    if right == 0:
        return float("nan") if left == 0 else float("inf") if left > 0 else float("-inf")
    return left / right


def parse(text: str) -> Expr:
    parser = _Parser(text)
    root = parser.expression()
    if parser.peek() is not None:
        kind, value, position = parser.peek()
        raise ParseError(f"unexpected {value!r} after the expression", text, position)
    return Expr(text, root)
