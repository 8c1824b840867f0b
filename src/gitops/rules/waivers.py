"""Waivers: `waivers.iris-gitops.io/<rule-id>: "<reason>"` on an object waives that rule for it."""

# A waived finding stays in the output with `waived_by` set, so every waiver is
# listed where the findings are; a waiver with no reason waives nothing.

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from gitops.documents import Document
from gitops.findings import Finding

PREFIX = "waivers.iris-gitops.io/"


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
        out.append(replace(f, waived_by=reason) if reason and f.rule != "waiver-reason" else f)
    return out
