"""`retryStrategy`: whether the controller starts another attempt, waits, or ends the Retry node.

workflow/controller/operator.go (v4.0.6) processNodeRetries, in its order:
1. the last attempt still runs: wait; it succeeded: the Retry node Succeeds;
2. past the workflow deadline: end, "retry exceeded workflow deadline <time>";
3. with `backoff`: past first attempt start + maxDuration: end, "Max duration
   limit exceeded"; no `duration`: Error "no base duration specified for
   retryStrategy"; the wait is duration * factor^(attempts-1), capped by `cap`,
   counted from the last attempt's end; ending after the maxDuration deadline:
   end, "Backoff would exceed max duration limit"; still waiting (and `limit`
   set and not yet exceeded): Running, "Backoff for <humanized wait>";
4. the policy (RetryPolicyActual, workflow_types.go: unset means OnFailure, or
   Always with an expression): a phase it does not retry ends the node with the
   last attempt's phase and message; OnTransientError retries only messages
   util/errors/errors.go calls transient;
5. `limit` (absent: unlimited) exceeded: end, "No more retries left";
6. `expression` false: end, "retryStrategy.expression evaluated to false".
An ended Retry node takes the last attempt's phase. The maxDuration deadline
also bounds the next attempt (`execution_deadline`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from gitops.argo import expr
from gitops.argo.durations import DurationError, argo_duration, humanize

POLICIES = ("Always", "OnFailure", "OnError", "OnTransientError")
# util/errors/errors.go: the message fragments that make a plain error transient.
TRANSIENT_FRAGMENTS = (
    "etcdserver: leader changed",
    "etcdserver: request timed out",
    "etcdserver: too many requests",
    "Connection closed by foreign host",
    "net/http: TLS handshake timeout",
    "i/o timeout",
    "connection timed out",
    "connection reset by peer",
    "http2: client connection lost",
    "http2: server sent GOAWAY and closed the connection",
    "connect: connection refused",
    "invalid connection",
    "upper: no more rows in",
)
# The env the expression sees (buildRetryStrategyLocalScope): strings, lastRetry.* nested in a map.
EXPRESSION_ENV = {
    "retries": expr.INT_TEXT,
    "lastRetry": {"exitCode": expr.INT_TEXT, "status": expr.TEXT, "duration": expr.FLOAT_TEXT, "message": expr.TEXT},
}


class StrategyError(Exception):
    """The strategy itself cannot be applied; the Retry node becomes Error with this message."""


def policy(strategy: dict[str, Any]) -> str:
    """RetryPolicyActual."""
    if strategy.get("retryPolicy"):
        return str(strategy["retryPolicy"])
    return "Always" if strategy.get("expression") else "OnFailure"


def int_or_string(value: Any) -> int | None:
    """util/intstr Int: an int, or a string Atoi reads; None when unset."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise StrategyError(f"value '{value}' cannot be resolved to an int")
    if isinstance(value, int):
        return value
    text = str(value)
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return int(text)
    raise StrategyError(f"value '{text}' cannot be resolved to an int")


def is_transient(message: str) -> bool:
    """IsTransientErr on a plain error: TRANSIENT_ERROR_PATTERN, a controller setting, is not known here."""
    return any(fragment in message for fragment in TRANSIENT_FRAGMENTS)


@dataclass(frozen=True)
class Attempt:
    phase: str  # Pending, Running, Succeeded, Failed, Error
    message: str
    started_at: float
    finished_at: float | None
    exit_code: str | None  # outputs.exitCode, when the pod reported one


@dataclass(frozen=True)
class Decision:
    action: str  # "wait" (an attempt runs), "backoff", "retry" (start the next attempt), "end"
    phase: str = ""  # for "end": the Retry node's phase
    message: str | None = None  # for "end": its message (None: leave it); for "backoff": the Running message
    until: float | None = None  # for "backoff": when the next attempt may start
    execution_deadline: float | None = None  # for "retry": the maxDuration deadline of the next attempt


