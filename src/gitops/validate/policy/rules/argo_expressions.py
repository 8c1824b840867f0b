"""Retry and hook expressions compile and run as expr does in the controller, over the values Argo gives them."""

# Semantics from gitops.argo.expr and gitops.argo.retry (shared with the local runner), which
# follow argoproj/argo-workflows v4.0.6: retryStrategy.expression is compiled with
# expr-lang/expr v1.17.7 only when a retry is decided (workflow/controller/operator.go
# processNodeRetries, util/expr/argoexpr EvalBool) over string values of retries and
# lastRetry.{exitCode,status,duration,message} (buildRetryStrategyLocalScope); a compile or run
# error, or a non-boolean, marks the node Error instead of retrying. Lifecycle hook expressions
# (workflow/controller/hooks.go) use the same expr. validate.go compiles neither. gitops.argo.expr
# reads a subset of expr; what it cannot read (`matches`, `??`, `%`, ...) is valid expr and is
# not reported here.

from __future__ import annotations

from collections.abc import Iterable, Iterator

from gitops.argo import expr, retry
from gitops.argo.errors import ParseError
from gitops.core.documents import Document
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import argo
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict

ID = "argo-expressions"
DESCRIPTION = "retryStrategy and lifecycle hook expressions compile as expr v1.17.7 and yield a boolean"
SEVERITY = ERROR
SUBSET = "outside the"  # gitops.argo.expr's words for valid expr it does not read ("outside the ... subset")


def expressions(doc: Document) -> Iterator[tuple[str, str, bool]]:
    """(field path, expression, is a retry expression) of every retry and hook expression."""
    wf_path, wf = argo.workflow_spec(doc)
    tpath, templates = argo.templates(doc)
    holders = [(f"{wf_path}.templateDefaults", as_dict(wf.get("templateDefaults")))]
    holders += [(f"{tpath}[{i}]", as_dict(t)) for i, t in enumerate(templates)]
    for here, template in holders:
        text = as_dict(template.get("retryStrategy")).get("expression")
        if isinstance(text, str) and text.strip():
            yield f"{here}.retryStrategy.expression", text, True
    hooks = [(f"{wf_path}.hooks", wf.get("hooks"))] + [
        (f"{c.path}.hooks", c.body.get("hooks")) for c in argo.calls(doc)
    ]
    for here, found in hooks:
        for name, hook in as_dict(found).items():
            text = as_dict(hook).get("expression")
            if isinstance(text, str) and text.strip():
                yield f"{here}.{name}.expression", text, False


def problems(text: str, is_retry: bool) -> list[str]:
    try:
        if not is_retry:
            expr.parse(text)  # a hook's env is the workflow's scope: only its syntax is checked
            return []
        found = retry.expression_problems(text)
    except ParseError as err:
        return [] if SUBSET in err.message else [f"does not compile: {err.message}"]
    return [p for p in found if SUBSET not in p]


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind(*argo.KINDS):
        for path, text, is_retry in expressions(doc):
            for problem in problems(text, is_retry):
                yield overlay.finding(
                    doc,
                    path,
                    f"expr {text!r}: {problem}",
                    "values are strings: compare with 'text', or convert with asInt()/asFloat() first"
                    if is_retry
                    else "write an expr boolean expression",
                )
