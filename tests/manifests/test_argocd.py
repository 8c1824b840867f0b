"""Argo CD: what syncs itself, what waits for a person, and that every path builds."""

from __future__ import annotations

import pytest

from gitops.core import layout
from gitops.core.kustomize import BUILD_OPTIONS, build
from tests.manifests.rendering import MODELS, ROOT, applications, documents, find


def _applications():
    return list(applications())


def _git_applications():
    return [a for a in _applications() if "path" in a["spec"]["source"]]


def test_one_application_per_model_and_environment_and_per_environment_namespace():
    generated = {a["metadata"]["name"]: a["spec"]["source"].get("path") for a in _applications()}
    expected = {
        f"{folder}-{env}": f"k8s/overlays/{env}/{folder}" for env in layout.ORDER for folder in [*MODELS, "namespace"]
    }
    assert {n: p for n, p in generated.items() if n in expected} == expected


def test_prod_is_never_auto_synced():
    prod = [a for a in _applications() if a["spec"]["destination"].get("namespace") == "ml-prod"]
    assert sorted(a["metadata"]["name"] for a in prod) == sorted(f"{f}-prod" for f in [*MODELS, "namespace"])
    assert [a["metadata"]["name"] for a in prod if "automated" in a["spec"].get("syncPolicy", {})] == []


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_dev_and_staging_sync_automatically_with_prune_and_self_heal(env):
    apps = [a for a in _applications() if a["spec"]["destination"].get("namespace") == f"ml-{env}"]
    assert len(apps) == len(MODELS) + 1
    assert {str(a["spec"]["syncPolicy"]["automated"]) for a in apps} == {str({"prune": True, "selfHeal": True})}


def test_the_models_project_admits_exactly_the_environment_namespaces():
    (project,) = find(documents("argocd"), "AppProject", "models")
    assert sorted(d["namespace"] for d in project["spec"]["destinations"]) == sorted(f"ml-{e}" for e in layout.ORDER)


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


def test_platform_applications_come_before_the_models():
    wave = "argocd.argoproj.io/sync-wave"
    platform = [int(a["metadata"]["annotations"][wave]) for a in find(documents("argocd/apps"), "Application")]
    (models,) = find(documents("argocd/apps"), "ApplicationSet", "models")
    assert max(platform) < int(models["metadata"]["annotations"][wave])


HEALTH_CHECK = "resource.customizations.health.argoproj.io_Application"


def test_the_root_s_sync_never_waits_on_an_application_nobody_syncs():
    """With argocd-cm's Application health check, a parent waits for each non-final wave's child Applications
    to be Healthy (gitops-engine pkg/sync/sync_context.go, argo-cd v3.5.1) and a never-synced child reads
    Missing (controller/health.go), forever: every child in a non-final wave must sync itself. The last wave
    is not waited on, and the ApplicationSet there is Healthy on its own condition
    (resource_customizations/argoproj.io/ApplicationSet/health.lua), not on its Applications'."""
    (cm,) = find(documents("argocd"), "ConfigMap", "argocd-cm")
    assert HEALTH_CHECK in cm["data"]
    wave = "argocd.argoproj.io/sync-wave"
    children = [d for d in documents("argocd/apps") if d["kind"] in ("Application", "ApplicationSet")]
    last = max(int(d["metadata"]["annotations"][wave]) for d in children)
    waited_on = [d for d in children if int(d["metadata"]["annotations"][wave]) < last]
    assert [d["metadata"]["name"] for d in waited_on if not d["spec"].get("syncPolicy", {}).get("automated")] == []
    assert {d["kind"] for d in children if int(d["metadata"]["annotations"][wave]) == last} == {"ApplicationSet"}


def test_the_manual_prod_applications_are_the_application_set_s_not_the_root_s():
    root = {d["metadata"]["name"] for d in documents("argocd/apps") if d["kind"] == "Application"}
    manual = {a["metadata"]["name"] for a in applications() if not a["spec"].get("syncPolicy", {}).get("automated")}
    assert manual and manual & root == set()
    assert all(name.endswith("-prod") for name in manual)
