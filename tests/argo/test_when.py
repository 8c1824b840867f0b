"""`when` evaluates as govaluate 7625b7f8c03d does inside Argo's shouldExecute (workflow/controller/steps.go).

The table is the one the research notes ran through a Go harness built on the
mirrored govaluate source (every VARIABLE token turned into a STRING, as
shouldExecute does); each row is what the controller writes on the node.
"""

from __future__ import annotations

import pytest

from gitops.argo import when
from gitops.argo.errors import ParseError

HINT = ' (hint: try wrapping the affected expression in quotes ("))'
TRUE = [
    "a == a",
    "'a' == 'a'",
    '"a" == "a"',
    "Succeeded == Succeeded",
    "a_b == a_b",
    "null == null",
    "'prod-eu' == 'prod-eu'",
    "5 == 5.0",
    "10 > 9",
    "a in ('a','b')",
    "!(a == b)",
    "'a\" == 'a'",  # either quote closes a string
    "1 - 2 - 3 == -4",  # same-precedence chains run left to right (stagePlanner.go reorderStages)
    "2 ** 3 ** 2 == 64",
    "'2024-01-05' == '2024-01-05'",
]
FALSE = ["'5' == 5", "'10' > '9'", "'false' == 'true'", "'2024-01-05' == '2024-1-5'"]
ERRORS = {
    "a = a": "Invalid 'when' expression 'a = a': Invalid token: '='" + HINT,
    "prod-eu == prod-eu": "Failed to evaluate 'when' expresion 'prod-eu == prod-eu': "
    "Value 'prod' cannot be used with the modifier '-', it is not a number",
    "hello world == hello world": "Invalid 'when' expression 'hello world == hello world': "
    "Cannot transition token types from VARIABLE [hello] to VARIABLE [world]",
    "example.com == example.com": "Invalid 'when' expression 'example.com == example.com': "
    "Unable to access unexported field 'com' in token 'example.com'",
    "v1.2 == v1.2": "Failed to evaluate 'when' expresion 'v1.2 == v1.2': No parameter 'v1' found.",
    "1.2.3 == 1.2.3": "Invalid 'when' expression '1.2.3 == 1.2.3': Unable to parse numeric value '1.2.3' to float64\n",
    "3abc == 3abc": "Invalid 'when' expression '3abc == 3abc': "
    "Cannot transition token types from NUMERIC [3] to VARIABLE [abc]",
    "a == a and b == b": "Invalid 'when' expression 'a == a and b == b': "
    "Cannot transition token types from VARIABLE [a] to VARIABLE [and]",
    "a ==": "Invalid 'when' expression 'a ==': Unexpected end of expression",
    "(a == a": "Invalid 'when' expression '(a == a': Unbalanced parenthesis",
    "  == a": "Invalid 'when' expression '  == a': "
    "Cannot transition token types from UNKNOWN [<nil>] to COMPARATOR [==]",
    "a &&!b": "Invalid 'when' expression 'a &&!b': Invalid token: '&&!'" + HINT,
    "abc > 5": "Failed to evaluate 'when' expresion 'abc > 5': "
    "Value 'abc' cannot be used with the comparator '>', it is not a number",
    "foo": "Expected boolean evaluation for 'foo'. Got foo",
    "1": "Expected boolean evaluation for '1'. Got 1",
    "{{steps.x.outputs.result}} == a": "Invalid 'when' expression '{{steps.x.outputs.result}} == a': "
    "Invalid token: '{{'" + HINT,
    # The second planning sees STRING where the first saw VARIABLE: a prefix cannot take a string.
    "!foo": "Failed to parse 'when' expression '!foo': Cannot transition token types from PREFIX [!] to STRING [foo]",
}


@pytest.mark.parametrize("text", TRUE)
def test_true(text):
    assert when.should_execute(text) is True


@pytest.mark.parametrize("text", FALSE)
def test_false(text):
    assert when.should_execute(text) is False


@pytest.mark.parametrize("text", sorted(ERRORS))
def test_error_is_the_node_message_argo_writes(text):
    with pytest.raises(when.WhenError) as err:
        when.should_execute(text)
    assert str(err.value) == ERRORS[text]


def test_empty_when_runs():
    assert when.should_execute("") is True


def test_parse_error_carries_the_position_for_a_validator():
    with pytest.raises(ParseError) as err:
        when.parse("a = b")
    assert (err.value.message, err.value.position) == ("Invalid token: '='", 2)
    assert err.value.pointer() == "a = b\n  ^"


def test_a_regular_expression_is_flagged_for_callers_to_refuse():
    assert when.parse("a =~ 'x.*'").uses_regex
    assert not when.parse("a == b").uses_regex
