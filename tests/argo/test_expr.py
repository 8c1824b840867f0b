"""The expr subset: what compiles and runs cleanly over Argo's string env, and expr's semantics (v1.17.7).

The env is util/expr/env/env.go GetFuncMap over the scope's string values; a
top-level value is a known string to expr's checker (checker/checker.go: `==`
needs comparable natures, `<` numbers or strings), a value under a dotted prefix
is untyped; vm/runtime Equal compares numbers across int and float and anything
else by type and value.
"""

from __future__ import annotations

import pytest

from gitops.argo import expr
from gitops.argo.errors import ParseError

ENV = {
    "retries": expr.INT_TEXT,
    "lastRetry": {"exitCode": expr.INT_TEXT, "status": expr.TEXT, "duration": expr.FLOAT_TEXT, "message": expr.TEXT},
}
VALUES = {"retries": "1", "lastRetry": {"exitCode": "2", "status": "Error", "duration": "0.5", "message": "boom"}}

RESULTS = {
    "lastRetry.status == 'Error'": True,
    'lastRetry.status == "Error" || asInt(lastRetry.exitCode) == 1': True,
    "asInt(lastRetry.exitCode) == 2": True,
    "lastRetry.exitCode == 2": False,  # a string never equals a number
    "lastRetry.exitCode == '2'": True,
    "asInt(retries) < 3 and not (lastRetry.status in ['Failed'])": True,
    "asFloat(lastRetry.duration) < 1.0": True,
    "lastRetry.message contains 'oo'": True,
    "lastRetry.message startsWith 'b' && lastRetry.message endsWith 'x'": False,
    "int(lastRetry.exitCode) * 2 == 4.0": True,
    "!(lastRetry.status != 'Error')": True,
    "lastRetry.status == 'Error' ? true : false": True,
}
PROBLEMS = {
    "retries < 3": "< compares a string with an int (retries < 3); convert with asInt()",
    "retries == 1": "expr rejects == between a string and an int (retries == 1)",
    "lastRetry.exitCode > 1": "> compares a string with an int (lastRetry.exitCode > 1); convert with asInt()",
    "asInt(lastRetry.duration) > 1": "asInt(lastRetry.duration) fails when the text is not a number",
    "lastRetry.status": "it yields a string, not a boolean",
    "foo == 1": "'foo' names nothing here (known: lastRetry, retries)",
    "lastRetry.nope == 'x'": "lastRetry.nope names nothing here (lastRetry has: duration, exitCode, message, status)",
    "lastRetry.status && true": "&& needs booleans on both sides (lastRetry.status && True)",
    "asInt(retries) % 2 == 0": "% is outside the subset the local runner evaluates (asInt(retries) % 2)",
}
SYNTAX = {
    "lastRetry.message matches 'x'": ("the operator 'matches' is outside the supported subset of expr", 18),
    "a ?? b": ("the operator '??' is outside the supported subset of expr", 2),
    "a ==": ("unexpected end of expression", 4),
    "(a": ("unexpected end of expression", 2),
    "a b": ("unexpected 'b' after the expression", 2),
}


@pytest.mark.parametrize("text", sorted(RESULTS))
def test_evaluates_with_expr_semantics(text):
    parsed = expr.parse(text)
    assert parsed.check(ENV) == []
    assert parsed.evaluate(VALUES) is RESULTS[text]


@pytest.mark.parametrize("text", sorted(PROBLEMS))
def test_what_expr_would_reject_or_fail_on_is_a_problem(text):
    assert expr.parse(text).check(ENV) == [PROBLEMS[text]]


@pytest.mark.parametrize("text", sorted(SYNTAX))
def test_syntax_outside_the_subset_is_a_parse_error_with_its_position(text):
    with pytest.raises(ParseError) as err:
        expr.parse(text)
    assert (err.value.message, err.value.position) == SYNTAX[text]


def test_division_by_zero_gives_infinity_as_expr_does():
    assert expr.parse("asInt(retries) / 0 > 1").evaluate({"retries": "1"}) is True
