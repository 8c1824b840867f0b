"""A pod's ServiceAccount exists, or the pod is rejected at creation time, long after the merge."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import templated
from gitops.validate.policy.pods import pods
from gitops.validate.policy.refs import HINT, missing

ID = "ref-service-account"
DESCRIPTION = "every serviceAccountName is a ServiceAccount in the overlay or the platform list"
SEVERITY = ERROR


def check(overlay: Overlay) -> Iterable[Finding]:
    for pod in pods(overlay.docs):
        name = pod.spec.get("serviceAccountName")
        # Every namespace has `default`; Argo fills templated names at run time.
        if not isinstance(name, str) or not name or name == "default" or templated(name):
            continue
        if not overlay.provides("ServiceAccount", name, pod.doc.namespace):
            yield overlay.finding(pod.doc, pod.account_path, missing("ServiceAccount", name), HINT)
