"""Synthetic rendered manifests and repos for the benchmarks: ten kinds, CRDs included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_SECURE = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
_RESOURCES = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}}


def _container(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "image": "ghcr.io/example-org/pipeline-steps:0.1.0",
        "command": ["python", "-m", f"mlpipeline.{name}"],
        "args": ["--outputs-dir", "/tmp/outputs"],
        "envFrom": [{"configMapRef": {"name": "pipeline-config"}}],
        "env": [{"name": f"SETTING_{i}", "value": f"value-{i}-" + "x" * 40} for i in range(40)],
        "resources": _RESOURCES,
        "securityContext": _SECURE,
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }


def documents(i: int) -> list[dict[str, Any]]:
    """Ten objects of ten kinds; `i` makes names unique."""
    labels = {"app.kubernetes.io/name": "iris", "app.kubernetes.io/instance": f"i{i}", "environment": "dev"}
    meta = lambda name, **extra: {"name": f"{name}-{i}", "namespace": "iris-dev", "labels": labels, **extra}  # noqa: E731
    pod = {
        "serviceAccountName": "pipeline",
        "containers": [_container("serve")],
        "volumes": [{"name": "tmp", "emptyDir": {}}],
    }
    steps = [
        {
            "name": s,
            "container": _container(s),
            "outputs": {"parameters": [{"name": "out", "valueFrom": {"path": "/tmp/outputs/out"}}]},
        }
        for s in ("train", "validate", "version")
    ]
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta("web"),
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": pod},
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta("web"),
            "spec": {"selector": labels, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]},
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta("settings"),
            "data": {f"KEY_{k}": f"value-{k}-" + "y" * 60 for k in range(100)},
        },
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta("pipeline")},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": meta("executor"),
            "rules": [
                {"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"], "verbs": ["create", "patch"]}
            ],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": meta("executor"),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": f"executor-{i}"},
            "subjects": [{"kind": "ServiceAccount", "name": f"pipeline-{i}", "namespace": "iris-dev"}],
        },
        {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "WorkflowTemplate",
            "metadata": meta("pipeline"),
            "spec": {"entrypoint": "train", "serviceAccountName": "pipeline", "templates": steps},
        },
        {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "CronWorkflow",
            "metadata": meta("drift"),
            "spec": {
                "schedules": ["0 6 * * *"],
                "timezone": "UTC",
                "concurrencyPolicy": "Forbid",
                "workflowSpec": {"entrypoint": "train", "templates": steps[:1]},
            },
        },
        {
            "apiVersion": "serving.kserve.io/v1beta1",
            "kind": "InferenceService",
            "metadata": meta("iris"),
            "spec": {
                "predictor": {
                    "minReplicas": 1,
                    "model": {
                        "modelFormat": {"name": "mlflow"},
                        "protocolVersion": "v2",
                        "storageUri": "s3://mlflow/1/models/m-1/artifacts",
                        "resources": _RESOURCES,
                    },
                }
            },
        },
        {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": meta("alerts"),
            "spec": {
                "groups": [
                    {
                        "name": "iris",
                        "rules": [
                            {
                                "alert": "DriftDetected",
                                "expr": "max(mlpipeline_drift_detected) > 0",
                                "for": "5m",
                                "labels": {"severity": "warning"},
                                "annotations": {"summary": "Drift detected"},
                            }
                        ],
                    }
                ]
            },
        },
    ]


def stream(count: int) -> str:
    """`count` documents as kustomize prints them."""
    docs = []
    i = 0
    while len(docs) < count:
        docs.extend(documents(i))
        i += 1
    return "---\n".join(yaml.dump(d, Dumper=yaml.CSafeDumper, sort_keys=True) for d in docs[:count])


def repo(root: Path, overlays: int) -> list[Path]:
    """A repo with one base of ten objects and `overlays` overlays on it; returns the overlay dirs."""
    base = root / "k8s" / "base"
    base.mkdir(parents=True)
    # The validator's context reads the reviewed platform list; the synthetic repo lists no platform objects.
    (root / "policy").mkdir()
    (root / "policy" / "platform-objects.yaml").write_text("objects: []\n")
    names = []
    for doc in documents(0):
        doc["metadata"].pop("namespace")
        name = f"{doc['kind'].lower()}.yaml"
        (base / name).write_text(yaml.safe_dump(doc, sort_keys=False))
        names.append(name)
    (base / "kustomization.yaml").write_text(yaml.safe_dump({"kind": "Kustomization", "resources": names}))
    dirs = []
    for n in range(overlays):
        overlay = root / "k8s" / "overlays" / f"env{n:03d}"
        overlay.mkdir(parents=True)
        (overlay / "kustomization.yaml").write_text(
            yaml.safe_dump(
                {
                    "kind": "Kustomization",
                    "namespace": f"iris-env{n:03d}",
                    "resources": ["../../base"],
                    "labels": [{"pairs": {"environment": f"env{n:03d}"}}],
                }
            )
        )
        dirs.append(overlay)
    return dirs
