"""RBAC names what it grants: a wildcard silently grows with every new verb or resource."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list

ID = "rbac-wildcard"
DESCRIPTION = "no Role or ClusterRole rule with a * verb or resource"
SEVERITY = ERROR


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind("Role", "ClusterRole"):
        for i, rule in enumerate(as_list(doc.body.get("rules"))):
            for field in ("verbs", "resources"):
                if any("*" in str(v) for v in as_list(as_dict(rule).get(field))):
                    yield overlay.finding(
                        doc, f"rules[{i}].{field}", f"wildcard in {field}", f"list the {field} the role needs"
                    )
