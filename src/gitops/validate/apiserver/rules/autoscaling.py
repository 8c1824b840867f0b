"""HorizontalPodAutoscaler bounds, target reference, metrics and scaling behaviour.

From pkg/apis/autoscaling/validation/validation.go
(ValidateHorizontalPodAutoscalerSpec, validateMetrics, validateScalingRules);
HPAScaleToZero is alpha and off in both 1.33 and 1.37, so minReplicas >= 1.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitops.validate.apiserver import validation as v
from gitops.validate.apiserver.fields import (
    Problem,
    as_dict,
    as_list,
    forbidden,
    get,
    invalid,
    is_int,
    required,
    unsupported,
)

ID = "autoscaling"
DESCRIPTION = "HPA minReplicas <= maxReplicas, target reference, metric targets, behavior ranges"
SOURCE = "pkg/apis/autoscaling/validation/validation.go"
KINDS = ("HorizontalPodAutoscaler",)

_METRIC_TYPES = ("ContainerResource", "External", "Object", "Pods", "Resource")
_SOURCE_FIELD = {
    "ContainerResource": "containerResource",
    "External": "external",
    "Object": "object",
    "Pods": "pods",
    "Resource": "resource",
}


def check(kind: str, body: dict) -> Iterator[Problem]:
    spec = as_dict(body.get("spec"))
    low, high = spec.get("minReplicas"), spec.get("maxReplicas")
    if is_int(low) and low < 1:
        yield invalid("spec.minReplicas", low, "must be greater than or equal to 1", "use 1 or more")
    if is_int(high) and high < 1:
        yield invalid("spec.maxReplicas", high, "must be greater than 0", "use 1 or more")
    if is_int(low) and is_int(high) and high < low:
        yield invalid(
            "spec.maxReplicas",
            high,
            "must be greater than or equal to `minReplicas`",
            "raise maxReplicas to minReplicas",
        )
    ref = as_dict(spec.get("scaleTargetRef"))
    for field in ("kind", "name"):
        value = ref.get(field)
        if not value:
            yield required(f"spec.scaleTargetRef.{field}", f"set the {field} of the object to scale")
        else:
            for detail in v.path_segment(str(value)):
                yield invalid(f"spec.scaleTargetRef.{field}", value, detail, "remove '/' and '%'")
    for i, metric in enumerate(as_list(spec.get("metrics"))):
        yield from _metric(as_dict(metric), f"spec.metrics[{i}]")
    for direction in ("scaleUp", "scaleDown"):
        rules = get(spec, f"behavior.{direction}")
        if rules is not None:
            yield from _rules(as_dict(rules), f"spec.behavior.{direction}")


def _metric(metric: dict, at: str) -> Iterator[Problem]:
    kind = metric.get("type")
    if not kind:
        yield required(f"{at}.type", "set type, e.g. Resource", "must specify a metric source type")
        return
    if kind not in _METRIC_TYPES:
        yield unsupported(f"{at}.type", kind, _METRIC_TYPES)
        return
    field = _SOURCE_FIELD[kind]
    for other in _SOURCE_FIELD.values():
        if other != field and metric.get(other) is not None:
            yield forbidden(f"{at}.{other}", "must populate the given metric source only", f"remove {other}")
    source = metric.get(field)
    if source is None:
        yield required(f"{at}.{field}", f"add {field}", "must populate information for the given metric source")
        return
    target = as_dict(as_dict(source).get("target"))
    at = f"{at}.{field}.target"
    target_type = target.get("type")
    if not target_type:
        yield required(f"{at}.type", "set Utilization, Value or AverageValue", "must specify a metric target type")
    elif target_type not in ("Utilization", "Value", "AverageValue"):
        yield invalid(
            f"{at}.type", target_type, "must be either Utilization, Value, or AverageValue", "use one of those"
        )
    utilization = target.get("averageUtilization")
    if is_int(utilization) and utilization < 1:
        yield invalid(f"{at}.averageUtilization", utilization, "must be greater than 0", "use a percentage above 0")
    if kind in ("Resource", "ContainerResource"):
        if utilization is None and target.get("averageValue") is None:
            yield required(
                f"{at}.averageUtilization",
                "set averageUtilization (or averageValue)",
                "must set either a target raw value or a target utilization",
            )
        elif utilization is not None and target.get("averageValue") is not None:
            yield forbidden(
                f"{at}.averageValue",
                "may not set both a target raw value and a target utilization",
                "keep one of the two",
            )


def _rules(rules: dict, at: str) -> Iterator[Problem]:
    window = rules.get("stabilizationWindowSeconds")
    if is_int(window) and window < 0:
        yield invalid(f"{at}.stabilizationWindowSeconds", window, "must be greater than or equal to zero", "use 0+")
    if is_int(window) and window > 3600:
        yield invalid(f"{at}.stabilizationWindowSeconds", window, "must be less than or equal to 3600", "use <= 3600")
    select = rules.get("selectPolicy")
    if select is not None and select not in ("Disabled", "Max", "Min"):
        yield unsupported(f"{at}.selectPolicy", select, ("Disabled", "Max", "Min"))
    if "policies" in rules and not as_list(rules.get("policies")):
        yield required(f"{at}.policies", "add a policy or omit policies", "must specify at least one Policy")
    for i, policy in enumerate(as_list(rules.get("policies"))):
        policy, where = as_dict(policy), f"{at}.policies[{i}]"
        if policy.get("type") not in ("Percent", "Pods"):
            yield unsupported(f"{where}.type", policy.get("type"), ("Percent", "Pods"))
        value, period = policy.get("value"), policy.get("periodSeconds")
        if is_int(value) and value <= 0:
            yield invalid(f"{where}.value", value, "must be greater than zero", "use 1 or more")
        if is_int(period) and period <= 0:
            yield invalid(f"{where}.periodSeconds", period, "must be greater than zero", "use 1 to 1800")
        if is_int(period) and period > 1800:
            yield invalid(f"{where}.periodSeconds", period, "must be less than or equal to 1800", "use 1 to 1800")
