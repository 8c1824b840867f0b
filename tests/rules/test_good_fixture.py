"""A small overlay built the way the repo's overlays should be passes every manifest rule."""

from __future__ import annotations

from rule_fixtures import FIXTURES, load

from gitops import rules

MANIFEST_RULES = [r.ID for r in rules.RULES if getattr(r, "SCOPE", "overlay") == "overlay"]


def test_good_overlay_has_no_findings(context):
    source, docs = load(FIXTURES / "good")
    findings = rules.run({source: docs}, context, only=MANIFEST_RULES)
    assert [f.line() for f in findings] == []


def test_summary_counts_every_rule_with_zeros(context):
    source, docs = load(FIXTURES / "good")
    counts = rules.counts(rules.run({source: docs}, context, only=MANIFEST_RULES))
    assert list(counts) == [r.ID for r in rules.RULES]
    assert set(counts.values()) == {rules.RuleCount(open=0, waived=0)}
