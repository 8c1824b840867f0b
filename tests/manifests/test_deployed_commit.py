"""The PostSync check learns the commit Argo CD synced: the Application annotates every object (the Job's pod
template included) with ${ARGOCD_APP_REVISION}, and the Job reads its pod's annotation as DEPLOYED_COMMIT.

Argo CD v3.5.1: reposerver/repository/repository.go newEnv (ARGOCD_APP_REVISION is the commit it renders),
util/kustomize/kustomize.go Build (commonAnnotations through Envsubst with commonAnnotationsEnvsubst);
kustomize v5.8.1 api/internal/konfig/builtinpluginconsts/commonannotations.go (a batch Job's
spec/template/metadata/annotations); Kubernetes pkg/fieldpath/fieldpath.go ExtractFieldPathAsString (a pod
annotation read by env fieldRef).
"""

from __future__ import annotations

import shutil

import pytest
import yaml

from gitops.argocd import buildenv
from gitops.core import layout
from gitops.core.kustomize import build
from tests.manifests.rendering import MATRIX, ROOT, applications, find, model_docs

KEY = "iris-gitops.io/argocd-app-revision"
REVISION = "f913b6cbf58aa5ae5ca1f8a2b149477aebcbd9d8"
POINTER = KEY.replace("~", "~0").replace("/", "~1")


def _model_apps() -> list[dict]:
    return [a for a in applications() if a["spec"]["source"].get("path", "").startswith(str(layout.OVERLAYS))]


@pytest.mark.parametrize("app", _model_apps(), ids=lambda a: a["metadata"]["name"])
def test_every_environment_application_annotates_its_objects_with_the_synced_revision(app):
    kustomize = app["spec"]["source"]["kustomize"]
    assert kustomize == {"commonAnnotationsEnvsubst": True, "commonAnnotations": {KEY: "${ARGOCD_APP_REVISION}"}}


@pytest.mark.parametrize("app", _model_apps(), ids=lambda a: a["metadata"]["name"])
def test_the_revision_annotation_never_puts_an_application_out_of_sync_nor_rolls_a_pod(app):
    """A new commit changes the annotation on every object: left out of the diff (util/argo/normalizers
    diff_normalizer.go, group and kind globbed) at each path kustomize writes it, and kept as live on sync
    (controller/sync.go RespectIgnoreDifferences); hooks are split off before either (gitops-engine
    pkg/sync/reconcile.go splitHooks), so the Job still gets the synced value."""
    (ignored,) = app["spec"]["ignoreDifferences"]
    assert (ignored["group"], ignored["kind"]) == ("*", "*")
    assert ignored["jsonPointers"] == [
        f"/metadata/annotations/{POINTER}",
        f"/spec/template/metadata/annotations/{POINTER}",
        f"/spec/jobTemplate/metadata/annotations/{POINTER}",
        f"/spec/jobTemplate/spec/template/metadata/annotations/{POINTER}",
    ]
    assert "RespectIgnoreDifferences=true" in app["spec"]["syncPolicy"]["syncOptions"]


@pytest.mark.parametrize(("env", "model"), MATRIX)
def test_the_post_sync_job_reads_deployed_commit_from_its_pod_annotation(env, model):
    (job,) = find(model_docs(env, model), "Job")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    (var,) = [v for v in container["env"] if v["name"] == "DEPLOYED_COMMIT"]
    assert var["valueFrom"] == {"fieldRef": {"fieldPath": f"metadata.annotations['{KEY}']"}}


@pytest.mark.parametrize(("env", "model"), MATRIX)
def test_built_as_argo_cd_builds_it_the_job_s_pod_carries_the_revision(env, model, tmp_path):
    """The folder edited as the repo-server edits it (gitops.argocd.buildenv) and built with the pinned kustomize:
    the annotation lands on the pod template, where the downward API reads it, not only on the Job."""
    for part in ("k8s", "argocd"):
        shutil.copytree(ROOT / part, tmp_path / part)
    path = str(layout.model_dir(env, model))
    buildenv.prepare(tmp_path / path, buildenv.applications(tmp_path)[path], REVISION)
    docs = [d for d in yaml.safe_load_all(build(tmp_path / path, root=tmp_path).text) if d]
    (job,) = find(docs, "Job")
    assert job["spec"]["template"]["metadata"]["annotations"][KEY] == REVISION
