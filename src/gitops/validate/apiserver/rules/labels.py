"""Labels, annotations and label selectors.

From apimachinery pkg/apis/meta/v1/validation/validation.go (ValidateLabels,
ValidateLabelSelector, ValidateLabelSelectorRequirement) and
pkg/api/validation/objectmeta.go (ValidateAnnotations: keys are lower-cased
before the qualified-name check, and all keys and values together at most
262144 bytes), tag v0.33.0. Label problems are reported at the map's path with
the offending key or value, as the API server does. Selectors are checked where
the core kinds keep them; pod template labels with their template.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitops.validate.apiserver import validation as v
from gitops.validate.apiserver.fields import POD_TEMPLATES, Problem, as_dict, as_list, forbidden, get, invalid, required

ID = "labels"
DESCRIPTION = "label keys and values, annotation keys and size, label selectors"
SOURCE = "apimachinery pkg/apis/meta/v1/validation/validation.go, pkg/api/validation/objectmeta.go"
KINDS = ("*",)

ANNOTATIONS_LIMIT = 256 * 1024
# Selectors of the core kinds: (kind, path, plain map (Service, ReplicationController) or LabelSelector).
_SELECTORS = (
    ("Deployment", "spec.selector", False),
    ("ReplicaSet", "spec.selector", False),
    ("StatefulSet", "spec.selector", False),
    ("DaemonSet", "spec.selector", False),
    ("Job", "spec.selector", False),
    ("PodDisruptionBudget", "spec.selector", False),
    ("NetworkPolicy", "spec.podSelector", False),
    ("Service", "spec.selector", True),
    ("ReplicationController", "spec.selector", True),
)


def check(kind: str, body: dict) -> Iterator[Problem]:
    yield from metadata(as_dict(body.get("metadata")), "metadata")
    where = POD_TEMPLATES.get(kind)
    if where and where[0]:
        yield from metadata(as_dict(get(body, where[0])), where[0])
    for selector_kind, path, plain in _SELECTORS:
        if kind == selector_kind and get(body, path) is not None:
            selector = get(body, path)
            yield from labels(as_dict(selector), path) if plain else label_selector(as_dict(selector), path)
    if kind == "NetworkPolicy":
        for direction, peers in (("ingress", "from"), ("egress", "to")):
            for i, rule in enumerate(as_list(get(body, f"spec.{direction}"))):
                for j, peer in enumerate(as_list(as_dict(rule).get(peers))):
                    for field in ("podSelector", "namespaceSelector"):
                        if field in as_dict(peer):
                            base = f"spec.{direction}[{i}].{peers}[{j}].{field}"
                            yield from label_selector(as_dict(as_dict(peer)[field]), base)


def metadata(meta: dict, path: str) -> Iterator[Problem]:
    yield from labels(as_dict(meta.get("labels")), f"{path}.labels")
    annotations = as_dict(meta.get("annotations"))
    for key in annotations:
        for detail in v.qualified_name(str(key).lower()):
            yield invalid(f"{path}.annotations", key, detail, "use [prefix/]name: a DNS subdomain prefix, then a name")
    size = sum(len(str(k).encode()) + len(str(val or "").encode()) for k, val in annotations.items())
    if size > ANNOTATIONS_LIMIT:
        yield Problem(
            f"{path}.annotations",
            f"Too long: may not be more than {ANNOTATIONS_LIMIT} bytes",
            "move large values into a ConfigMap",
        )


def labels(mapping: dict, path: str) -> Iterator[Problem]:
    for key, value in mapping.items():
        for detail in v.qualified_name(str(key)):
            yield invalid(path, key, detail, "label keys are [prefix/]name: a DNS subdomain prefix, then a name")
        if isinstance(value, str):
            for detail in v.label_value(value):
                yield invalid(path, value, detail, _value_hint(value))


def _value_hint(value: str) -> str:
    if len(value.encode()) > 63:
        return "shorten the value to 63 characters, or move it to an annotation"
    return "use letters, digits, '-', '_' and '.', starting and ending with a letter or digit"


def label_selector(selector: dict, path: str) -> Iterator[Problem]:
    yield from labels(as_dict(selector.get("matchLabels")), f"{path}.matchLabels")
    for i, requirement in enumerate(as_list(selector.get("matchExpressions"))):
        yield from _requirement(as_dict(requirement), f"{path}.matchExpressions[{i}]")


def _requirement(req: dict[str, Any], path: str) -> Iterator[Problem]:
    operator, values = req.get("operator"), as_list(req.get("values"))
    if operator in ("In", "NotIn"):
        if not values:
            yield required(
                f"{path}.values",
                "list the values to match",
                "must be specified when `operator` is 'In' or 'NotIn'",
            )
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            yield forbidden(
                f"{path}.values",
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                "remove values",
            )
    else:
        yield invalid(
            f"{path}.operator", operator, "not a valid selector operator", "use In, NotIn, Exists or DoesNotExist"
        )
    key = req.get("key")
    for detail in v.qualified_name(str(key or "")):
        yield invalid(f"{path}.key", key, detail, "use a label key: [prefix/]name")
    for j, value in enumerate(values):
        if isinstance(value, str):
            for detail in v.label_value(value):
                yield invalid(f"{path}.values[{j}]", value, detail, _value_hint(value))
