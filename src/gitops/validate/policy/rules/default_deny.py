"""Where the security component is on, traffic is denied unless a policy allows it."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list

ID = "default-deny"
DESCRIPTION = "an overlay with the security component has a default-deny NetworkPolicy for ingress and egress"
SEVERITY = ERROR

# The security component labels what it adds; any NetworkPolicy also means it is on.
COMPONENT_LABEL = ("iris-gitops.io/component", "security")


def security_on(overlay: Overlay) -> bool:
    key, value = COMPONENT_LABEL
    labelled = any(as_dict(d.metadata.get("labels")).get(key) == value for d in overlay.docs)
    return labelled or bool(overlay.of_kind("NetworkPolicy"))


def policy_types(spec: dict) -> list:
    """policyTypes, or the API server's default when omitted: Ingress, plus Egress if egress rules exist."""
    if "policyTypes" in spec:
        return as_list(spec["policyTypes"])
    return ["Ingress", "Egress"] if "egress" in spec else ["Ingress"]


def denied(overlay: Overlay) -> set[str]:
    """Directions some policy denies for every pod: empty podSelector, the type, no rules."""
    out = set()
    for doc in overlay.of_kind("NetworkPolicy"):
        spec = as_dict(doc.body.get("spec"))
        if as_dict(spec.get("podSelector")):
            continue
        for direction in policy_types(spec):
            if direction in ("Ingress", "Egress") and not spec.get(direction.lower()):
                out.add(direction)
    return out


def check(overlay: Overlay) -> Iterable[Finding]:
    if not security_on(overlay):
        return
    missing = [d for d in ("Ingress", "Egress") if d not in denied(overlay)]
    if missing:
        yield overlay.finding(
            None,
            "",
            f"security component is on but no NetworkPolicy denies {' and '.join(missing)} by default",
            "add a NetworkPolicy with podSelector: {}, those policyTypes and no rules",
        )
