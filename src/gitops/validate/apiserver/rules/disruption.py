"""PodDisruptionBudget: minAvailable or maxUnavailable, each a count or a percentage.

From pkg/apis/policy/validation/validation.go (ValidatePodDisruptionBudgetSpec)
and pkg/apis/apps/validation (ValidatePositiveIntOrPercent, IsNotMoreThan100Percent).
"""

from __future__ import annotations

from collections.abc import Iterator

from gitops.validate.apiserver import validation as v
from gitops.validate.apiserver.fields import Problem, as_dict, invalid, unsupported

ID = "disruption"
DESCRIPTION = "PDB minAvailable and maxUnavailable are exclusive, each a count >= 0 or a percentage <= 100%"
SOURCE = "pkg/apis/policy/validation/validation.go"
KINDS = ("PodDisruptionBudget",)


def check(kind: str, body: dict) -> Iterator[Problem]:
    spec = as_dict(body.get("spec"))
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        yield invalid(
            "spec",
            {k: spec[k] for k in ("minAvailable", "maxUnavailable")},
            "minAvailable and maxUnavailable cannot be both set",
            "keep one of minAvailable and maxUnavailable",
        )
    for field in ("minAvailable", "maxUnavailable"):
        if spec.get(field) is not None:
            yield from int_or_percent(spec[field], f"spec.{field}")
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in ("AlwaysAllow", "IfHealthyBudget"):
        yield unsupported("spec.unhealthyPodEvictionPolicy", policy, ("AlwaysAllow", "IfHealthyBudget"))


def int_or_percent(value: object, at: str, limit_100: bool = True) -> Iterator[Problem]:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if value < 0:
            yield invalid(at, value, "must be greater than or equal to 0", "use 0 or more")
        return
    text = str(value)
    if not v.PERCENT.fullmatch(text):
        yield invalid(
            at,
            text,
            "a valid percent string must be a numeric string followed by an ending '%'",
            f"write a number without quotes ({text.strip('%')}) or a percentage like '50%'",
        )
    elif limit_100 and int(text[:-1]) > 100:
        yield invalid(at, text, "must not be greater than 100%", "use at most 100%")
