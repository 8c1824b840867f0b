"""A claimed PersistentVolumeClaim exists, or the pod stays Pending."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, templated
from gitops.validate.policy.pods import pods
from gitops.validate.policy.refs import HINT, missing

ID = "ref-pvc"
DESCRIPTION = "every persistentVolumeClaim.claimName is a PVC in the overlay or the platform list"
SEVERITY = ERROR


def check(overlay: Overlay) -> Iterable[Finding]:
    for pod in pods(overlay.docs):
        for here, vol in pod.volumes:
            name = as_dict(vol.get("persistentVolumeClaim")).get("claimName")
            if (
                isinstance(name, str)
                and not templated(name)
                and not overlay.provides("PersistentVolumeClaim", name, pod.doc.namespace)
            ):
                yield overlay.finding(
                    pod.doc, f"{here}.persistentVolumeClaim.claimName", missing("PersistentVolumeClaim", name), HINT
                )
