"""Object names: the rule each kind's validation applies to metadata.name, and namespace names.

From pkg/apis/core/validation/validation.go (ValidateNamespaceName: DNS-1123
label; ValidateServiceName: DNS-1035 label until RelaxedServiceNameValidation,
GA in 1.37), pkg/apis/apps/validation (StatefulSet: DNS-1123 label),
pkg/apis/batch/validation (CronJob names at most 52 bytes on create; a Job's
name becomes the job-name label of its pods, so at most 63), pkg/apis/rbac
validation (path segment only) and apiextensions (custom resources: DNS-1123
subdomain); every other kind uses a DNS-1123 subdomain. `kubectl apply` needs a
name: it refuses generateName.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitops.validate.apiserver import validation as v
from gitops.validate.apiserver.fields import Problem, as_dict, invalid, required

ID = "names"
DESCRIPTION = "metadata.name and metadata.namespace follow the kind's naming rule"
SOURCE = "pkg/apis/{core,apps,batch,rbac}/validation/validation.go; apimachinery pkg/api/validation/generic.go"
KINDS = ("*",)

_LABEL_NAMED = {"Namespace", "StatefulSet"}
_PATH_SEGMENT_NAMED = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "PodDisruptionBudget"}
_CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass", "Node"}


def check(kind: str, body: dict) -> Iterator[Problem]:
    meta = as_dict(body.get("metadata"))
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        yield required("metadata.name", "name the object: kubectl apply cannot use generateName", "name is required")
        return
    yield from _name(kind, name)
    namespace = meta.get("namespace")
    if isinstance(namespace, str) and namespace and kind not in _CLUSTER_SCOPED:
        for detail in v.dns1123_label(namespace):
            yield invalid("metadata.namespace", namespace, detail, f"use {v.suggest_name(namespace)!r}")


def _name(kind: str, name: str) -> Iterator[Problem]:
    if kind in _PATH_SEGMENT_NAMED:
        details = v.path_segment(name)
        hint = "remove '/' and '%' from the name"
    elif kind in _LABEL_NAMED:
        details = v.dns1123_label(name)
        hint = f"use a lower-case DNS label such as {v.suggest_name(name)!r}"
    elif kind == "Service":
        details = v.dns1035_label(name)  # Kubernetes 1.33 (1.37 also allows a leading digit)
        hint = f"start with a letter, then lower-case letters, digits and '-', e.g. {v.suggest_name(name)!r}"
        details = [f"{d} (Kubernetes 1.33)" for d in details]
    else:
        details = v.dns1123_subdomain(name)
        hint = f"use lower-case letters, digits, '-' and '.', e.g. {v.suggest_name(name, 253, dots=True)!r}"
    for detail in details:
        yield invalid("metadata.name", name, detail, hint)
    if kind == "CronJob" and len(name.encode()) > 52:
        # 63 (a label value) minus 11 for the "-<timestamp>" suffix of the Jobs it creates.
        yield invalid("metadata.name", name, "must be no more than 52 characters", "shorten the name to 52 characters")
    if kind == "Job" and len(name.encode()) > 63:
        yield invalid(
            "spec.template.labels", name, v.max_len(63), "shorten the name: it becomes the job-name label of its pods"
        )
