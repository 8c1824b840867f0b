"""The pod walker finds every container of every kind that makes pods, at the path a user would edit."""

from __future__ import annotations

import pytest

from gitops.core.documents import Document
from gitops.validate.policy.pods import containers

C = {"name": "c", "image": "x:1"}
POD_SPEC = {"initContainers": [C], "containers": [C, C]}
ARGO = {
    "templates": [
        {"name": "dag", "dag": {"tasks": [{"name": "a", "template": "main"}]}},
        {"name": "main", "container": C, "initContainers": [C], "sidecars": [C]},
        {"name": "py", "script": {**C, "source": "print(1)"}},
        {"name": "set", "containerSet": {"containers": [C, C]}},
    ]
}
ARGO_PATHS = [
    "templates[1].container",
    "templates[1].initContainers[0]",
    "templates[1].sidecars[0]",
    "templates[2].script",
    "templates[3].containerSet.containers[0]",
    "templates[3].containerSet.containers[1]",
]
CORE_PATHS = ["initContainers[0]", "containers[0]", "containers[1]"]

CASES = {
    "Pod": ({"spec": POD_SPEC}, [f"spec.{p}" for p in CORE_PATHS]),
    "Deployment": ({"spec": {"template": {"spec": POD_SPEC}}}, [f"spec.template.spec.{p}" for p in CORE_PATHS]),
    "StatefulSet": ({"spec": {"template": {"spec": POD_SPEC}}}, [f"spec.template.spec.{p}" for p in CORE_PATHS]),
    "DaemonSet": ({"spec": {"template": {"spec": POD_SPEC}}}, [f"spec.template.spec.{p}" for p in CORE_PATHS]),
    "Job": ({"spec": {"template": {"spec": POD_SPEC}}}, [f"spec.template.spec.{p}" for p in CORE_PATHS]),
    "CronJob": (
        {"spec": {"jobTemplate": {"spec": {"template": {"spec": POD_SPEC}}}}},
        [f"spec.jobTemplate.spec.template.spec.{p}" for p in CORE_PATHS],
    ),
    "WorkflowTemplate": ({"spec": ARGO}, [f"spec.{p}" for p in ARGO_PATHS]),
    "ClusterWorkflowTemplate": ({"spec": ARGO}, [f"spec.{p}" for p in ARGO_PATHS]),
    "CronWorkflow": ({"spec": {"workflowSpec": ARGO}}, [f"spec.workflowSpec.{p}" for p in ARGO_PATHS]),
    "InferenceService": (
        {"spec": {"predictor": {"model": {"modelFormat": {"name": "mlflow"}}, "containers": [C]}}},
        ["spec.predictor.model", "spec.predictor.containers[0]"],
    ),
    "ConfigMap": ({"data": {"a": "b"}}, []),
}


@pytest.mark.parametrize("kind", list(CASES), ids=list(CASES))
def test_container_paths(kind):
    body, expected = CASES[kind]
    doc = Document("k8s/overlays/dev", 0, {"kind": kind, "metadata": {"name": "x"}, **body})
    assert [c.path for _, c in containers([doc])] == expected
