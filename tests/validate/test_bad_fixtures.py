"""Every bad input (tests/fixtures/validate/<case>/) fails validation with the exact lines in its expected.txt."""

from __future__ import annotations

import pytest

from gitops.validate import cli as validate
from tests.support import fixtures

FIXTURES = "tests/fixtures/validate"

CASES = fixtures.cases("validate")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_fixture_fails_with_exact_message(case, repo, schema_index, capsys):
    """Every line the validator prints about the case is in its expected.txt, in order; the run fails."""
    source = str(case.relative_to(repo))
    code = validate.main([source, "--repo", str(repo)], rule_passes=[])
    out = capsys.readouterr().out
    assert code == 1
    assert [line for line in out.splitlines() if line.startswith(f"{source}: ")] == fixtures.expected(case)
    assert out.rstrip().splitlines()[-1].startswith("FAILED: 1 kustomizations")


def test_good_fixture_passes(repo, schema_index, capsys):
    code = validate.main([f"{FIXTURES}/good/overlay", "--repo", str(repo)], rule_passes=[])
    assert code == 0
    assert capsys.readouterr().out.rstrip().splitlines()[-1].startswith("OK: 1 kustomizations, 2 documents, 0 errors")


def test_all_errors_are_reported_not_the_first(repo, schema_index, capsys):
    dirs = [f"{FIXTURES}/{case}" for case in ("misspelled-field", "wrong-type", "unknown-kind")]
    assert validate.main([*dirs, "--repo", str(repo)], rule_passes=[]) == 1
    assert "FAILED: 3 kustomizations, 3 documents, 3 errors" in capsys.readouterr().out


def test_json_format_carries_each_finding(repo, schema_index, capsys):
    import json

    assert validate.main([f"{FIXTURES}/wrong-type", "--format", "json", "--repo", str(repo)], rule_passes=[]) == 1
    data = json.loads(capsys.readouterr().out)
    (entry,) = data["kustomizations"]
    assert (entry["source"], entry["documents"], entry["errors"]) == (f"{FIXTURES}/wrong-type", 1, 1)
    finding = entry["findings"][0]
    assert (finding["resource"], finding["path"], finding["message"]) == (
        "Deployment/demo/web",
        "spec.replicas",
        'expected integer, got string "3"',
    )


def test_missing_directory_is_a_usage_error(repo, schema_index, capsys):
    assert validate.main(["no/such/dir", "--repo", str(repo)], rule_passes=[]) == 2
    assert capsys.readouterr().err.startswith("validate: no kustomization directory at ")
