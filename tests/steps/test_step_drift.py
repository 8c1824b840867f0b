"""drift against the training split logged with the deployed model (alias dev after two runs)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.steps.helpers import run_step


def reference(pipeline) -> pd.DataFrame:
    from mlflow import MlflowClient

    from mlpipeline.train import REFERENCE_ARTIFACT_DIR, REFERENCE_FILE

    client = MlflowClient(pipeline.tracking_uri)
    run_id = client.get_model_version_by_alias("iris", "dev").run_id
    path = client.download_artifacts(run_id, f"{REFERENCE_ARTIFACT_DIR}/{REFERENCE_FILE}", str(pipeline.root))
    return pd.read_csv(path).drop(columns=["species"])


def drift(pipeline, input: str, out) -> object:
    return run_step("drift", [*pipeline.common(), "--input", input, "--pushgateway-url", pipeline.pushgateway], out)


@pytest.mark.slow
def test_no_drift_on_a_sample_from_the_reference_distribution(pipeline, tmp_path):
    sample = reference(pipeline).sample(n=400, replace=True, random_state=7)
    sample.to_csv(tmp_path / "recent.csv", index=False)
    result = drift(pipeline, str(tmp_path / "recent.csv"), tmp_path / "out")
    assert result.code == 0, result.stderr
    assert result.outputs["drift_detected"] == "false"
    assert float(result.outputs["max_psi"]) < 0.25
    assert result.summary["model_version"] == "2"


@pytest.mark.slow
def test_drift_detected_on_a_shifted_sample_read_from_parquet(pipeline, tmp_path):
    sample = reference(pipeline).sample(n=400, replace=True, random_state=7)
    sample["petal_length"] = sample["petal_length"] + 2.0
    sample.to_parquet(tmp_path / "recent.parquet")
    result = drift(pipeline, (tmp_path / "recent.parquet").as_uri(), tmp_path / "out")
    assert result.code == 0, result.stderr
    assert result.outputs["drift_detected"] == "true"
    figures = result.summary["features"]
    assert figures["petal_length"]["psi"] >= 0.25 and figures["petal_length"]["ks_pvalue"] < 0.01
    assert float(result.outputs["max_psi"]) == figures["petal_length"]["psi"]
    assert figures["sepal_width"]["psi"] < 0.25


@pytest.mark.slow
def test_drift_pushes_per_feature_figures(pipeline, tmp_path):
    import requests

    reference(pipeline).to_csv(tmp_path / "recent.csv", index=False)
    assert drift(pipeline, str(tmp_path / "recent.csv"), tmp_path / "out").code == 0
    text = requests.get(f"{pipeline.pushgateway}/metrics", timeout=5).text
    assert (
        'mlpipeline_drift_psi{environment="dev",feature="petal_width",instance="",job="mlpipeline_drift",'
        'model="iris"} 0'
    ) in text
    assert 'mlpipeline_drift_detected{environment="dev",instance="",job="mlpipeline_drift",model="iris"} 0' in text
