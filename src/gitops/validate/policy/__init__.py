"""The policy engine: rules over rendered objects, run after the schema pass.

The validator calls it once per run, with every rendered kustomization keyed by
its repo-relative directory (the `source` its Documents carry) and a Context it
built once:

    findings = policy.run(docs_by_source, context)

Rules are the modules under `rules/` (one concern each, `python -m
gitops.validate.policy` lists them); helpers they share sit beside this file,
and no rule imports another. The engine owns what is not a rule's business:
registration (registry.py), waivers (waivers.py) and de-duplication. Waived
findings come back with `waived_by` set; fail only on those where it is empty
(severity "warning" marks deprecations; whether they fail is the caller's call).
A finding about a whole overlay (resource "-") or a kustomization file cannot be
waived: there is no object to annotate. Repo-wide rules (SCOPE = "repo") run
once per call and see every render (`overlay.renders`): an Application in one
render names an AppProject in another, a Component is built by several overlays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from gitops.core.documents import Document
from gitops.core.findings import Finding
from gitops.validate.policy import waivers
from gitops.validate.policy.context import Context, Overlay
from gitops.validate.policy.platform import PlatformListError
from gitops.validate.policy.registry import RULES, scope

__all__ = ["Context", "PlatformListError", "RULES", "RuleCount", "counts", "ids", "run"]


def ids(only_scope: str | None = None) -> list[str]:
    """Every rule id (or those of one scope), plus the engine's own waiver check."""
    found = [r.ID for r in RULES if only_scope is None or scope(r) == only_scope]
    return found + [waivers.ID]


def run(
    docs_by_source: Mapping[str, Sequence[Document]],
    context: Context,
    only: Iterable[str] | None = None,
) -> list[Finding]:
    """Every rule (or the `only` ids) over every kustomization, with waivers applied."""
    wanted = set(only) if only is not None else None
    selected = [r for r in RULES if wanted is None or r.ID in wanted]
    known = {r.ID for r in RULES}
    findings: list[Finding] = []
    for source, docs in docs_by_source.items():
        overlay = Overlay(source, tuple(docs), context)
        raw = [_stamp(f, r) for r in selected if scope(r) == "overlay" for f in r.check(overlay)]
        if wanted is None or waivers.ID in wanted:
            raw += waivers.problems(source, docs, known)
        findings += waivers.apply(_unique(raw), overlay.docs)
    # Repo-wide rules run once, not once per overlay, over every render at once.
    every = tuple(doc for docs in docs_by_source.values() for doc in docs)
    repo = Overlay("-", every, context, renders=docs_by_source)
    findings += waivers.apply(
        _unique([_stamp(f, r) for r in selected if scope(r) == "repo" for f in r.check(repo)]), every
    )
    return findings


@dataclass(frozen=True)
class RuleCount:
    open: int = 0
    waived: int = 0


def counts(findings: Iterable[Finding]) -> dict[str, RuleCount]:
    """Findings per rule id, every rule listed (zeros too), in registry order."""
    out = {rule_id: RuleCount() for rule_id in ids()}
    for f in findings:
        c = out.get(f.rule, RuleCount())
        out[f.rule] = RuleCount(c.open + (not f.waived_by), c.waived + bool(f.waived_by))
    return out


def _unique(findings: list[Finding]) -> list[Finding]:
    """Drop repeats: Argo's workflow-level fields reach every template's pod, one finding is enough."""
    return list(dict.fromkeys(findings))


def _stamp(finding: Finding, rule) -> Finding:
    return replace(finding, rule=rule.ID, severity=rule.SEVERITY)
