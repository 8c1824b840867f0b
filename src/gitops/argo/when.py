"""A step's or task's `when:`, parsed and evaluated the way the controller does.

workflow/controller/steps.go (v4.0.6) shouldExecute, used by steps and DAGs alike:
the substituted text goes to govaluate (Knetic/govaluate 7625b7f8c03d, the version
in Argo's go.mod); every VARIABLE token is turned into a STRING token, so a bare
word compares as text (`Succeeded == Succeeded` is true); the expression is then
planned again and evaluated with no parameters; a non-boolean result is an error.

This module follows govaluate's lexer (parsing.go, lexerState.go), its planner
(stagePlanner.go: precedence levels, right-recursive chains mirrored into
left-to-right order) and its evaluation (evaluationStage.go: type checks and
their messages, `==` as reflect.DeepEqual, short circuits). Functions are not
offered (Argo passes none), and accessors (`a.B`) always fail as govaluate's do
with no parameters: "No parameter 'a' found.".

Interface:
- `parse(text)` -> Expression, or ParseError with govaluate's message (what
  Argo prints after "Invalid 'when' expression '<text>': ").
- `should_execute(text)` -> bool, or WhenError whose str() is the node message
  Argo writes (Invalid/Failed to parse/Failed to evaluate/Expected boolean).
- `Expression.uses_regex`: `=~`/`!~` are Go RE2 regular expressions, which this
  module does not evaluate (Python's `re` differs); callers refuse them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from gitops.argo.errors import ParseError
from gitops.argo.goformat import go_float, go_value

# Token kinds, in govaluate's TokenKind order (their names appear in messages).
UNKNOWN, PREFIX, NUMERIC, BOOLEAN, STRING, PATTERN, TIME, VARIABLE = (
    "UNKNOWN",
    "PREFIX",
    "NUMERIC",
    "BOOLEAN",
    "STRING",
    "PATTERN",
    "TIME",
    "VARIABLE",
)
FUNCTION, SEPARATOR, ACCESSOR, COMPARATOR, LOGICALOP, MODIFIER = (
    "FUNCTION",
    "SEPARATOR",
    "ACCESSOR",
    "COMPARATOR",
    "LOGICALOP",
    "MODIFIER",
)
CLAUSE, CLAUSE_CLOSE, TERNARY = "CLAUSE", "CLAUSE_CLOSE", "TERNARY"

_VALUES = [PREFIX, NUMERIC, BOOLEAN, VARIABLE, PATTERN, FUNCTION, ACCESSOR, STRING, TIME, CLAUSE]
_AFTER_VALUE = [MODIFIER, COMPARATOR, LOGICALOP, CLAUSE_CLOSE, TERNARY, SEPARATOR]
# kind -> (may end the expression, may hold a nil value, kinds that may follow): lexerState.go.
_STATES: dict[str, tuple[bool, bool, list[str]]] = {
    UNKNOWN: (False, True, _VALUES),
    CLAUSE: (False, True, [*_VALUES, CLAUSE_CLOSE]),
    CLAUSE_CLOSE: (
        True,
        True,
        [COMPARATOR, MODIFIER, NUMERIC, BOOLEAN, VARIABLE, STRING, PATTERN, TIME, CLAUSE, CLAUSE_CLOSE, LOGICALOP]
        + [TERNARY, SEPARATOR],
    ),
    NUMERIC: (True, False, _AFTER_VALUE),
    BOOLEAN: (True, False, _AFTER_VALUE),
    STRING: (True, False, _AFTER_VALUE),
    TIME: (True, False, [MODIFIER, COMPARATOR, LOGICALOP, CLAUSE_CLOSE, SEPARATOR]),
    PATTERN: (True, False, [MODIFIER, COMPARATOR, LOGICALOP, CLAUSE_CLOSE, SEPARATOR]),
    VARIABLE: (True, False, _AFTER_VALUE),
    MODIFIER: (False, False, [PREFIX, NUMERIC, VARIABLE, FUNCTION, ACCESSOR, STRING, BOOLEAN, CLAUSE, CLAUSE_CLOSE]),
    COMPARATOR: (
        False,
        False,
        [PREFIX, NUMERIC, BOOLEAN, VARIABLE, FUNCTION, ACCESSOR, STRING, TIME, CLAUSE, CLAUSE_CLOSE, PATTERN],
    ),
    LOGICALOP: (
        False,
        False,
        [PREFIX, NUMERIC, BOOLEAN, VARIABLE, FUNCTION, ACCESSOR, STRING, TIME, CLAUSE, CLAUSE_CLOSE],
    ),
    PREFIX: (False, False, [NUMERIC, BOOLEAN, VARIABLE, FUNCTION, ACCESSOR, CLAUSE, CLAUSE_CLOSE]),
    TERNARY: (False, False, [PREFIX, NUMERIC, BOOLEAN, STRING, TIME, VARIABLE, FUNCTION, ACCESSOR, CLAUSE, SEPARATOR]),
    FUNCTION: (False, False, [CLAUSE]),
    ACCESSOR: (True, False, [CLAUSE, MODIFIER, COMPARATOR, LOGICALOP, CLAUSE_CLOSE, TERNARY, SEPARATOR]),
    SEPARATOR: (False, True, [PREFIX, NUMERIC, BOOLEAN, STRING, TIME, VARIABLE, FUNCTION, ACCESSOR, CLAUSE]),
}

COMPARATORS = {"==", "!=", ">", ">=", "<", "<=", "=~", "!~", "in"}
LOGICAL = {"&&", "||"}
MODIFIERS = {"+", "-", "*", "/", "%", "**", "&", "|", "^", ">>", "<<"}
PREFIXES = {"-", "!", "~"}
TERNARIES = {"?", ":", "??"}


@dataclass
class Token:
    kind: str
    value: Any
    position: int = 0


class Pattern(str):
    """A regular expression literal (PATTERN token): its %v is its source text."""


def _is_space(ch: str) -> bool:
    return ch.isspace()


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L")


def _is_digit(ch: str) -> bool:
    return unicodedata.category(ch) == "Nd"


def _is_quote(ch: str) -> bool:
    return ch in ("'", '"')


def _is_symbol(ch: str) -> bool:
    return not (_is_digit(ch) or _is_letter(ch) or ch in "()[]" or _is_quote(ch))


def _is_variable(ch: str) -> bool:
    return _is_letter(ch) or _is_digit(ch) or ch in "_."


class _Stream:
    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def can_read(self) -> bool:
        return self.pos < len(self.text)

    def read(self) -> str:
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    def read_until_false(
        self, include_space: bool, break_space: bool, condition: Callable[[str], bool]
    ) -> tuple[str, bool]:
        """readUntilFalse: backslash escapes the next character; returns (text, whether a stop was met)."""
        out: list[str] = []
        while self.can_read():
            ch = self.read()
            if ch == "\\":
                if not self.can_read():
                    # govaluate reads past the end here and panics; there is no message to reproduce.
                    raise ParseError("a trailing backslash ends the expression", self.text, self.pos)
                out.append(self.read())
                continue
            if _is_space(ch):
                if break_space and out:
                    return "".join(out), True
                if not include_space:
                    continue
            if condition(ch):
                out.append(ch)
            else:
                self.pos -= 1
                return "".join(out), True
        return "".join(out), False

    def read_token_until_false(self, condition: Callable[[str], bool]) -> str:
        self.pos -= 1
        return self.read_until_false(False, True, condition)[0]


# The layouts govaluate's tryParseTime tries on every quoted string (parsing.go), as anchored
# patterns with Go's field widths (year 4 digits; month, day, minute, second 2; hour 1 or 2;
# "_2" a space-padded day) and the strptime format that reads the same text.
_D2, _H, _Z = r"\d{2}", r"\d{1,2}", r"(?:Z|[+-]\d{2}:?\d{2})"
_DATE = r"\d{4}-\d{2}-\d{2}"
_DAYS, _MONTHS = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)", r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_TIME_LAYOUTS = [
    (rf"{_DAYS} {_MONTHS} (?: \d|\d{{2}}) {_H}:{_D2}:{_D2} \d{{4}}", "%a %b %d %H:%M:%S %Y"),  # ANSIC
    (rf"{_DAYS} {_MONTHS} (?: \d|\d{{2}}) {_H}:{_D2}:{_D2} UTC \d{{4}}", "%a %b %d %H:%M:%S UTC %Y"),  # UnixDate
    (rf"{_DAYS} {_MONTHS} {_D2} {_H}:{_D2}:{_D2} [+-]\d{{4}} \d{{4}}", "%a %b %d %H:%M:%S %z %Y"),  # RubyDate
    (r"\d{1,2}:\d{2}(?:AM|PM)", "%I:%M%p"),  # Kitchen
    (rf"{_DATE}T{_H}:{_D2}:{_D2}{_Z}", "%Y-%m-%dT%H:%M:%S%z"),  # RFC3339, ISO8601 seconds
    (rf"{_DATE}T{_H}:{_D2}:{_D2}\.\d{{1,6}}{_Z}", "%Y-%m-%dT%H:%M:%S.%f%z"),  # RFC3339Nano, ISO8601 nanos
    (_DATE, "%Y-%m-%d"),
    (rf"{_DATE} {_H}:{_D2}", "%Y-%m-%d %H:%M"),
    (rf"{_DATE} {_H}:{_D2}:{_D2}", "%Y-%m-%d %H:%M:%S"),
    (rf"{_DATE} {_H}:{_D2}:{_D2}[+-]\d{{2}}:\d{{2}}", "%Y-%m-%d %H:%M:%S%z"),
    (rf"{_DATE}T{_H}{_Z}", "%Y-%m-%dT%H%z"),
    (rf"{_DATE}T{_H}:{_D2}{_Z}", "%Y-%m-%dT%H:%M%z"),
]


def _time(text: str) -> datetime | None:
    """The instant a quoted string names, when it matches one of govaluate's date layouts.

    Go reads a layout without a zone in the process's local zone; the controller image sets no
    TZ, so UTC is used. The instant only matters when a date is compared with a number: a TIME
    token becomes its Unix time, and two quoted dates compare equal exactly when their texts
    name the same instant. Go accepts up to nine fraction digits; six are read here.
    """
    for pattern, fmt in _TIME_LAYOUTS:
        if re.fullmatch(pattern, text):
            try:
                parsed = datetime.strptime(text.replace("Z", "+0000") if text.endswith("Z") else text, fmt)
            except ValueError:
                return None  # e.g. month 13: Go's parse fails too, and the text stays a string
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def _read_token(stream: _Stream, state: str) -> Token | None:
    """One token (None at the end): parsing.go readToken."""
    while stream.can_read():
        start = stream.pos
        ch = stream.read()
        if _is_space(ch):
            continue
        if _is_digit(ch) or ch == ".":
            if stream.can_read() and ch == "0":
                nxt = stream.read()
                if stream.can_read() and nxt == "x":
                    digits = stream.read_until_false(False, True, lambda c: c.lower() in "0123456789abcdef")[0]
                    try:
                        return Token(NUMERIC, float(int(digits, 16)), start)
                    except ValueError:
                        message = f"Unable to parse hex value '{digits}' to uint64\n"
                        raise ParseError(message, stream.text, start) from None
                stream.pos -= 1
            text = stream.read_token_until_false(lambda c: _is_digit(c) or c == ".")
            try:
                if text.count(".") > 1 or text == ".":
                    raise ValueError(text)
                return Token(NUMERIC, float(text), start)
            except ValueError:
                raise ParseError(f"Unable to parse numeric value '{text}' to float64\n", stream.text, start) from None
        if ch == ",":
            return Token(SEPARATOR, ",", start)
        if ch == "[":
            name, completed = stream.read_until_false(True, False, lambda c: c != "]")
            if not completed:
                raise ParseError("Unclosed parameter bracket", stream.text, start)
            stream.pos += 1
            return Token(VARIABLE, name, start)
        if _is_letter(ch):
            word = stream.read_token_until_false(_is_variable)
            token = Token(VARIABLE, word, start)
            if word in ("true", "false"):
                token = Token(BOOLEAN, word == "true", start)
            if word in ("in", "IN"):
                token = Token(COMPARATOR, "in", start)
            if word.find(".") > 0:
                if word.endswith("."):
                    raise ParseError(f"Hanging accessor on token '{word}'", stream.text, start)
                parts = word.split(".")
                for part in parts[1:]:
                    if part and part[0].upper() != part[0]:
                        raise ParseError(
                            f"Unable to access unexported field '{part}' in token '{word}'", stream.text, start
                        )
                token = Token(ACCESSOR, parts, start)
            return token
        if _is_quote(ch):
            value, completed = stream.read_until_false(True, False, lambda c: not _is_quote(c))
            if not completed:
                raise ParseError("Unclosed string literal", stream.text, start)
            stream.pos += 1
            instant = _time(value)
            return Token(TIME, instant, start) if instant else Token(STRING, value, start)
        if ch == "(":
            return Token(CLAUSE, "(", start)
        if ch == ")":
            return Token(CLAUSE_CLOSE, ")", start)
        symbol = stream.read_token_until_false(_is_symbol)
        if PREFIX in _STATES[state][2] and symbol in PREFIXES:
            return Token(PREFIX, symbol, start)
        for kind, symbols in ((MODIFIER, MODIFIERS), (LOGICALOP, LOGICAL), (COMPARATOR, COMPARATORS)):
            if symbol in symbols:
                return Token(kind, symbol, start)
        if symbol in TERNARIES:
            return Token(TERNARY, symbol, start)
        raise ParseError(f"Invalid token: '{symbol}'", stream.text, start)
    return None


def tokenize(text: str) -> list[Token]:
    stream, state, tokens = _Stream(text), UNKNOWN, []
    while stream.can_read():
        token = _read_token(stream, state)
        if token is None:
            break
        state = token.kind
        tokens.append(token)
    _check_balance(tokens, text)
    return tokens


def _check_balance(tokens: list[Token], text: str) -> None:
    depth = sum(1 if t.kind == CLAUSE else -1 if t.kind == CLAUSE_CLOSE else 0 for t in tokens)
    if depth:
        raise ParseError("Unbalanced parenthesis", text, None)


def _shown(token: Token | None) -> str:
    """A token value as %v prints it in a transition error (a parenthesis is a rune: its code)."""
    if token is None:
        return "<nil>"
    if token.kind in (CLAUSE, CLAUSE_CLOSE):
        return str(ord(token.value))
    if token.kind == TIME:
        return token.value.strftime("%Y-%m-%d %H:%M:%S +0000 UTC")
    return go_value(token.value)


def _check_syntax(tokens: list[Token], text: str) -> None:
    """lexerState.go checkExpressionSyntax: every token may follow the one before; the last may end it."""
    state, last = UNKNOWN, None
    for token in tokens:
        if token.kind not in _STATES[state][2]:
            if last is not None and last.kind == VARIABLE and token.kind == CLAUSE:
                raise ParseError(f"Undefined function {last.value}", text, token.position)
            raise ParseError(
                f"Cannot transition token types from {state} [{_shown(last)}] to {token.kind} [{_shown(token)}]",
                text,
                token.position,
            )
        state, last = token.kind, token
    if not _STATES[state][0]:
        raise ParseError("Unexpected end of expression", text, len(text))


# --- planning -----------------------------------------------------------------------------

# Operator precedence groups, as findOperatorPrecedenceForSymbol numbers them; only equality
# of groups matters (it decides which chains are re-ordered left to right).
_GROUP = {
    "NOOP": 0,
    "VALUE": 1,
    "LITERAL": 1,
    "ACCESS": 2,
    "PREFIX": 3,
    "**": 4,
    "+": 5,
    "-": 5,
    "&": 6,
    "|": 6,
    "^": 6,
    ">>": 7,
    "<<": 7,
    "*": 8,
    "/": 8,
    "%": 8,
    "COMPARATOR": 9,
    "?": 10,
    ":": 10,
    "??": 10,
    "&&": 11,
    "||": 12,
    ",": 13,
}


@dataclass
class Stage:
    """One evaluation stage: `op` is the operator symbol, or VALUE/LITERAL/NOOP/ACCESS."""

    op: str
    left: "Stage | None" = None
    right: "Stage | None" = None
    value: Any = None  # a literal, or a parameter name (VALUE), or accessor parts (ACCESS)
    kind: str = ""  # "binary", "prefix", "ternary", "" (the precedence family, for type checks)

    @property
    def group(self) -> int:
        if self.kind == "prefix":
            return _GROUP["PREFIX"]
        if self.op in COMPARATORS:
            return _GROUP["COMPARATOR"]
        return _GROUP.get(self.op, 1)


class _Tokens:
    def __init__(self, tokens: list[Token]):
        self.tokens, self.i = tokens, 0

    def has_next(self) -> bool:
        return self.i < len(self.tokens)

    def next(self) -> Token:
        self.i += 1
        return self.tokens[self.i - 1]

    def rewind(self) -> None:
        self.i -= 1


# Precedence levels, lowest first: (symbols, token kinds); each level's left operand is the
# next level, its right operand the level itself (planPrecedenceLevel).
_LEVELS: list[tuple[set[str], set[str]]] = [
    ({","}, {SEPARATOR}),
    (TERNARIES, {TERNARY}),
    ({"||"}, {LOGICALOP}),
    ({"&&"}, {LOGICALOP}),
    (COMPARATORS, {COMPARATOR}),
    ({"&", "|", "^"}, {MODIFIER}),
    ({">>", "<<"}, {MODIFIER}),
    ({"+", "-"}, {MODIFIER}),
    ({"*", "/", "%"}, {MODIFIER}),
    ({"**"}, {MODIFIER}),
]


def _plan_level(stream: _Tokens, level: int) -> Stage | None:
    if level == len(_LEVELS):
        return _plan_value(stream)
    symbols, kinds = _LEVELS[level]
    left = _plan_level(stream, level + 1)
    if stream.has_next():
        token = stream.next()
        if token.kind in kinds and isinstance(token.value, str) and token.value in symbols:
            right = _plan_level(stream, level)
            return Stage(token.value, left, right, kind="ternary" if token.kind == TERNARY else "binary")
        stream.rewind()
    return left


def _plan_value(stream: _Tokens) -> Stage | None:
    """planFunction/planAccessor/planValue: literals, parameters, parentheses, prefixes."""
    if not stream.has_next():
        return None
    token = stream.next()
    if token.kind == ACCESSOR:
        if stream.has_next():
            if stream.next().kind == CLAUSE:
                stream.rewind()
                return Stage("ACCESS", right=_plan_level(stream, 0), value=token.value)
            stream.rewind()
        return Stage("ACCESS", value=token.value)
    if token.kind == CLAUSE:
        inner = _plan_level(stream, 0)
        stream.next()  # the closing parenthesis: the balance was checked when tokenizing
        return Stage("NOOP", right=inner)
    if token.kind == CLAUSE_CLOSE:
        stream.rewind()
        return None
    if token.kind == VARIABLE:
        return Stage("VALUE", value=token.value)
    if token.kind in (NUMERIC, STRING, PATTERN, BOOLEAN):
        return Stage("LITERAL", value=token.value)
    if token.kind == TIME:
        return Stage("LITERAL", value=float(int(token.value.timestamp())))
    if token.kind == PREFIX:
        return Stage(token.value, right=_plan_value(stream), kind="prefix")
    raise ParseError(f"Unable to plan token kind: '{token.kind}', value: '{go_value(token.value)}'")


def _reorder(root: Stage) -> None:
    """reorderStages: a right-leaning chain of same-group operators is mirrored to run left to right."""
    same: list[Stage] = []
    group = root.group
    node: Stage | None = root
    while node is not None:
        current, node = node, node.right
        if current.left is not None:
            _reorder(current.left)
        if current.group == group:
            same.append(current)
            continue
        if len(same) > 1:
            _mirror(same)
        same, group = [current], current.group
    if len(same) > 1:
        _mirror(same)


def _mirror(stages: list[Stage]) -> None:
    """mirrorStageSubtree: the chain s0 -> s1 -> ... (each the right child of the one before) becomes
    the same operators applied left to right."""
    for s in stages:
        s.left, s.right = s.right, s.left
    root, end = stages[0], stages[-1]
    end.left, root.right = root.right, end.left
    n = len(stages)
    for i in range((n - 2) // 2 + 1):
        front, inverse = stages[i + 1], stages[n - i - 1]
        front.right, inverse.right = inverse.right, front.right
    for i in range(n // 2):
        front, inverse = stages[i], stages[n - i - 1]
        front.op, inverse.op = inverse.op, front.op
        front.value, inverse.value = inverse.value, front.value
        front.kind, inverse.kind = inverse.kind, front.kind


# --- evaluation ---------------------------------------------------------------------------

_FORMATS = {
    "logical": "Value '{}' cannot be used with the logical operator '{}', it is not a bool",
    "modifier": "Value '{}' cannot be used with the modifier '{}', it is not a number",
    "comparator": "Value '{}' cannot be used with the comparator '{}', it is not a number",
    "ternary": "Value '{}' cannot be used with the ternary operator '{}', it is not a bool",
    "prefix": "Value '{}' cannot be used with the prefix '{}'",
}


class EvaluationError(Exception):
    """govaluate's evaluation error text."""


