"""A waiver must say why, and must name a rule that exists."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.findings import ERROR, Finding
from gitops.rules.overlay import Overlay
from gitops.rules.waivers import PREFIX, waivers

ID = "waiver-reason"
DESCRIPTION = "every waiver annotation names a known rule and gives a reason"
SEVERITY = ERROR


def check(overlay: Overlay) -> Iterable[Finding]:
    from gitops.rules.registry import RULES  # the registry imports this module

    known = {rule.ID for rule in RULES}
    for doc in overlay.docs:
        for rule, reason in waivers(doc).items():
            path = f"metadata.annotations.{PREFIX}{rule}"
            if rule not in known:
                yield overlay.finding(
                    doc, path, f"waiver names unknown rule {rule}", "use a rule id from `python -m gitops.rules`"
                )
            elif not reason.strip():
                yield overlay.finding(
                    doc,
                    path,
                    "waiver has no reason, so it waives nothing",
                    "say why the rule does not apply to this object",
                )
