"""Each rule on its bad fixture (tests/fixtures/rules/<rule-id>/) reports exactly the lines in its expected.txt.

A fixture of rendered documents goes through the rules engine; one that is a
kustomization (rules about kustomization files) goes through the validator itself,
which must exit 1. Either way only the rule's own lines are compared, in order.
"""

from __future__ import annotations

import pytest

from gitops.core.findings import ERROR
from gitops.validate import cli as validate
from gitops.validate import policy
from tests.rules.rule_fixtures import PROJECT, built_by_kustomize, load
from tests.support import fixtures

CASES = fixtures.cases("rules")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_fixture_reports_exact_lines(case, context, capsys):
    """The folder is named for the rule; its expected.txt holds the lines, in order; they fail the run."""
    if built_by_kustomize(case):
        code = validate.main([str(case.relative_to(PROJECT)), "--repo", str(PROJECT)])
        lines = [line for line in capsys.readouterr().out.splitlines() if f" [{case.name}]" in line]
        assert code == 1
        assert lines == fixtures.expected(case)
        return
    source, docs = load(case)
    findings = policy.run({source: docs}, context, only=[case.name])
    assert [f.line() for f in findings] == fixtures.expected(case)
    # Exit 1: every finding is an open error (a waived or warning-only run exits 0).
    assert all(f.severity == ERROR and not f.waived_by for f in findings)


def test_every_rule_has_a_bad_fixture():
    # metric-emitted reads code, not manifests: its fixtures live in test_metric_emitted.py.
    assert {c.name for c in CASES} | {"metric-emitted"} == set(policy.ids())
