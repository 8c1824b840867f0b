"""A small overlay built the way the repo's overlays should be passes every manifest rule."""

from __future__ import annotations

from gitops.validate import policy
from tests.rules.rule_fixtures import FIXTURES, load

MANIFEST_RULES = policy.ids("overlay")


def test_good_overlay_has_no_findings(context):
    source, docs = load(FIXTURES / "good")
    findings = policy.run({source: docs}, context, only=MANIFEST_RULES)
    assert [f.line() for f in findings] == []


def test_summary_counts_every_rule_with_zeros(context):
    source, docs = load(FIXTURES / "good")
    counts = policy.counts(policy.run({source: docs}, context, only=MANIFEST_RULES))
    assert list(counts) == policy.ids()
    assert set(counts.values()) == {policy.RuleCount(open=0, waived=0)}
