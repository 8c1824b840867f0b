"""A container's env fieldRef, locally: the pod's namespace and its own metadata, as the kubelet resolves them
(kubernetes pkg/fieldpath/fieldpath.go ExtractFieldPathAsString: a subscripted annotation or label the pod lacks
reads as empty)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.runner import local_pod, sync
from gitops.runner.errors import RunnerError

KEY = "iris-gitops.io/argocd-app-revision"


def container(path: str) -> dict:
    return {"name": "c", "env": [{"name": "V", "valueFrom": {"fieldRef": {"fieldPath": path}}}]}


def cluster(**fields: str) -> local_pod.Cluster:
    return local_pod.Cluster({}, {}, {}, pod_fields=fields)


def test_an_annotation_of_the_pod_is_read_and_one_it_lacks_is_empty():
    known = cluster(**{f"metadata.annotations['{KEY}']": "f913b6c"})
    assert local_pod.environment(container(f"metadata.annotations['{KEY}']"), known, "Job/j") == {"V": "f913b6c"}
    assert local_pod.environment(container("metadata.labels['x']"), known, "Job/j") == {"V": ""}


def test_a_field_not_modelled_is_one_line_naming_it():
    with pytest.raises(RunnerError) as err:
        local_pod.environment(container("status.podIP"), cluster(), "Job/j.spec.template.spec.containers[0]")
    assert (
        str(err.value)
        == "Job/j.spec.template.spec.containers[0].env[0].valueFrom.fieldRef: status.podIP is not known locally"
    )


def test_a_folder_no_application_syncs_is_refused_by_the_local_sync(tmp_path: Path):
    with pytest.raises(RunnerError) as err:
        sync._folder(tmp_path, Path("k8s/overlays/dev/iris"), "f913b6cbf58a" + "0" * 28, {})
    assert str(err.value) == (
        "k8s/overlays/dev/iris: no Application in argocd/apps at f913b6cbf58a syncs this folder "
        "(fix: let the ApplicationSet's git directories generator cover it)"
    )
