"""HPA and PDB targets exist: a dangling one silently scales or protects nothing."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict
from gitops.validate.policy.selectors import pod_labels, unmatched

ID = "ref-scale-target"
DESCRIPTION = "every HPA scaleTargetRef exists; every PDB selector matches some pod template"
SEVERITY = ERROR


def target_exists(overlay: Overlay, kind: str, name: str, namespace: str) -> bool:
    """In the overlay, or created by an InferenceService in it (KServe names it <isvc>-predictor)."""
    if overlay.named(kind, name, namespace):
        return True
    return (
        kind == "Deployment"
        and name.endswith("-predictor")
        and overlay.named("InferenceService", name[: -len("-predictor")], namespace) is not None
    )


def check(overlay: Overlay) -> Iterable[Finding]:
    for hpa in overlay.of_kind("HorizontalPodAutoscaler"):
        ref = as_dict(as_dict(hpa.body.get("spec")).get("scaleTargetRef"))
        kind, name = str(ref.get("kind", "")), str(ref.get("name", ""))
        if not target_exists(overlay, kind, name, hpa.namespace):
            yield overlay.finding(
                hpa,
                "spec.scaleTargetRef",
                f"{kind} {name} is not in the overlay",
                "point scaleTargetRef at a workload the overlay renders",
            )
    templates = pod_labels(overlay)
    for pdb in overlay.of_kind("PodDisruptionBudget"):
        labels = as_dict(as_dict(as_dict(pdb.body.get("spec")).get("selector")).get("matchLabels"))
        yield from unmatched(overlay, pdb, "spec.selector.matchLabels", labels, templates)
