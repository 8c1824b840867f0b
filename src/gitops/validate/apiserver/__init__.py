"""The API server's built-in validation: what `kubectl apply --dry-run=server` refuses beyond the schema.

One module per concern under rules/ (names, labels, quantities, pod spec,
workloads, batch, autoscaling, disruption, networking, services, RBAC, config
data), each written from the Kubernetes validation source it names in SOURCE,
for Kubernetes 1.33 and 1.37 (where they differ, the stricter wins and the
message says which version refuses). The checks run on core kinds, and the
metadata checks on custom resources too, after the schema has accepted the object.

    findings = apiserver.check(doc)
"""

from __future__ import annotations

from gitops.core.documents import Document
from gitops.core.findings import Finding
from gitops.validate.apiserver.registry import CHECKS, for_kind

__all__ = ["CHECKS", "check"]
RULE = "apiserver"
# The groups whose kinds the API server validates in Go; a custom resource gets the "*" (metadata) checks only.
CORE_GROUPS = frozenset(
    {"", "apps", "batch", "policy", "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io"}
)


def check(doc: Document) -> list[Finding]:
    body = doc.body
    found: list[Finding] = []
    core = doc.group in CORE_GROUPS
    for module in for_kind(doc.kind):
        if not core and "*" not in module.KINDS:
            continue
        for problem in module.check(doc.kind, body):
            found.append(Finding(doc.source, doc.resource, problem.path, problem.message, problem.hint, rule=RULE))
    return list(dict.fromkeys(found))