def go_time(epoch: float) -> str:
    """time.Time.String() of a UTC instant: "2006-01-02 15:04:05.999999999 +0000 UTC"."""
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    fraction = f"{moment.microsecond:06d}".rstrip("0")
    return moment.strftime("%Y-%m-%d %H:%M:%S") + (f".{fraction}" if fraction else "") + " +0000 UTC"


def _fulfilled(phase: str) -> bool:
    return phase in ("Succeeded", "Failed", "Error", "Skipped", "Omitted")


def decide(
    strategy: dict[str, Any], attempts: list[Attempt], now: float, workflow_deadline: float | None = None
) -> Decision:
    """What the controller does with a Retry node whose attempts so far are `attempts` (oldest first)."""
    if not attempts:
        return Decision("retry")
    last = attempts[-1]
    if not _fulfilled(last.phase):
        return Decision("wait")
    if last.phase not in ("Failed", "Error"):
        return Decision("end", last.phase)
    if workflow_deadline is not None and now > workflow_deadline:
        return Decision("end", last.phase, f"retry exceeded workflow deadline {go_time(workflow_deadline)}")
    limit = int_or_string(strategy.get("limit"))
    deadline = None
    backoff = strategy.get("backoff")
    if backoff is not None:
        try:
            if backoff.get("maxDuration"):
                deadline = attempts[0].started_at + argo_duration(str(backoff["maxDuration"]))
                if now > deadline:
                    return Decision("end", last.phase, "Max duration limit exceeded")
            if not backoff.get("duration"):
                raise StrategyError("no base duration specified for retryStrategy")
            wait = argo_duration(str(backoff["duration"]))
            factor = int_or_string(backoff.get("factor"))
            if factor is not None and factor > 0:
                multiplier = float(factor) ** (len(attempts) - 1)
                wait = math.inf if multiplier * wait > 9.2e9 else wait * int(multiplier)
            if backoff.get("cap"):
                wait = min(wait, argo_duration(str(backoff["cap"])))
        except DurationError as err:
            raise StrategyError(str(err)) from err
        until = (last.finished_at or now) + wait
        if deadline is not None and until > deadline:
            return Decision("end", last.phase, "Backoff would exceed max duration limit")
        if now < until and limit is not None and len(attempts) <= limit:
            return Decision("backoff", message=f"Backoff for {humanize(wait)}", until=until)
    actual = policy(strategy)
    if actual not in POLICIES:
        raise StrategyError(f"{actual} is not a valid RetryPolicy")
    retry_failed = actual in ("Always", "OnFailure")
    retry_error = actual in ("Always", "OnError")
    if actual == "OnTransientError" and is_transient(last.message):
        retry_failed = retry_error = True
    if (last.phase == "Failed" and not retry_failed) or (last.phase == "Error" and not retry_error):
        return Decision("end", last.phase, last.message)
    if limit is not None and len(attempts) > limit:
        return Decision("end", last.phase, "No more retries left")
    if strategy.get("expression"):
        scope = {
            "retries": str(len(attempts) - 1),
            "lastRetry": {
                "exitCode": last.exit_code if last.exit_code is not None else "-1",
                "status": last.phase,
                "duration": duration_text((last.finished_at or now) - last.started_at),
                "message": last.message,
            },
        }
        if not expr.parse(strategy["expression"]).evaluate(scope):
            return Decision("end", last.phase, "retryStrategy.expression evaluated to false")
    return Decision("retry", execution_deadline=deadline)


def duration_text(seconds: float) -> str:
    """fmt.Sprint of a float64 number of seconds, as lastRetry.duration holds it."""
    from gitops.argo.goformat import go_float

    return go_float(round(seconds, 9))


def expression_problems(expression: str) -> list[str]:
    """Why an expression would not evaluate cleanly over the retry env ([] when it does)."""
    return expr.parse(expression).check(EXPRESSION_ENV)
