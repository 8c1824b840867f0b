"""The second model, wine, through the steps from configuration alone: no flag names the model."""

from __future__ import annotations

import pytest

from tests.steps.helpers import new_registry, run_step


@pytest.mark.slow
def test_wine_runs_through_train_validate_version_from_configuration_alone(tmp_path, monkeypatch):
    # Only what the ConfigMap would carry; no flag names the model.
    monkeypatch.setenv("MLFLOW_TRACKING_URI", new_registry(tmp_path, "wine"))
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "wine")
    monkeypatch.setenv("MODEL_NAME", "wine")
    monkeypatch.setenv("MODEL_SPEC", "wine")
    monkeypatch.setenv("N_ESTIMATORS", "10")

    train = run_step("train", [], tmp_path / "train")
    assert train.code == 0, train.stderr
    monkeypatch.setenv("MODEL_VERSION", train.outputs["model_version"])
    validate = run_step("validate", [], tmp_path / "validate")
    version = run_step("version", [], tmp_path / "version")

    assert validate.code == 0, validate.stderr
    assert (validate.outputs["passed"], validate.outputs["champion_version"]) == ("true", "")
    assert (version.code, version.outputs) == (0, {"semver": "1.0.0"})
    from mlflow import MlflowClient

    client = MlflowClient()
    mv = client.get_model_version("wine", "1")
    assert client.get_run(mv.run_id).data.params["model_spec"] == "wine"
    inputs = client.get_run(mv.run_id).inputs.dataset_inputs
    assert [i.dataset.name for i in inputs] == ["wine-train"]
