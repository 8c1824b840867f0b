"""The same steps against a real `mlflow server` over HTTP, with proxied artifacts."""

from __future__ import annotations

import pytest

from tests.steps.helpers import run_step


@pytest.mark.slow
def test_train_validate_version_over_http(mlflow_server, tmp_path):
    common = ["--tracking-uri", mlflow_server, "--model-name", "iris"]
    train = run_step("train", [*common, "--experiment", "iris-http", "--n-estimators", "10"], tmp_path / "train")
    assert train.code == 0, train.stderr
    pick = [*common, "--model-version", train.outputs["model_version"]]
    validate = run_step("validate", pick, tmp_path / "validate")
    version = run_step("version", pick, tmp_path / "version")
    assert (validate.code, validate.outputs["passed"]) == (0, "true"), validate.stderr
    assert (version.code, version.outputs) == (0, {"semver": "1.0.0"}), version.stderr

    from mlflow import MlflowClient

    client = MlflowClient(mlflow_server)
    mv = client.get_model_version("iris", train.outputs["model_version"])
    # MLflow 3's `source` is a models:/ URI; the pin must use the artifact location instead.
    assert mv.source.startswith("models:/")
    assert client.get_model_version_download_uri("iris", mv.version).startswith("mlflow-artifacts:/")
    # The report belongs to the validation's own run, beside the thresholds it was judged by.
    artifacts = {a.path for a in client.list_artifacts(mv.tags["validation_run_id"], "validation")}
    assert artifacts == {"validation/report.json", "validation/confusion_matrix.png"}
