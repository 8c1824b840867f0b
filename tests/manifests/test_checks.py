"""The checks themselves, on small bad fixtures: the exact message a person reads."""
from __future__ import annotations

from .checks import outside_namespace, unpinned_images, unresolved_configmap_refs


def _pod(image: str) -> dict:
    return {"kind": "Job", "metadata": {"name": "probe", "namespace": "iris-dev"},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": image}]}}}}


def test_an_untagged_image_is_reported():
    assert unpinned_images("fixture", [_pod("ghcr.io/example-org/iris-steps")]) == [
        "fixture: Job/probe: spec.template.spec.containers[0].image: "
        "image 'ghcr.io/example-org/iris-steps' has no tag; pin a published tag"
    ]


def test_latest_is_reported():
    assert unpinned_images("fixture", [_pod("postgres:latest")]) == [
        "fixture: Job/probe: spec.template.spec.containers[0].image: "
        "image 'postgres:latest' uses `latest`; pin a published tag"
    ]


def test_a_registry_port_is_not_a_tag():
    assert unpinned_images("fixture", [_pod("registry.local:5000/iris-steps")]) == [
        "fixture: Job/probe: spec.template.spec.containers[0].image: "
        "image 'registry.local:5000/iris-steps' has no tag; pin a published tag"
    ]


def test_a_pinned_tag_passes():
    assert unpinned_images("fixture", [_pod("ghcr.io/example-org/iris-steps:0.1.0")]) == []


def test_an_object_in_another_namespace_is_reported():
    doc = {"kind": "ConfigMap", "metadata": {"name": "x", "namespace": "default"}}
    assert outside_namespace("fixture", [doc], "iris-dev") == [
        "fixture: ConfigMap/x: namespace is 'default', expected 'iris-dev'"
    ]


def test_a_foreign_namespace_object_is_reported():
    doc = {"kind": "Namespace", "metadata": {"name": "kube-system"}}
    assert outside_namespace("fixture", [doc], "iris-dev") == [
        "fixture: Namespace/kube-system: only the Namespace iris-dev may be created here"
    ]


def test_an_unsuffixed_generated_configmap_name_is_reported():
    doc = {"kind": "WorkflowTemplate", "metadata": {"name": "p"},
           "spec": {"templates": [{"container": {"envFrom": [{"configMapRef": {"name": "pipeline-config"}}]}}]}}
    present = {"kind": "ConfigMap", "metadata": {"name": "pipeline-config-5c7h2"}}
    assert unresolved_configmap_refs("fixture", [doc, present]) == [
        "fixture: WorkflowTemplate/p: spec.templates[0].container.envFrom[0].configMapRef.name "
        "'pipeline-config' is not a ConfigMap in this build (a generated name needs a kustomizeconfig "
        "nameReference entry)"
    ]
