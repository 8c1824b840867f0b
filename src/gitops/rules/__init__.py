"""Policy and cross-reference rules: what a schema cannot see, run after the schema pass.

The validator calls this once per validation run, with every rendered kustomization
keyed by its repo-relative directory (the same `source` its Documents carry):

    context = gitops.rules.Context.load(repo_root)   # raises PlatformListError on a bad list
    context.renders.update(...)                      # optional: {source: [bodies]} it already built
    findings = gitops.rules.run(docs_by_source, context)
    print(*gitops.rules.summary(findings), sep="\n")

Each rule is a module here with ID, DESCRIPTION, SEVERITY and `check(overlay)`;
`registry.RULES` lists them (`python -m gitops.rules`). Waived findings come back
with `waived_by` set: list them, and fail only on findings whose `waived_by` is
empty (severity "warning" marks deprecations; whether they fail is the caller's call).
Findings about a whole overlay (resource "-") cannot be waived: there is no object
to annotate. Repo-wide rules (SCOPE = "repo", e.g. metric-emitted) run once per call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from gitops.documents import Document
from gitops.findings import Finding
from gitops.rules import waivers
from gitops.rules.overlay import Context, Overlay
from gitops.rules.platform import PlatformListError
from gitops.rules.registry import RULES

__all__ = ["Context", "PlatformListError", "RULES", "RuleCount", "counts", "run", "summary"]


def run(
    docs_by_source: Mapping[str, Sequence[Document]],
    context: Context,
    only: Iterable[str] | None = None,
) -> list[Finding]:
    """Every rule (or the `only` ids) over every kustomization, with waivers applied."""
    wanted = set(only) if only is not None else None
    selected = [r for r in RULES if wanted is None or r.ID in wanted]
    findings: list[Finding] = []
    for source, docs in docs_by_source.items():
        overlay = Overlay(source, tuple(docs), context)
        raw = [_stamp(f, r) for r in selected if _scope(r) == "overlay" for f in r.check(overlay)]
        findings += waivers.apply(_unique(raw), overlay.docs)
    # Repo-wide rules (the metric list vs the steps' code) run once, not once per overlay.
    repo = Overlay("-", (), context)
    findings += [_stamp(f, r) for r in selected if _scope(r) == "repo" for f in r.check(repo)]
    return findings


@dataclass(frozen=True)
class RuleCount:
    open: int = 0
    waived: int = 0


def counts(findings: Iterable[Finding]) -> dict[str, RuleCount]:
    """Findings per rule id, every rule listed (zeros too), in registry order."""
    out = {r.ID: RuleCount() for r in RULES}
    for f in findings:
        c = out.get(f.rule, RuleCount())
        out[f.rule] = RuleCount(c.open + (not f.waived_by), c.waived + bool(f.waived_by))
    return out


def summary(findings: Iterable[Finding]) -> list[str]:
    """One line per rule for the validator's summary: `<rule-id>: N open, M waived`."""
    width = max(len(r.ID) for r in RULES)
    return [f"{rule:{width}}  {c.open} open, {c.waived} waived" for rule, c in counts(findings).items()]


def _unique(findings: list[Finding]) -> list[Finding]:
    """Drop repeats: Argo's workflow-level fields reach every template's pod, one finding is enough."""
    return list(dict.fromkeys(findings))


def _scope(rule) -> str:
    return getattr(rule, "SCOPE", "overlay")


def _stamp(finding: Finding, rule) -> Finding:
    return replace(finding, rule=rule.ID, severity=rule.SEVERITY)
