"""Each rule on its bad fixture (tests/fixtures/rules/<rule-id>/) reports exactly the lines in its expected.txt."""

from __future__ import annotations

import pytest

from gitops.validate import policy
from tests.rules.rule_fixtures import load
from tests.support import fixtures

CASES = fixtures.cases("rules")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_fixture_reports_exact_lines(case, context):
    """The folder is named for the rule; its expected.txt holds the lines, in order."""
    source, docs = load(case)
    findings = policy.run({source: docs}, context, only=[case.name])
    assert [f.line() for f in findings] == fixtures.expected(case)


def test_every_rule_has_a_bad_fixture():
    # metric-emitted reads code, not manifests: its fixtures live in test_metric_emitted.py.
    assert {c.name for c in CASES} | {"metric-emitted"} == set(policy.ids())
