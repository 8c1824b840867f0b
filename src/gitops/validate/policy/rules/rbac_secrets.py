"""Reading Secrets is declared on the Role with a reason and limited to named Secrets."""

# Declared, not waived: a Role that needs a Secret is intended, so it says so
# with `policy.iris-gitops.io/secrets-access: "<why>"` and lists resourceNames.

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list

ID = "rbac-secrets"
DESCRIPTION = "Secrets access only on a Role that declares why, and only to named Secrets"
SEVERITY = ERROR
DECLARATION = "policy.iris-gitops.io/secrets-access"


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind("Role", "ClusterRole"):
        declared = str(doc.annotations.get(DECLARATION) or "").strip()
        for i, raw in enumerate(as_list(doc.body.get("rules"))):
            rule = as_dict(raw)
            core = any(g in ("", "*") for g in as_list(rule.get("apiGroups")))
            if not core or not any(r in ("secrets", "*") for r in as_list(rule.get("resources"))):
                continue
            if not declared:
                yield overlay.finding(
                    doc,
                    f"rules[{i}].resources",
                    "grants access to Secrets without declaring why",
                    f'annotate the role with {DECLARATION}: "<why>", or drop secrets',
                )
            elif not as_list(rule.get("resourceNames")):
                yield overlay.finding(
                    doc,
                    f"rules[{i}].resourceNames",
                    "grants access to every Secret in scope",
                    "list the Secrets it needs in resourceNames",
                )
