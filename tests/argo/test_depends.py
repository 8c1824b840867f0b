"""`depends` and `dependencies` as workflow/common/ancestry.go reads them and dag.go evaluates them."""

from __future__ import annotations

import pytest

from gitops.argo import depends
from gitops.argo.errors import ParseError

TASKS = {"A": {"name": "A", "continueOn": {"failed": True}}, "B": {"name": "B"}, "my-task": {"name": "my-task"}}


@pytest.mark.parametrize(
    ("task", "logic"),
    [
        (
            {"dependencies": ["A", "B"]},
            "(A.Succeeded || A.Skipped || A.Daemoned || A.Failed) && (B.Succeeded || B.Skipped || B.Daemoned)",
        ),
        ({"depends": "A || B.Failed"}, "(A.Succeeded || A.Skipped || A.Daemoned || A.Failed) || B.Failed"),
        ({"depends": "!my-task"}, "!(my-task.Succeeded || my-task.Skipped || my-task.Daemoned)"),
        ({}, ""),
    ],
    ids=["dependencies", "bare-name-in-depends", "negated", "none"],
)
def test_logic_is_expanded_as_the_controller_expands_it(task, logic):
    assert depends.logic(task, TASKS) == logic


def test_dependencies_are_found_by_argos_regex_so_stray_words_count_as_tasks():
    assert depends.dependencies("A && (my-task.AnySucceeded || and) && B.Failed") == {
        "A": "task",
        "my-task": "items",
        "and": "task",
        "B": "task",
    }


def test_an_unknown_result_has_argos_message():
    assert depends.invalid_result("A.Successful && B") == "task result 'Successful' for task 'A' is invalid"
    assert depends.invalid_result("A.Succeeded") is None


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("A &&", "depends ends too early", 4),
        ("A and B", "unexpected 'and'", 2),
        ("(A || B", "missing ')'", 0),
        ("A.Successful", "task result 'Successful' for task 'A' is invalid", 0),
        ("A == B", "unexpected '=': depends takes task names, &&, ||, ! and parentheses", 2),
    ],
)
def test_text_outside_the_grammar_is_a_parse_error(text, message, position):
    with pytest.raises(ParseError) as err:
        depends.parse(text)
    assert (err.value.message, err.value.position) == (message, position)


def test_evaluation_uses_every_result():
    results = {
        "A": depends.TaskResults(Failed=True),
        "B": depends.TaskResults(Omitted=True),
        "my-task": depends.TaskResults(Succeeded=True, AnySucceeded=True),
    }
    assert depends.evaluate(depends.parse(depends.logic({"depends": "A"}, TASKS)), results) is True  # continueOn
    assert depends.evaluate(depends.parse("B.Omitted && my-task.AnySucceeded"), results) is True
    assert depends.evaluate(depends.parse("!A.Failed || B.Skipped"), results) is False
