"""The real repo, validated once per test session: every kustomization renders and has no open finding."""

from __future__ import annotations

import pytest

from gitops.core import layout
from gitops.core.kustomize import relative
from gitops.validate import discover, policy
from gitops.validate.run import default_rule_passes, run
from tests.conftest import REPO

KUSTOMIZATIONS = discover.kustomizations(REPO)


@pytest.fixture(scope="session")
def repo_report(schema_index):
    """One validator run over the whole repo, as `make validate` does it."""
    context = policy.Context.load(REPO)
    return run(context, KUSTOMIZATIONS, schema_index, jobs=2, rule_passes=default_rule_passes(), whole_repo=True)


def test_every_model_in_every_environment_and_argocd_and_component_tests_are_built():
    sources = {relative(d, REPO) for d in KUSTOMIZATIONS}
    folders = {f"k8s/overlays/{env}/{name}" for env in layout.ORDER for name in [*layout.models(REPO), "namespace"]}
    assert layout.models(REPO) == ["iris", "wine"]
    assert folders | {"argocd", "argocd/apps"} <= sources
    assert any(s.startswith("k8s/components/tests/") for s in sources)
    assert discover.untested_components(REPO, KUSTOMIZATIONS) == []


@pytest.mark.parametrize("source", [relative(d, REPO) for d in KUSTOMIZATIONS])
def test_kustomization_renders_and_validates(repo_report, source):
    entry = repo_report.entries[source]
    assert entry.documents > 0
    assert [f.line() for f in entry.findings if not f.waived_by] == []
