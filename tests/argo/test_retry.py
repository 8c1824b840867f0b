"""Retry decisions in workflow/controller/operator.go processNodeRetries order (v4.0.6)."""

from __future__ import annotations

import pytest

from gitops.argo import retry
from gitops.argo.durations import DurationError, argo_duration, go_duration, humanize

T0 = 1_000_000.0


def attempt(phase: str, start: float = T0, end: float = T0 + 1, message: str = "", code: str | None = "1"):
    return retry.Attempt(phase, message or f"main: Error (exit code {code})", start, end, code)


def test_first_attempt_and_running_attempts():
    assert retry.decide({"limit": 1}, [], T0).action == "retry"
    assert retry.decide({"limit": 1}, [attempt("Running", end=None)], T0).action == "wait"


def test_success_ends_the_node():
    assert retry.decide({"limit": 1}, [attempt("Failed"), attempt("Succeeded")], T0) == retry.Decision(
        "end", "Succeeded"
    )


def test_limit_counts_retries_and_absent_means_unlimited():
    failed = [attempt("Failed")] * 3
    assert retry.decide({"limit": 2}, failed, T0) == retry.Decision("end", "Failed", "No more retries left")
    assert retry.decide({"limit": "3"}, failed, T0).action == "retry"
    assert retry.decide({}, [attempt("Failed")] * 50, T0).action == "retry"


def test_policies():
    error = [attempt("Error", message="wait: Error (exit code 64)")]
    assert retry.decide({"limit": 3}, error, T0) == retry.Decision("end", "Error", "wait: Error (exit code 64)")
    assert retry.decide({"limit": 3, "retryPolicy": "OnError"}, error, T0).action == "retry"
    assert retry.decide({"limit": 3, "retryPolicy": "OnError"}, [attempt("Failed")], T0).phase == "Failed"
    assert retry.decide({"limit": 3, "retryPolicy": "OnTransientError"}, [attempt("Failed")], T0).action == "end"
    transient = [attempt("Error", message="dial tcp: connect: connection refused")]
    assert retry.decide({"limit": 3, "retryPolicy": "OnTransientError"}, transient, T0).action == "retry"
    assert retry.policy({"expression": "true"}) == "Always"
    with pytest.raises(retry.StrategyError, match="^Sometimes is not a valid RetryPolicy$"):
        retry.decide({"retryPolicy": "Sometimes"}, [attempt("Failed")], T0)


def test_expression_sees_string_values():
    strategy = {"limit": 5, "expression": "asInt(lastRetry.exitCode) == 1 && retries == '0'"}
    assert retry.decide(strategy, [attempt("Failed")], T0).action == "retry"
    strategy["expression"] = "lastRetry.exitCode == 1"
    assert retry.decide(strategy, [attempt("Failed")], T0) == retry.Decision(
        "end", "Failed", "retryStrategy.expression evaluated to false"
    )


def test_backoff_waits_grow_and_respect_cap_and_max_duration():
    strategy = {"limit": 5, "backoff": {"duration": "10", "factor": "2", "cap": "15s", "maxDuration": "1m"}}
    first = retry.decide(strategy, [attempt("Failed")], T0 + 2)
    assert (first.action, first.message, first.until) == ("backoff", "Backoff for 10 seconds", T0 + 11)
    second = retry.decide(strategy, [attempt("Failed"), attempt("Failed", T0 + 11, T0 + 12)], T0 + 13)
    assert (second.message, second.until) == ("Backoff for 15 seconds", T0 + 27)  # 20 s capped at 15
    ready = retry.decide(strategy, [attempt("Failed")], T0 + 11.5)
    assert (ready.action, ready.execution_deadline) == ("retry", T0 + 60)
    late = retry.decide(strategy, [attempt("Failed", end=T0 + 55)], T0 + 56)
    assert late == retry.Decision("end", "Failed", "Backoff would exceed max duration limit")
    assert retry.decide(strategy, [attempt("Failed", end=T0 + 61)], T0 + 61) == retry.Decision(
        "end", "Failed", "Max duration limit exceeded"
    )


def test_backoff_without_limit_does_not_wait():
    assert retry.decide({"backoff": {"duration": "1m"}}, [attempt("Failed")], T0 + 1).action == "retry"


def test_broken_strategies_have_the_controllers_messages():
    with pytest.raises(retry.StrategyError, match="^no base duration specified for retryStrategy$"):
        retry.decide({"limit": 1, "backoff": {"factor": 2}}, [attempt("Failed")], T0)
    with pytest.raises(retry.StrategyError, match="^unable to parse 1 minute as a duration: time: unknown unit"):
        retry.decide({"limit": 1, "backoff": {"duration": "1 minute"}}, [attempt("Failed")], T0)
    with pytest.raises(retry.StrategyError, match="^value 'three' cannot be resolved to an int$"):
        retry.decide({"limit": "three"}, [attempt("Failed")], T0)


def test_workflow_deadline_stops_retries():
    decision = retry.decide({"limit": 3}, [attempt("Failed")], T0 + 5, workflow_deadline=T0)
    assert decision == retry.Decision("end", "Failed", "retry exceeded workflow deadline 1970-01-12 13:46:40 +0000 UTC")


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("1m30s", 90), ("1.5h", 5400), (".5s", 0.5), ("0", 0), ("-2m", -120)]
)
def test_go_durations(text, seconds):
    assert go_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5", 'time: missing unit in duration "5"'),
        ("1 minute", 'time: unknown unit " minute" in duration "1 minute"'),
        ("", 'time: invalid duration ""'),
        (".s", 'time: invalid duration ".s"'),
    ],
)
def test_go_duration_errors(text, message):
    with pytest.raises(DurationError) as err:
        go_duration(text)
    assert str(err.value) == message


def test_an_integer_string_is_seconds_for_argo():
    assert argo_duration("30") == 30


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.4, "0 seconds"),
        (1.5, "1 second"),
        (10, "10 seconds"),
        (90, "1 minute 30 seconds"),
        (3700, "1 hour 1 minutes"),
    ],
)
def test_humanize_as_argos_util_humanize(seconds, text):
    assert humanize(seconds) == text
