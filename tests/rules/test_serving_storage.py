"""Where serving fetches models from, per platform: the cluster's environments fetch from S3 only;
the demo's (MLServer on loopback, make demo) also from its own MLflow's file:// store, and only when
a caller validates for the demo (promote pushing to the remote the runner marked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.validate.policy.platform import PlatformListError
from gitops.validate.policy.rules.model_pin_storage_uri import problem
from gitops.validate.policy.storage import DEMO, SERVING_STORAGE_FILE, load_serving_storage

REPO = Path(__file__).resolve().parents[2]
ENVIRONMENTS = "environments:\n  - {name: dev, schemes: [s3], reason: the bucket}\n"


def test_the_cluster_fetches_from_s3_and_the_demo_also_from_its_file_store():
    cluster = load_serving_storage(REPO / SERVING_STORAGE_FILE, SERVING_STORAGE_FILE)
    demo = load_serving_storage(REPO / SERVING_STORAGE_FILE, SERVING_STORAGE_FILE, DEMO)
    assert cluster.schemes == {"dev": ("s3",), "staging": ("s3",), "prod": ("s3",)}
    assert demo.schemes == {"dev": ("s3", "file"), "staging": ("s3", "file"), "prod": ("s3", "file")}
    local = "file:///root/.local/mlflow/artifacts/1/models/m-4/artifacts"
    assert problem(local, cluster.schemes["prod"], "prod") == "file:// is not a scheme prod's serving fetches from (s3)"
    assert problem(local, demo.schemes["prod"], "prod") == ""


def test_validating_for_the_demo_without_its_entry_is_an_error(tmp_path):
    path = tmp_path / "serving-storage.yaml"
    path.write_text(ENVIRONMENTS + "demo: {schemes: [file]}\n")
    assert load_serving_storage(path, SERVING_STORAGE_FILE).schemes == {"dev": ("s3",)}  # the cluster never reads it
    with pytest.raises(PlatformListError) as err:
        load_serving_storage(path, SERVING_STORAGE_FILE, DEMO)
    assert str(err.value) == (
        "policy/serving-storage.yaml: demo: needs a list of schemes and a reason, to validate for the demo"
    )
