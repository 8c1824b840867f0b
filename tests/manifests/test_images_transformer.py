"""An overlay's `images:` must reach the containers inside the Argo kinds and
the PostSync Job; kustomize only knows core kinds without kustomizeconfig."""

from __future__ import annotations

import os

import yaml

from gitops.core.documents import Document
from gitops.core.kustomize import build
from gitops.validate.policy.pods import containers
from tests.manifests.rendering import ROOT

STEP_IMAGE = "ghcr.io/example-org/pipeline-steps"


def test_an_images_change_reaches_workflowtemplate_cronworkflow_and_postsync_job(tmp_path):
    # A throwaway overlay on top of dev that only retags the step image
    # (kustomize wants a relative path to a base).
    dev = os.path.relpath(ROOT / "k8s/overlays/dev/iris", tmp_path)
    (tmp_path / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\n"
        "kind: Kustomization\n"
        f"resources:\n- {dev}\n"
        f"images:\n- name: {STEP_IMAGE}\n  newTag: 9.9.9-retag-test\n"
    )
    docs = [d for d in yaml.safe_load_all(build(tmp_path, root=tmp_path).text) if d]
    seen = {}
    for pod, container in containers([Document("retag", i, d) for i, d in enumerate(docs)]):
        image = str(container.body.get("image", ""))
        if image.startswith(STEP_IMAGE):
            seen[f"{pod.doc.kind}/{pod.doc.name}:{container.path}"] = image
    kinds = {key.split("/")[0] for key in seen}
    assert kinds == {"WorkflowTemplate", "CronWorkflow", "Job"}
    assert {k: v for k, v in seen.items() if v != f"{STEP_IMAGE}:9.9.9-retag-test"} == {}
    # train, validate, version, monitor, deploy + drift + mark-deployed
    assert len(seen) == 7
