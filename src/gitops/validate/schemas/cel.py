"""CEL for CRD `x-kubernetes-validations`: the one place that knows the CEL library.

cel-expr-python (the CEL C++ runtime, published by the CEL project) was chosen
over common-expression-language and cel-python: it is the only one with
Kubernetes' semantics on every probe (cross-type numeric comparison, size() in
code points, RE2 `matches`, errors absorbed by || and &&), it ships the cel-go
`strings` and `optional` extensions the API server enables, and it is 3-8x
faster here. Comparison: /work/notes/cel.md of the research that chose it.

The API server's CRD environment (k8s.io/apiserver/pkg/cel/environment/base.go)
adds Kubernetes libraries on top (lists, regex, urls, quantity, ip, cidr,
format, semver, image); the pinned CRDs use none of them (every function they
call is core CEL, see tests/validate/test_cel.py), so none is declared here: a
rule calling one fails to compile, and the store build stops naming the rule.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from cel_expr_python import cel
from cel_expr_python.ext import ext_optional, ext_strings

_TRANSITION = re.compile(r"\boldSelf\b")


class CelError(Exception):
    """A rule does not compile."""


@functools.cache
def _env() -> Any:
    return cel.NewEnv(
        variables={"self": cel.Type.DYN}, extensions=[ext_strings.ExtStrings(), ext_optional.ExtOptional()]
    )


@functools.cache
def compile_rule(rule: str) -> Any:
    """The compiled program of a rule (cached: the pinned CRDs repeat 44 texts 218 times)."""
    try:
        return _env().compile(rule)
    except RuntimeError as err:
        raise CelError(" ".join(str(err).split())) from None


def is_transition_rule(rule: str) -> bool:
    """A rule reading `oldSelf` compares with the stored object: it runs on update only."""
    return bool(_TRANSITION.search(rule))


def bind(value: Any) -> Any:
    """`self` converted once, so every rule on one node shares the conversion."""
    return _env().Activation(data={"self": value})


def evaluate(program: Any, bound: Any) -> tuple[Any, str]:
    """(result, "") or (None, error text) for one compiled rule on one bound `self`."""
    result = program.eval(bound)
    if result.type() == cel.Type.ERROR:
        return None, _error_text(str(result.value()))
    return result.value(), ""


def _error_text(text: str) -> str:
    # absl status wording -> cel-go's, which the API server prints: `no such key: name`.
    missing = re.fullmatch(r'NOT_FOUND: Key not found in map : "(.*)"', text)
    return f"no such key: {missing.group(1)}" if missing else text
