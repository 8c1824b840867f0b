"""Resource quantities: their syntax, resource names, and requests against limits.

Quantity syntax from apimachinery pkg/api/resource/quantity.go (a bad one is a
decode error: the object is refused before validation). Container resources
from pkg/apis/core/validation/validation.go (validateContainerResourceName,
ValidateResourceRequirements: each value >= 0, a request at most its limit,
requests and limits of extended resources equal and whole); ResourceQuota
`spec.hard` (ValidateResourceQuotaResourceName), LimitRange per-resource
ordering (ValidateLimitRange) and PersistentVolumeClaim storage requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from gitops.validate.apiserver import quantity
from gitops.validate.apiserver import validation as v
from gitops.validate.apiserver.fields import (
    POD_TEMPLATES,
    Problem,
    as_dict,
    as_list,
    containers,
    get,
    invalid,
    key_path,
    pod_spec,
    required,
)

ID = "quantities"
DESCRIPTION = "quantity syntax, resource names, requests <= limits, quota and limit-range values"
SOURCE = "apimachinery pkg/api/resource/quantity.go; pkg/apis/core/validation/validation.go"
KINDS = (*POD_TEMPLATES, "ResourceQuota", "LimitRange", "PersistentVolumeClaim")

_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
_QUOTA_RESOURCES = (
    "cpu memory ephemeral-storage requests.cpu requests.memory requests.storage requests.ephemeral-storage "
    "limits.cpu limits.memory limits.ephemeral-storage pods resourcequotas services replicationcontrollers secrets "
    "persistentvolumeclaims configmaps services.nodeports services.loadbalancers"
).split()
_INTEGER_RESOURCES = set(
    "pods resourcequotas services replicationcontrollers secrets configmaps persistentvolumeclaims "
    "services.nodeports services.loadbalancers".split()
)
_QUANTITY_HINT = "write a quantity such as 500m, 2, 512Mi or 1Gi (binary suffixes end in i; no 'b')"


def check(kind: str, body: dict) -> Iterator[Problem]:
    found = pod_spec(kind, body)
    if found:
        path, spec = found
        for where, container in containers(spec, path):
            yield from _requirements(as_dict(container.get("resources")), f"{where}.resources")
    if kind == "ResourceQuota":
        for name, value in as_dict(get(body, "spec.hard")).items():
            yield from _quota(str(name), value, key_path("spec.hard", str(name)))
    if kind == "LimitRange":
        for i, item in enumerate(as_list(get(body, "spec.limits"))):
            yield from _limit_range_item(as_dict(item), f"spec.limits[{i}]")
    if kind == "PersistentVolumeClaim":
        storage = as_dict(get(body, "spec.resources.requests")).get("storage")
        if storage is None:
            yield required("spec.resources[storage]", "request storage, e.g. 1Gi")
        else:
            value = yield from _parse(storage, "spec.resources.requests[storage]")
            if value is not None and value <= 0:
                yield invalid("spec.resources[storage]", storage, "must be greater than zero", "request 1Gi or more")


def _parse(raw: Any, path: str) -> Iterator[Problem]:
    value, error = quantity.parse(raw)
    if error:
        yield invalid(path, raw, error, _QUANTITY_HINT)
    return value


def _requirements(resources: dict, path: str) -> Iterator[Problem]:
    parsed: dict[str, dict[str, Fraction]] = {"limits": {}, "requests": {}}
    for side in ("limits", "requests"):
        for name, raw in as_dict(resources.get(side)).items():
            at = key_path(f"{path}.{side}", str(name))
            yield from _container_resource_name(str(name), at)
            value = yield from _parse(raw, at)
            if value is None:
                continue
            if value < 0:
                yield invalid(at, raw, "must be greater than or equal to 0", "use a positive quantity")
            if _extended(str(name)) and value.denominator != 1:
                yield invalid(at, raw, "must be an integer", "extended resources are counted in whole units")
            parsed[side][str(name)] = value
    limits, requests = parsed["limits"], parsed["requests"]
    raw_limits, raw_requests = as_dict(resources.get("limits")), as_dict(resources.get("requests"))
    for name, request in requests.items():
        limit = limits.get(name)
        if _extended(name) or name.startswith("hugepages-"):
            if limit is None:
                yield required(
                    f"{path}.limits",
                    f"set limits.{name} equal to the request",
                    "Limit must be set for non overcommitable resources",
                )
            elif request != limit:
                yield invalid(
                    f"{path}.requests",
                    raw_requests[name],
                    f"must be equal to {name} limit of {raw_limits[name]}",
                    "make request and limit equal",
                )
        elif limit is not None and request > limit:
            yield invalid(
                f"{path}.requests",
                raw_requests[name],
                f"must be less than or equal to {name} limit of {raw_limits[name]}",
                f"lower requests.{name} or raise limits.{name}",
            )


def _extended(name: str) -> bool:
    return "/" in name and not name.split("/")[0].endswith("kubernetes.io")


def _container_resource_name(name: str, at: str) -> Iterator[Problem]:
    for detail in v.qualified_name(name):
        yield invalid(at, name, detail, "use cpu, memory, ephemeral-storage or a domain/name resource")
        return
    if "/" not in name and name not in _CONTAINER_RESOURCES and not name.startswith("hugepages-"):
        detail = (
            "must be a standard resource for containers"
            if name in _QUOTA_RESOURCES
            else "must be a standard resource type or fully qualified"
        )
        yield invalid(at, name, detail, "use cpu, memory or ephemeral-storage")


def _quota(name: str, raw: Any, at: str) -> Iterator[Problem]:
    for detail in v.qualified_name(name):
        yield invalid(at, name, detail, "use a quota resource name such as requests.cpu or count/jobs.batch")
        return
    if "/" not in name and name not in _QUOTA_RESOURCES and not name.startswith(("hugepages-", "requests.hugepages-")):
        yield invalid(at, name, "must be a standard resource for quota", "use e.g. requests.cpu, limits.memory, pods")
    value = yield from _parse(raw, at)
    if value is None:
        return
    if value < 0:
        yield invalid(at, raw, "must be greater than or equal to 0", "use a positive quantity")
    if (name in _INTEGER_RESOURCES or name.startswith("count/")) and value.denominator != 1:
        yield invalid(at, raw, "must be an integer", "object counts are whole numbers")


def _limit_range_item(item: dict, at: str) -> Iterator[Problem]:
    kind = item.get("type")
    if kind not in ("Pod", "Container", "PersistentVolumeClaim") and "/" not in str(kind or ""):
        yield invalid(
            f"{at}.type", kind, "must be a standard limit type or fully qualified", "use Container, Pod or PVC"
        )
    values: dict[str, dict[str, tuple[Fraction, Any]]] = {}
    for field in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
        for name, raw in as_dict(item.get(field)).items():
            value = yield from _parse(raw, key_path(f"{at}.{field}", str(name)))
            if value is not None:
                values.setdefault(field, {})[str(name)] = (value, raw)
    if kind == "Pod":
        for field in ("default", "defaultRequest"):
            if item.get(field):
                yield Problem(
                    f"{at}.{field}",
                    "Forbidden: may not be specified when `type` is 'Pod'",
                    "set defaults on a Container item",
                )
    get_ = lambda field, name: values.get(field, {}).get(name)  # noqa: E731
    names = {n for per in values.values() for n in per}
    for name in sorted(names):
        low, high = get_("min", name), get_("max", name)
        default, request = get_("default", name), get_("defaultRequest", name)
        pairs = (
            ("min", low, high, "min value {a} is greater than max value {b}"),
            ("defaultRequest", low, request, "min value {a} is greater than default request value {b}"),
            ("defaultRequest", request, high, "default request value {a} is greater than max value {b}"),
            ("defaultRequest", request, default, "default request value {a} is greater than default limit value {b}"),
            ("default", low, default, "min value {a} is greater than default value {b}"),
            ("default", default, high, "default value {a} is greater than max value {b}"),
        )
        for field, a, b, text in pairs:
            if a is not None and b is not None and a[0] > b[0]:
                shown = request if field == "defaultRequest" else (default if field == "default" else low)
                yield invalid(
                    key_path(f"{at}.{field}", name),
                    shown[1] if shown else a[1],
                    text.format(a=a[1], b=b[1]),
                    "order them min <= defaultRequest <= default <= max",
                )
