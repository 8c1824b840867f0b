"""A binding whose role or ServiceAccount does not exist grants nothing, and the pod fails on its first API call."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list
from gitops.validate.policy.refs import HINT, missing

ID = "ref-role-binding"
DESCRIPTION = "every (Cluster)RoleBinding's roleRef and ServiceAccount subjects exist"
SEVERITY = ERROR
# Kubernetes itself creates these ClusterRoles (user-facing roles and system: roles), not the platform.
BUILTIN_CLUSTER_ROLES = {"cluster-admin", "admin", "edit", "view"}


def role_exists(overlay: Overlay, kind: str, name: str, namespace: str) -> bool:
    if kind == "ClusterRole" and (name in BUILTIN_CLUSTER_ROLES or name.startswith("system:")):
        return True
    return overlay.provides(kind, name, namespace if kind == "Role" else "")


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind("RoleBinding", "ClusterRoleBinding"):
        ref = as_dict(doc.body.get("roleRef"))
        kind, name = str(ref.get("kind") or ""), str(ref.get("name") or "")
        if name and not role_exists(overlay, kind, name, doc.namespace):
            yield overlay.finding(doc, "roleRef.name", missing(kind, name), HINT)
        for i, subject in enumerate(map(as_dict, as_list(doc.body.get("subjects")))):
            if subject.get("kind") != "ServiceAccount" or subject.get("name") == "default":
                continue  # users and groups live outside the cluster; every namespace has `default`
            namespace = str(subject.get("namespace") or doc.namespace)
            if not overlay.provides("ServiceAccount", str(subject.get("name")), namespace):
                yield overlay.finding(
                    doc, f"subjects[{i}].name", missing("ServiceAccount", str(subject.get("name"))), HINT
                )
