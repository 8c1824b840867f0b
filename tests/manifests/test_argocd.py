"""Argo CD: what syncs itself, what waits for a person, and that every path builds."""

from __future__ import annotations

import pytest

from gitops.core.kustomize import BUILD_OPTIONS, build
from tests.manifests.rendering import ARGOCD, ROOT, documents, find


def _applications():
    return [d for src in ARGOCD for d in find(documents(src), "Application")]


def _git_applications():
    return [a for a in _applications() if "path" in a["spec"]["source"]]


def test_prod_is_never_auto_synced():
    prod = [a for a in _applications() if a["spec"]["destination"].get("namespace") == "iris-prod"]
    assert [a["metadata"]["name"] for a in prod] == ["iris-prod"]
    assert "automated" not in prod[0]["spec"].get("syncPolicy", {})


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_dev_and_staging_sync_automatically_with_prune_and_self_heal(env):
    (app,) = [a for a in _applications() if a["metadata"]["name"] == f"iris-{env}"]
    assert app["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}


@pytest.mark.parametrize("app", _applications(), ids=lambda a: a["metadata"]["name"])
def test_every_application_has_the_finalizer_and_retries_with_backoff(app):
    assert "resources-finalizer.argocd.argoproj.io" in app["metadata"].get("finalizers", [])
    assert set(app["spec"]["syncPolicy"]["retry"]["backoff"]) == {"duration", "factor", "maxDuration"}


@pytest.mark.parametrize("app", _git_applications(), ids=lambda a: a["metadata"]["name"])
def test_every_application_path_exists_and_builds(app):
    path = ROOT / app["spec"]["source"]["path"]
    assert path.is_dir(), f"{app['metadata']['name']}: path {app['spec']['source']['path']} does not exist"
    assert build(path, root=ROOT).text


def test_argocd_builds_with_the_same_kustomize_options_as_ci():
    (cm,) = find(documents("argocd"), "ConfigMap", "argocd-cm")
    assert cm["data"]["kustomize.buildOptions"] == " ".join(BUILD_OPTIONS)


def test_platform_applications_come_before_the_environments():
    waves = {
        a["metadata"]["name"]: int(a["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])
        for a in find(documents("argocd/apps"), "Application")
    }
    platform = {n: w for n, w in waves.items() if not n.startswith("iris-")}
    environments = {n: w for n, w in waves.items() if n.startswith("iris-")}
    assert max(platform.values()) < min(environments.values())
