"""Argo's `when:` and `depends:` expressions, evaluated the way Argo's govaluate does.

Only what the repo's templates use: quoted strings, numbers, true/false,
== != < > <= >=, && || !, parentheses. Argo substitutes `{{...}}` first, so a
bare word left over (an unquoted value) is an error here, as it is a likely
bug there: govaluate reads `dev-1` as `dev - 1`.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from gitops.runner.errors import RunnerError

_TOKEN = re.compile(
    r"""\s*(?:(?P<str>'[^']*'|"[^"]*")|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|<=|>=|&&|\|\||[<>!()])|(?P<word>[A-Za-z_][\w.-]*))"""
)


class ExpressionError(RunnerError):
    """The expression cannot be evaluated; the message says why."""


# The expr-lang functions Argo's retryStrategy.expression examples use.
_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "asInt": lambda v: float(int(float(v))),
    "asFloat": lambda v: float(v),
    "string": lambda v: v if isinstance(v, str) else str(v),
}


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError(f"cannot parse {text!r} at {text[pos:]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    """Recursive descent: or -> and -> not -> comparison -> atom."""

    def __init__(self, text: str, resolve_word: Callable[[str], Any]):
        self.text, self.tokens, self.pos, self.resolve_word = text, tokenize(text), 0, resolve_word

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError(f"{self.text!r} ends too early")
        self.pos += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()[1]!r} in {self.text!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            value = _truth(value, self.text) or _truth(right, self.text)
        return value

    def and_(self) -> Any:
        value = self.not_()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.not_()
            value = _truth(value, self.text) and _truth(right, self.text)
        return value

    def not_(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not _truth(self.not_(), self.text)
        return self.comparison()

    def comparison(self) -> Any:
        left = self.atom()
        token = self.peek()
        if token and token[0] == "op" and token[1] in ("==", "!=", "<", ">", "<=", ">="):
            self.take()
            return _compare(left, token[1], self.atom(), self.text)
        return left

    def atom(self) -> Any:
        kind, value = self.take()
        if kind == "str":
            return value[1:-1]
        if kind == "num":
            return float(value)
        if kind == "op" and value == "(":
            inner = self.or_()
            if self.take() != ("op", ")"):
                raise ExpressionError(f"missing ')' in {self.text!r}")
            return inner
        if kind == "word":
            if value in ("true", "false"):
                return value == "true"
            if self.peek() == ("op", "(") and value in _FUNCTIONS:
                self.take()
                arg = self.or_()
                if self.take() != ("op", ")"):
                    raise ExpressionError(f"missing ')' after {value}( in {self.text!r}")
                return _FUNCTIONS[value](arg)
            return self.resolve_word(value)
        raise ExpressionError(f"unexpected {value!r} in {self.text!r}")


def _truth(value: Any, text: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ExpressionError(f"{text!r}: {value!r} is not a boolean")


def _compare(left: Any, op: str, right: Any, text: str) -> bool:
    if op in ("==", "!="):
        return (left == right) == (op == "==")
    if not (isinstance(left, float) and isinstance(right, float)):
        raise ExpressionError(f"{text!r}: {op} needs numbers on both sides")
    return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]


def evaluate_when(text: str) -> bool:
    """A substituted `when:`; a bare word is an unquoted value, which Argo would misread."""

    def bare(word: str) -> Any:
        raise ExpressionError(f"{text!r}: unquoted value {word!r}; quote both sides, e.g. '{{{{...}}}}' == 'true'")

    return _truth(_Parser(text, bare).parse(), text)


def evaluate_depends(text: str, phases: dict[str, str]) -> bool:
    """A DAG `depends:` over finished tasks' phases (Succeeded, Failed, Skipped, Omitted)."""

    def task(word: str) -> bool:
        name, _, result = word.partition(".")
        if name not in phases:
            raise ExpressionError(f"depends {text!r}: no task named {name!r}")
        phase = phases[name]
        if not result:  # Argo: a bare name means Succeeded, Skipped or Daemoned
            return phase in ("Succeeded", "Skipped")
        if result not in ("Succeeded", "Failed", "Skipped", "Errored", "Omitted"):
            raise ExpressionError(f"depends {text!r}: {result!r} is not a task result this runner knows")
        return phase == result

    return _truth(_Parser(text, task).parse(), text)


def evaluate_retry(text: str, exit_code: int) -> bool:
    """retryStrategy.expression over `lastRetry`: locally a failed attempt is status Failed with its exit code."""
    last = {"lastRetry.status": "Failed", "lastRetry.exitCode": str(exit_code)}

    def word(name: str) -> Any:
        if name not in last:
            raise ExpressionError(
                f"retryStrategy.expression {text!r}: {name!r} is not known locally (known: {', '.join(last)})"
            )
        return last[name]

    return _truth(_Parser(text, word).parse(), text)


def depends_names(text: str) -> set[str]:
    return {
        value.partition(".")[0] for kind, value in tokenize(text) if kind == "word" and value not in ("true", "false")
    }
