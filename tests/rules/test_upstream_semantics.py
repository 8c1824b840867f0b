"""The upstream behaviour each rule's helpers model, case by case, with the upstream file in each docstring."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.core.documents import Document
from gitops.validate.policy.charts import OpenValues
from gitops.validate.policy.kustomizations import Obj, selects
from gitops.validate.policy.rules import (
    helm_values_key,
    kustomize_image_noop,
    kustomize_merge_new_key,
    model_pin_storage_uri,
    ref_config_key,
)
from gitops.validate.policy.secrets import external_secret_keys


@pytest.mark.parametrize(
    "name,image,matched",
    [
        ("nginx", "nginx:1.25", True),
        ("nginx", "docker.io/library/nginx:1.25", False),  # no registry implied
        ("nginx", "nginx-extra:1.0", False),
        ("team/app", "registry.example.com:5000/team/app:v1", False),  # anchored
        ("ghcr.io/org/app", "ghcr.io/org/app:v2@sha256:abc", True),
        ("*", "anything:1", True),  # RE2 compiles ^* and matches everything (verified with kustomize)
    ],
)
def test_images_name_is_kustomizes_anchored_regex(name, image, matched):
    """kustomize v5.8.1 api/internal/image/image.go IsImageMatched."""
    assert kustomize_image_noop.matches(name, image) is matched


def test_images_are_found_where_the_images_transformer_looks():
    """api/filters/imagetag/legacy.go (any containers/initContainers list, not in a CRD) and the
    fieldSpecs of api/internal/konfig/builtinpluginconsts/images.go plus configurations: files."""
    thing = Obj("example.org", "v1", "Thing", "t", "", {"spec": {"deep": {"containers": [{"image": "a:1"}]}}}, True)
    crd = Obj("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "c", "", thing.body, True)
    wt = Obj(
        "argoproj.io",
        "v1alpha1",
        "WorkflowTemplate",
        "w",
        "",
        {"spec": {"templates": [{"container": {"image": "b:1"}}]}},
        True,
    )
    specs = [{"path": "spec/templates/container/image", "kind": "WorkflowTemplate"}]
    assert list(kustomize_image_noop.images(thing, [])) == ["a:1"]
    assert list(kustomize_image_noop.images(crd, specs)) == []
    assert list(kustomize_image_noop.images(wt, [])) == [] and list(kustomize_image_noop.images(wt, specs)) == ["b:1"]


def test_selectors_are_anchored_regexes_on_the_id():
    """kustomize v5.8.1 api/types/selector.go SelectorRegex (anchorRegex), label selectors as labels.Parse."""
    web = Obj("apps", "v1", "Deployment", "web", "demo", {"metadata": {"labels": {"tier": "front"}}}, True)
    assert selects({"kind": "Deployment", "name": "w.*"}, web)
    assert not selects({"name": "we"}, web) and not selects({"kind": "StatefulSet"}, web)
    assert selects({"labelSelector": "tier in (front,back)"}, web) and not selects(
        {"labelSelector": "tier!=front"}, web
    )


def test_generator_keys_are_read_as_kustomize_reads_them(tmp_path: Path):
    """kustomize v5.8.1 api/kv/kv.go: literals split at the first '=', env files skip blanks and
    comments, a file entry is keyed by `key=` or its base name."""
    (tmp_path / "a.env").write_text("# comment\n\n  A=1\nB\nC=x=y\n")
    generator = {"literals": ["L=1=2"], "envs": ["a.env"], "files": ["k=conf/f.json", "conf/g.txt"]}
    assert [k for _, k in kustomize_merge_new_key.keys(tmp_path, generator)] == ["L", "A", "B", "C", "k", "g.txt"]


def test_external_secret_keys_follow_apply_template():
    """external-secrets v2.9.0 pkg/controllers/externalsecret/externalsecret_controller_template.go ApplyTemplate."""

    def es(spec):
        return Document("s", 0, {"kind": "ExternalSecret", "metadata": {"name": "x"}, "spec": spec})

    data = [{"secretKey": "A"}, {"secretKey": "B"}]
    assert external_secret_keys(es({"data": data})) == {"A", "B"}
    assert external_secret_keys(es({"data": data, "target": {"template": {"data": {"C": "{{ .A }}"}}}})) == {"C"}
    merged = {"template": {"mergePolicy": "Merge", "data": {"C": "x"}}}
    assert external_secret_keys(es({"data": data, "target": merged})) == {"A", "B", "C"}
    assert external_secret_keys(es({"data": data, "target": {"template": {"metadata": {}}}})) == {"A", "B"}
    assert external_secret_keys(es({"dataFrom": [{"extract": {"key": "k"}}]})) is None
    assert external_secret_keys(es({"data": data, "target": {"creationPolicy": "Merge"}})) is None


@pytest.mark.parametrize(
    "uri,problem",
    [
        ("s3://mlflow-artifacts/1/models/m-4/artifacts", ""),
        ("s3//mlflow/1/x", "'s3//mlflow/1/x' is not a URI (no scheme://)"),
        ("http://mlflow:5000/x", "http:// is not a scheme dev's serving fetches from (s3)"),
        ("file:///tmp/mlruns/x", "file:// is not a scheme dev's serving fetches from (s3)"),
        ("s3://ab/x", "'ab' is not a valid S3 bucket name"),
        ("s3://bucket/", "names bucket bucket but no model path in it"),
    ],
)
def test_storage_uris_the_serving_can_fetch(uri, problem):
    """KServe v0.20.0 pkg/controller/v1beta1/inferenceservice/utils/utils.go ValidateStorageURI (a
    scheme-less URI is a local path) and python/storage/kserve_storage/kserve_storage.py download."""
    assert model_pin_storage_uri.problem(uri, ("s3",), "dev").startswith(problem)
    assert bool(model_pin_storage_uri.problem(uri, ("s3",), "dev")) is bool(problem)


def test_helm_value_keys_against_values_yaml_with_open_maps():
    """Helm pkg/chartutil/coalesce.go merges user values over values.yaml; only keys templates read matter."""
    defaults = {"executor": {"resources": {}, "env": []}, "server": {"enabled": True}}
    given = {"executor": {"resource": {}, "resources": {"limits": {"cpu": 1}}}, "server": {"enable": False}}
    opened = OpenValues({"chart": frozenset({"executor.resources"})})
    found = [".".join(p) for p, _ in helm_values_key.unknown_keys(given, defaults, "chart", opened)]
    assert found == ["executor.resource", "server.enable"]
    assert helm_values_key.parameter_path("a.b\\.c[0].d") == {"a": {"b.c": {"d": None}}}


def test_env_and_volume_items_read_different_configmap_fields():
    """Kubernetes pkg/kubelet/kubelet_pods.go: env configMapKeyRef reads data only; a volume item also binaryData."""
    volume = {"configMap": {"name": "c", "items": [{"key": "K", "path": "k"}]}}
    assert [p for p, *_ in ref_config_key._volume_refs("spec.volumes[0]", volume)] == [
        "spec.volumes[0].configMap.items[0].key"
    ]
