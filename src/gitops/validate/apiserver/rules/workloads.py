"""Deployments, ReplicaSets, StatefulSets and DaemonSets: selector, template labels, restart policy, strategy.

From pkg/apis/apps/validation/validation.go (ValidateDeploymentSpec,
ValidateReplicaSetSpec, ValidateStatefulSetSpec, ValidateDaemonSetSpec,
ValidatePodTemplateSpecForReplicaSet, ValidatePositiveIntOrPercent).
"""

from __future__ import annotations

from collections.abc import Iterator

from gitops.validate.apiserver.fields import Problem, as_dict, as_list, forbidden, get, invalid, is_int, required
from gitops.validate.apiserver.fields import unsupported as unsupported_value
from gitops.validate.apiserver.rules.disruption import int_or_percent

ID = "workloads"
DESCRIPTION = "workload selector present, non-empty and matching the template; restartPolicy Always; strategy"
SOURCE = "pkg/apis/apps/validation/validation.go"
KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")


def check(kind: str, body: dict) -> Iterator[Problem]:
    spec = as_dict(body.get("spec"))
    for field in ("replicas", "minReadySeconds", "revisionHistoryLimit"):
        value = spec.get(field)
        if is_int(value) and value < 0:
            yield invalid(f"spec.{field}", value, "must be greater than or equal to 0", "use 0 or more")
    selector = spec.get("selector")
    if selector is None:
        yield required("spec.selector", "select the template's labels: selector.matchLabels")
    elif not as_dict(selector).get("matchLabels") and not as_dict(selector).get("matchExpressions"):
        yield invalid("spec.selector", selector, f"empty selector is invalid for {kind.lower()}", "select labels")
    else:
        labels = as_dict(get(spec, "template.metadata.labels"))
        if not _matches(as_dict(selector), labels):
            yield invalid(
                "spec.template.metadata.labels",
                labels,
                "`selector` does not match template `labels`",
                "give the template every label the selector asks for",
            )
    restart = get(spec, "template.spec.restartPolicy")
    if restart is not None and restart != "Always":
        yield unsupported_value("spec.template.spec.restartPolicy", restart, ("Always",))
    if get(spec, "template.spec.activeDeadlineSeconds") is not None:
        yield forbidden(
            "spec.template.spec.activeDeadlineSeconds",
            f"activeDeadlineSeconds in {kind} is not Supported",
            "remove it; only Jobs may have a deadline",
        )
    if kind == "Deployment":
        yield from _deployment(spec)


def _deployment(spec: dict) -> Iterator[Problem]:
    strategy = as_dict(spec.get("strategy"))
    kind = strategy.get("type")
    if kind is not None and kind not in ("Recreate", "RollingUpdate"):
        yield unsupported_value("spec.strategy.type", kind, ("Recreate", "RollingUpdate"))
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate" and rolling is not None:
        yield forbidden(
            "spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'", "remove it"
        )
    rolling = as_dict(rolling)
    for field in ("maxUnavailable", "maxSurge"):
        if rolling.get(field) is not None:
            yield from int_or_percent(rolling[field], f"spec.strategy.rollingUpdate.{field}", field == "maxUnavailable")
    if rolling.get("maxUnavailable") in (0, "0%") and rolling.get("maxSurge") in (0, "0%"):
        yield invalid(
            "spec.strategy.rollingUpdate.maxUnavailable",
            rolling["maxUnavailable"],
            "may not be 0 when `maxSurge` is 0",
            "let one of them be above 0",
        )
    deadline, ready = spec.get("progressDeadlineSeconds"), spec.get("minReadySeconds", 0)
    if is_int(deadline) and is_int(ready) and deadline <= ready:
        yield invalid(
            "spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds", "raise the deadline"
        )


def _matches(selector: dict, labels: dict) -> bool:
    for key, value in as_dict(selector.get("matchLabels")).items():
        if labels.get(key) != value:
            return False
    for requirement in as_list(selector.get("matchExpressions")):
        requirement = as_dict(requirement)
        key, values = requirement.get("key"), as_list(requirement.get("values"))
        present = key in labels
        operator = requirement.get("operator")
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True
