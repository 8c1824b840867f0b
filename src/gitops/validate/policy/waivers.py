"""Waivers: `waivers.iris-gitops.io/<rule-id>: "<reason>"` on an object waives that rule for it.

The engine applies them after the rules ran, outside any rule (as yamllint and
kube-linter do with their directives). A waived finding stays in the output
with `waived_by` set, so every waiver is listed where the findings are. A
waiver with no reason, or naming no rule, waives nothing and is itself a
finding (ID below), which no waiver can silence.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import replace

from gitops.core.documents import Document
from gitops.core.findings import ERROR, Finding

PREFIX = "waivers.iris-gitops.io/"
ID = "waiver-reason"
DESCRIPTION = "every waiver annotation names a known rule and gives a reason"
SEVERITY = ERROR


def waivers(doc: Document) -> dict[str, str]:
    """Rule id -> reason (possibly blank) for every waiver annotation on `doc`."""
    return {key[len(PREFIX) :]: str(value or "") for key, value in doc.annotations.items() if key.startswith(PREFIX)}


def apply(findings: Iterable[Finding], docs: Iterable[Document]) -> list[Finding]:
    """Mark the findings an object's waiver (with a reason) covers."""
    reasons: dict[tuple[str, str], str] = {}
    for doc in docs:
        for rule, reason in waivers(doc).items():
            if reason.strip():
                reasons[(doc.resource, rule)] = reason.strip()
    out = []
    for f in findings:
        reason = reasons.get((f.resource, f.rule))
        out.append(replace(f, waived_by=reason) if reason and f.rule != ID else f)
    return out


def problems(source: str, docs: Iterable[Document], known: Collection[str]) -> Iterator[Finding]:
    """A waiver that names no known rule, or gives no reason."""
    for doc in docs:
        for rule, reason in waivers(doc).items():
            path = f"metadata.annotations.{PREFIX}{rule}"
            if rule not in known:
                message, fix = (
                    f"waiver names unknown rule {rule}",
                    "use a rule id from `python -m gitops.validate.policy`",
                )
            elif not reason.strip():
                message, fix = (
                    "waiver has no reason, so it waives nothing",
                    "say why the rule does not apply to this object",
                )
            else:
                continue
            yield Finding(source, doc.resource, path, message, fix, rule=ID, severity=SEVERITY)
