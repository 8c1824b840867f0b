"""Every kustomization in the repo renders with the pinned kustomize and passes the schema check."""
from __future__ import annotations

import pytest

from gitops import discover, render, validate
from tests.conftest import REPO

KUSTOMIZATIONS = discover.kustomizations(REPO)


def test_the_repo_has_overlays_argocd_and_component_tests():
    sources = {render.relative(d, REPO) for d in KUSTOMIZATIONS}
    assert {"k8s/overlays/dev", "k8s/overlays/staging", "k8s/overlays/prod", "argocd"} <= sources
    assert any(s.startswith("k8s/components/tests/") for s in sources)
    assert discover.untested_components(REPO, KUSTOMIZATIONS) == []


@pytest.mark.parametrize("directory", KUSTOMIZATIONS, ids=[render.relative(d, REPO) for d in KUSTOMIZATIONS])
def test_kustomization_renders_and_validates(directory, schema_index):
    result = validate.run(REPO, [directory], schema_index, jobs=1, rule_passes=validate.default_rule_passes())
    (entry,) = result.entries.values()
    assert entry.documents > 0
    assert [f.line() for f in entry.findings if not f.waived_by] == []
