"""Every step's retryStrategy retries what may heal and never what cannot, as Argo Workflows v4.0.6 decides.

workflow/controller/operator.go at v4.0.6: retryPolicy Always lets Failed and
Error attempts reach the expression; the expression's variables are strings,
lastRetry.exitCode "-1" when the attempt recorded none
(buildRetryStrategyLocalScope); an evicted pod is Failed with the pod's
message, its main container killed (137, or 143 after SIGTERM) or never
finished (no exit code); a deleted pod is Error "pod deleted"
(assessNodeStatus, inferFailedReason); backoff.maxDuration is a deadline from
the first attempt's startedAt ("Max duration limit exceeded").
"""

from __future__ import annotations

import pytest

from gitops.argo import expr, retry
from mlpipeline.errors import EXIT_RUNTIME, EXIT_USAGE
from tests.manifests.rendering import MATRIX, find, model_docs

# (what happened, lastRetry.status, lastRetry.exitCode, retried?)
OUTCOMES = [
    ("pod deleted or wait container failed", "Error", "-1", True),
    ("evicted before the main container exited", "Failed", "-1", True),
    ("evicted, main container killed", "Failed", "137", True),
    ("evicted, main container stopped on SIGTERM", "Failed", "143", True),
    ("runtime error: a service unreachable", "Failed", str(EXIT_RUNTIME), True),
    ("never heals: bad flag, missing version or alias, bad data", "Failed", str(EXIT_USAGE), False),
]


def evaluate(expression: str, status: str, exit_code: str) -> bool:
    """The expression as Argo's expr-lang evaluates it: gitops.argo.expr, which the local runner and the
    argo-expressions rule use too (lastRetry values are strings, as buildRetryStrategyLocalScope makes them)."""
    assert retry.expression_problems(expression) == []
    scope = {"retries": "0", "lastRetry": {"status": status, "exitCode": exit_code, "duration": "1", "message": ""}}
    return bool(expr.parse(expression).evaluate(scope))


def strategies():
    for env, model in MATRIX:
        docs = model_docs(env, model)
        for kind, spec_of in (
            ("WorkflowTemplate", lambda d: d["spec"]),
            ("CronWorkflow", lambda d: d["spec"]["workflowSpec"]),
        ):
            for doc in find(docs, kind):
                for template in spec_of(doc)["templates"]:
                    if "retryStrategy" in template:
                        yield f"{model}-{env}/{doc['metadata']['name']}/{template['name']}", template["retryStrategy"]


STRATEGIES = list(strategies())


def test_every_step_template_has_a_retry_strategy():
    assert {name.rsplit("/", 1)[1] for name, _ in STRATEGIES} == {
        "train",
        "validate",
        "version",
        "monitor",
        "deploy",
        "drift",
    }


@pytest.mark.parametrize(("name", "strategy"), STRATEGIES, ids=[n for n, _ in STRATEGIES])
@pytest.mark.parametrize(("what", "status", "code", "retried"), OUTCOMES, ids=[o[0] for o in OUTCOMES])
def test_retried_exactly_when_it_may_heal(name, strategy, what, status, code, retried):
    assert strategy["retryPolicy"] == "Always"  # OnFailure would never show an Error to the expression
    assert evaluate(strategy["expression"], status, code) is retried


@pytest.mark.parametrize(("name", "strategy"), STRATEGIES, ids=[n for n, _ in STRATEGIES])
def test_limited_and_without_a_max_duration_that_would_eat_the_retries(name, strategy):
    assert int(strategy["limit"]) >= 1  # no limit means unlimited attempts
    assert "maxDuration" not in strategy.get("backoff", {}), "maxDuration counts from the first attempt's start"