def _is_number(v: Any) -> bool:
    return isinstance(v, float)


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _is_string(v: Any) -> bool:
    return isinstance(v, str)


def _deep_equal(a: Any, b: Any) -> bool:
    """reflect.DeepEqual over govaluate's values: same Go type and equal value (NaN never equal)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_deep_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _symbol(op: str) -> str:
    return "=" if op == "==" else op  # OperatorSymbol.String() prints EQ as "="


def _check(stage: Stage, left: Any, right: Any) -> None:
    op = stage.op

    def fail(family: str, value: Any) -> None:
        raise EvaluationError(_FORMATS[family].format(go_value(value), _symbol(op)))

    if stage.kind == "prefix":
        if op == "!" and not _is_bool(right):
            fail("prefix", right)
        if op in ("-", "~") and not _is_number(right):
            fail("prefix", right)
        return
    if op in (">", "<", ">=", "<="):
        if not ((_is_number(left) and _is_number(right)) or (_is_string(left) and _is_string(right))):
            fail("comparator", left)
    elif op in ("=~", "!~"):
        if not _is_string(left):
            fail("comparator", left)
        if not _is_string(right):
            fail("comparator", right)
    elif op in ("&&", "||"):
        if not _is_bool(left):
            fail("logical", left)
        if not _is_bool(right):
            fail("logical", right)
    elif op == "in":
        if not isinstance(right, list):
            fail("comparator", right)
    elif op == "+":
        if not ((_is_number(left) and _is_number(right)) or _is_string(left) or _is_string(right)):
            fail("modifier", left)
    elif op in ("-", "*", "/", "%", "**", "&", "|", "^", ">>", "<<"):
        if not _is_number(left):
            fail("modifier", left)
        if not _is_number(right):
            fail("modifier", right)
    elif op == "?":
        if not _is_bool(left):
            fail("ternary", left)


_SHORT_CIRCUIT = object()


def _evaluate(stage: Stage | None) -> Any:
    if stage is None:
        return None
    left = _evaluate(stage.left) if stage.left is not None else None
    right: Any = None
    op = stage.op
    if op == "&&" and left is False:
        return False
    if op == "||" and left is True:
        return True
    if op == "??" and left is not None:
        return left
    skip = (op == "?" and left is False) or (op == ":" and left is not None)
    if skip:
        right = _SHORT_CIRCUIT
    elif stage.right is not None:
        right = _evaluate(stage.right)
    if op == "VALUE":
        raise EvaluationError(f"No parameter '{stage.value}' found.")
    if op == "ACCESS":
        raise EvaluationError(f"No parameter '{stage.value[0]}' found.")
    if op == "LITERAL":
        return stage.value
    if op == "NOOP":
        return right
    _check(stage, left, right)
    return _apply(stage, left, right)


def _apply(stage: Stage, left: Any, right: Any) -> Any:
    op = stage.op
    if stage.kind == "prefix":
        if op == "!":
            return not right
        if op == "-":
            return -right
        return float(~int(right))
    if op == "==":
        return _deep_equal(left, right)
    if op == "!=":
        return not _deep_equal(left, right)
    if op in (">", "<", ">=", "<="):
        return {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}[op]
    if op in ("&&", "||"):
        return (left and right) if op == "&&" else (left or right)
    if op == "in":
        return any(type(v) is type(left) and v == left for v in right)
    if op == "+":
        if _is_string(left) or _is_string(right):
            return go_value(left) + go_value(right)
        return left + right
    if op in ("-", "*", "/", "%", "**"):
        return _arith(op, left, right)
    if op in ("&", "|", "^"):
        a, b = int(left), int(right)
        return float({"&": a & b, "|": a | b, "^": a ^ b}[op])
    if op in (">>", "<<"):
        a, b = int(left) & (2**64 - 1), int(right)
        return float((a << b) & (2**64 - 1) if op == "<<" else a >> b)
    if op == "?":
        return right if left else None
    if op == ":":
        return left if left is not None else right
    if op == ",":
        return [*left, right] if isinstance(left, list) else [left, right]
    raise EvaluationError(f"unsupported operator {op}")


def _arith(op: str, a: float, b: float) -> float:
    import math

    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:  # Go's float division: ±Inf, or NaN for 0/0
            return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1, b)
        return a / b
    if op == "%":
        return math.nan if b == 0 else math.fmod(a, b)
    try:
        return math.pow(a, b)
    except (OverflowError, ValueError):
        return math.inf


@dataclass
class Expression:
    text: str
    tokens: list[Token]
    root: Stage | None = field(default=None)

    @property
    def uses_regex(self) -> bool:
        return any(t.kind == COMPARATOR and t.value in ("=~", "!~") for t in self.tokens)

    def evaluate(self) -> Any:
        return _evaluate(self.root)


def _plan(tokens: list[Token], text: str) -> Stage | None:
    _check_balance(tokens, text)
    _check_syntax(tokens, text)
    for i, token in enumerate(tokens):  # optimizeTokens: a string right of =~ is a pattern
        if token.kind == COMPARATOR and token.value in ("=~", "!~") and tokens[i + 1].kind == STRING:
            tokens[i + 1] = Token(PATTERN, Pattern(tokens[i + 1].value), tokens[i + 1].position)
    stream = _Tokens(tokens)
    root = _plan_level(stream, 0) if stream.has_next() else None
    if root is not None:
        _reorder(root)
    return root


def parse(text: str) -> Expression:
    """govaluate.NewEvaluableExpression: ParseError carries govaluate's own message."""
    tokens = tokenize(text)
    return Expression(text, tokens, _plan(list(tokens), text))


class WhenError(Exception):
    """str() is the node message Argo writes when a `when` cannot be decided."""


def should_execute(when: str) -> bool:
    """steps.go shouldExecute over an already substituted `when` ("" means run)."""
    if when == "":
        return True
    try:
        first = parse(when)
    except ParseError as err:
        hint = ' (hint: try wrapping the affected expression in quotes ("))' if "Invalid token" in err.message else ""
        raise WhenError(f"Invalid 'when' expression '{when}': {err.message}{hint}") from None
    strings = [Token(STRING, t.value, t.position) if t.kind == VARIABLE else t for t in first.tokens]
    try:
        expression = Expression(when, strings, _plan(strings, when))
    except ParseError as err:
        raise WhenError(f"Failed to parse 'when' expression '{when}': {err.message}") from None
    try:
        result = expression.evaluate()
    except EvaluationError as err:
        raise WhenError(f"Failed to evaluate 'when' expresion '{when}': {err}") from None
    if not isinstance(result, bool):
        raise WhenError(f"Expected boolean evaluation for '{when}'. Got {go_value(result)}")
    return result


__all__ = ["Expression", "ParseError", "WhenError", "parse", "should_execute", "go_float"]
