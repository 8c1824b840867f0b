"""Every bad input fails validation with the exact line a user reads."""
from __future__ import annotations

import pytest

from gitops import validate

FIXTURES = "tests/fixtures/validate"

CASES = {
    "misspelled-field": 'Deployment/demo/web spec.replica: unknown field "replica" (fix: did you mean "replicas"?)',
    "wrong-type": 'Deployment/demo/web spec.replicas: expected integer, got string "3" (fix: write 3 without quotes)',
    "missing-required": 'Deployment/demo/web spec: missing required field "selector" (fix: add selector)',
    "unknown-kind": (
        "Widget/demo/gadget: no schema for example.com/v1 Widget (fix: add the CRD's schema to "
        "src/gitops/schemas/catalog.sha256, or list the kind with a reason in src/gitops/schemas/unchecked-kinds.yaml)"
    ),
    "bad-cr-metadata": 'WorkflowTemplate/demo/hello metadata.lables: unknown field "lables" (fix: did you mean "labels"?)',
    "removed-api": (
        "IPAddress/demo/10.96.0.20 apiVersion: networking.k8s.io/v1beta1 IPAddress is not served by Kubernetes "
        "1.37.0: it was removed after 1.33.0 (fix: use apiVersion networking.k8s.io/v1, which both 1.33.0 and 1.37.0 serve)"
    ),
    "removed-before-oldest": (
        "PodDisruptionBudget/demo/web apiVersion: policy/v1beta1 PodDisruptionBudget is served by neither Kubernetes "
        "1.33.0 nor 1.37.0 (fix: use apiVersion policy/v1, which both 1.33.0 and 1.37.0 serve)"
    ),
    "deprecated-kustomize-field": (
        "kustomization.yaml: deprecated kustomize field: 'commonLabels' is deprecated. Please use 'labels' instead. "
        "(fix: use the kustomize v5 field the message names, or run `kustomize edit fix`)"
    ),
    "duplicate-object": (
        "kustomization.yaml: duplicate object: deployment-copy.yaml adds Deployment.v1.apps/web.[noNs], which another "
        "resource already defines (fix: remove one of the two or give them different names)"
    ),
    "invalid-yaml": (
        "kustomization.yaml: cannot parse YAML in configmap.yaml: yaml: line 5: did not find expected ',' or ']' "
        "(fix: fix the YAML syntax at the line named)"
    ),
    "missing-resource-path": (
        "kustomization.yaml: resources: 'service.yaml' does not exist "
        "(fix: fix the path under resources:, relative to the kustomization)"
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_fixture_fails_with_exact_message(case, repo, schema_index, capsys):
    code = validate.main([f"{FIXTURES}/{case}", "--repo", str(repo)], rule_passes=[])
    out = capsys.readouterr().out
    findings = [line for line in out.splitlines() if line.startswith(f"{FIXTURES}/{case}: ")]
    assert code == 1
    assert findings == [f"{FIXTURES}/{case}: {CASES[case]}"]
    assert out.rstrip().splitlines()[-1].startswith("FAILED: 1 kustomizations")


def test_every_warning_is_reported_and_the_render_is_still_checked(repo, schema_index, capsys):
    case = f"{FIXTURES}/deprecated-and-invalid"
    assert validate.main([case, "--repo", str(repo)], rule_passes=[]) == 1
    findings = [line for line in capsys.readouterr().out.splitlines() if line.startswith(f"{case}: ")]
    assert findings == [
        f'{case}: Deployment/demo/web spec.replica: unknown field "replica" (fix: did you mean "replicas"?)',
        f"{case}: kustomization.yaml: deprecated kustomize field: 'bases' is deprecated. Please use 'resources' instead. "
        "(fix: use the kustomize v5 field the message names, or run `kustomize edit fix`)",
        f"{case}: kustomization.yaml: deprecated kustomize field: 'commonLabels' is deprecated. Please use 'labels' instead. "
        "(fix: use the kustomize v5 field the message names, or run `kustomize edit fix`)",
    ]


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
        "Deployment/demo/web", "spec.replicas", 'expected integer, got string "3"',
    )


def test_missing_directory_is_a_usage_error(repo, schema_index, capsys):
    assert validate.main(["no/such/dir", "--repo", str(repo)], rule_passes=[]) == 2
    assert capsys.readouterr().err.startswith("validate: no kustomization directory at ")
