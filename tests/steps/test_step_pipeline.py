"""The pipeline end to end, twice, against real MLflow, git, Pushgateway and MLServer."""

from __future__ import annotations

import logging
import re

import pytest
import requests

from tests.steps.helpers import PIN_FILE, RUNS, pinned, run_step
from tests.support.git import git

STEPS = ("train", "validate", "version", "monitor", "deploy", "mark_deployed")


@pytest.mark.slow
@pytest.mark.parametrize("run", [1, 2], ids=["run1", "run2"])
@pytest.mark.parametrize("step", STEPS)
def test_every_step_exits_0(pipeline, run, step):
    result = pipeline.runs[run - 1][step]
    assert result.code == 0, result.stderr


@pytest.mark.slow
def test_first_run_has_no_champion_and_gets_1_0_0(pipeline):
    first = pipeline.runs[0]
    assert first["train"].outputs["model_version"] == "1"
    assert first["validate"].outputs["passed"] == "true"
    assert first["validate"].outputs["champion_version"] == ""
    assert first["version"].outputs == {"semver": "1.0.0"}


@pytest.mark.slow
def test_second_run_is_judged_against_the_first_as_champion_and_gets_a_minor_bump(pipeline):
    second = pipeline.runs[1]
    assert second["validate"].outputs["champion_version"] == "1"
    assert second["validate"].outputs["passed"] == "true"
    assert (
        float(second["validate"].outputs["accuracy"]) > float(pipeline.runs[0]["validate"].outputs["accuracy"]) + 0.01
    )
    assert second["version"].outputs == {"semver": "1.1.0"}
    assert second["version"].summary["reason"] == "accuracy beats champion by more than 0.01"


@pytest.mark.slow
def test_rerunning_version_changes_nothing(pipeline, tmp_path):
    from mlflow import MlflowClient

    client = MlflowClient(pipeline.tracking_uri)
    before = client.get_model_version("iris", "2")
    aliases_before = client.get_registered_model("iris").aliases
    result = run_step("version", [*pipeline.common(), "--model-version", "2"], tmp_path)
    after = client.get_model_version("iris", "2")
    assert (result.code, result.outputs, result.summary["changed"]) == (0, {"semver": "1.1.0"}, False)
    assert after.tags == before.tags
    assert after.last_updated_timestamp == before.last_updated_timestamp
    assert client.get_registered_model("iris").aliases == aliases_before


@pytest.mark.slow
def test_version_tags_carry_the_validation_figures_and_the_candidate_alias(pipeline):
    from mlflow import MlflowClient

    client = MlflowClient(pipeline.tracking_uri)
    tags = client.get_model_version("iris", "2").tags
    assert tags["semver"] == "1.1.0"
    assert tags["validation_passed"] == "true"
    assert tags["champion_version"] == "1"
    assert float(tags["accuracy"]) == float(pipeline.runs[1]["validate"].outputs["accuracy"])
    assert str(client.get_model_version_by_alias("iris", "candidate").version) == "2"


@pytest.mark.slow
def test_pin_on_main_points_at_the_artifact_store_not_a_models_uri(pipeline):
    from mlflow import MlflowClient

    pin = pinned(pipeline.remote)
    assert set(pin) == {
        "modelName",
        "modelVersion",
        "semver",
        "storageUri",
        "runId",
        "validationPassed",
        "accuracy",
        "f1Macro",
        "championVersion",
    }
    assert all(isinstance(value, str) for value in pin.values())
    assert (pin["modelName"], pin["modelVersion"], pin["semver"], pin["championVersion"]) == ("iris", "2", "1.1.0", "1")
    assert pin["storageUri"] == MlflowClient(pipeline.tracking_uri).get_model_version_download_uri("iris", "2")
    assert not pin["storageUri"].startswith("models:/")
    assert pin["runId"] == pipeline.runs[1]["train"].outputs["run_id"]


@pytest.mark.slow
def test_deploy_commits_with_run_id_and_figures_and_opens_one_pull_request_per_version(pipeline):
    message = git(pipeline.remote, "log", "-1", "--format=%B", "deploy/iris-v2")
    assert message.splitlines()[0] == "deploy: iris v2 (1.1.0) to dev"
    assert f"MLflow run {pipeline.runs[1]['train'].outputs['run_id']}" in message
    assert [(pr["head"], pr["base"]) for pr in pipeline.pulls.opened[:2]] == [
        ("deploy/iris-v1", "main"),
        ("deploy/iris-v2", "main"),
    ]
    assert pipeline.runs[1]["deploy"].outputs["pr_url"] == "https://github.test/pulls/2"


@pytest.mark.slow
def test_deploying_the_pinned_version_again_changes_nothing(pipeline, tmp_path):
    opened = len(pipeline.pulls.opened)
    head = git(pipeline.remote, "rev-parse", "main")
    result = pipeline.deploy("2", tmp_path)
    assert (result.code, result.outputs) == (0, {"pin_changed": "false", "branch": "", "pr_url": ""})
    assert len(pipeline.pulls.opened) == opened
    assert git(pipeline.remote, "rev-parse", "main") == head


@pytest.mark.slow
def test_deploy_refuses_to_replace_a_newer_pin_with_an_older_version(pipeline, tmp_path):
    branches = git(pipeline.remote, "branch", "--list")
    result = pipeline.deploy("1", tmp_path)
    assert result.code == 2  # retrying never heals it
    assert result.error_line == (
        f"deploy: --model-version 1: {PIN_FILE} pins newer version 2; the pipeline never moves it back "
        "(fix: to serve version 1 again, roll back by pull request: scripts/promote iris dev dev --from-ref "
        "<commit> --force --reason ...)"
    )
    assert git(pipeline.remote, "branch", "--list") == branches
    assert git(pipeline.checkout, "status", "--porcelain") == ""


@pytest.mark.slow
def test_mark_deployed_moves_the_alias_once_and_is_idempotent(pipeline, tmp_path):
    from mlflow import MlflowClient

    assert [run["mark_deployed"].outputs for run in pipeline.runs] == [{"alias_moved": "true"}] * 2
    assert str(MlflowClient(pipeline.tracking_uri).get_model_version_by_alias("iris", "dev").version) == "2"
    again = pipeline.mark_deployed("2", pinned(pipeline.remote)["storageUri"], tmp_path)
    assert (again.code, again.outputs) == (0, {"alias_moved": "false"})
    assert again.summary["probe_accuracy"] >= 0.9


@pytest.mark.slow
def test_mark_deployed_refuses_to_move_the_alias_when_the_model_is_not_served(pipeline, tmp_path):
    from mlflow import MlflowClient

    uri = pinned(pipeline.remote)["storageUri"]
    result = pipeline.mark_deployed("2", uri, tmp_path, served_name="not-loaded", timeout="1")
    assert result.code == 1
    assert result.error_line == (
        f"mark_deployed: --storage-uri {uri}: served model not Ready on the pinned URI after 1s "
        f"(fix: check the server at {pipeline.mlserver.url} serves model not-loaded from the pinned URI; "
        "the alias was not moved)"
    )
    assert str(MlflowClient(pipeline.tracking_uri).get_model_version_by_alias("iris", "dev").version) == "2"


@pytest.mark.slow
def test_model_is_logged_as_pickle_because_mlserver_loads_it(pipeline):
    import yaml
    from mlflow import MlflowClient
    from mlflow.artifacts import download_artifacts

    uri = MlflowClient(pipeline.tracking_uri).get_model_version_download_uri("iris", "2")
    mlmodel = yaml.safe_load(open(download_artifacts(artifact_uri=f"{uri}/MLmodel")))
    assert mlmodel["flavors"]["sklearn"]["serialization_format"] == "pickle"
    assert mlmodel["signature"]["inputs"]
    # The probe above already went through MLServer; this asks it directly too.
    assert requests.get(f"{pipeline.mlserver.url}/v2/models/iris-v2/ready", timeout=5).status_code == 200


@pytest.mark.slow
def test_metrics_reach_the_pushgateway_grouped_by_job_model_and_environment(pipeline):
    text = requests.get(f"{pipeline.pushgateway}/metrics", timeout=5).text
    for job, name in [
        ("mlpipeline_train", "mlpipeline_train_accuracy"),
        ("mlpipeline_monitor", "mlpipeline_validation_accuracy"),
        ("mlpipeline_monitor", "mlpipeline_model_version"),
        ("mlpipeline_mark_deployed", "mlpipeline_deployed_probe_accuracy"),
    ]:
        assert f'{name}{{environment="dev",instance="",job="{job}",model="iris"}}' in text, name
    assert 'mlpipeline_model_version{environment="dev",instance="",job="mlpipeline_monitor",model="iris"} 2' in text


@pytest.mark.slow
def test_mark_deployed_refuses_to_move_the_alias_when_the_probe_scores_below_the_floor(pipeline, tmp_path):
    from mlflow import MlflowClient

    # The server answers for the pinned URI but with the weak first model behind it.
    uri = pinned(pipeline.remote)["storageUri"]
    result = pipeline.mark_deployed("2", uri, tmp_path, served_name="iris-v1", floor="0.9")
    accuracy = float(pipeline.runs[0]["validate"].outputs["accuracy"])
    assert result.code == 1
    assert result.error_line == (
        f"mark_deployed: probe {pipeline.mlserver.url}: served accuracy {accuracy:.4f} below floor 0.9 "
        "(fix: check which model the server loaded; the alias was not moved)"
    )
    assert str(MlflowClient(pipeline.tracking_uri).get_model_version_by_alias("iris", "dev").version) == "2"


@pytest.mark.slow
def test_mark_deployed_refuses_a_pin_whose_uri_the_registry_does_not_know(pipeline, tmp_path):
    registered = pinned(pipeline.remote)["storageUri"]
    result = pipeline.mark_deployed("2", "s3://elsewhere/model", tmp_path)
    assert (result.code, result.error_line) == (
        2,
        (
            f"mark_deployed: --storage-uri s3://elsewhere/model: registry has {registered} for version 2 "
            "(fix: regenerate the pin with the deploy step; the alias was not moved)"
        ),
    )


@pytest.mark.slow
def test_validate_logs_its_thresholds_as_params_of_its_own_run_under_the_training_run(pipeline):
    from mlflow import MlflowClient

    client = MlflowClient(pipeline.tracking_uri)
    tags = client.get_model_version("iris", "2").tags
    validation = client.get_run(tags["validation_run_id"])
    assert validation.data.params == {
        "accuracy_floor": "0.9",
        "f1_floor": "0.85",
        "champion_tolerance": "0.02",
        "champion_alias": "dev",
        "champion_version": "1",
        "model_version": "2",
    }
    assert validation.data.tags["mlflow.parentRunId"] == pipeline.runs[1]["train"].outputs["run_id"]
    assert validation.data.metrics["holdout_accuracy"] == float(pipeline.runs[1]["validate"].outputs["accuracy"])
    assert "validation_failures" not in tags


@pytest.mark.slow
def test_the_postsync_check_records_the_commit_its_people_and_the_probe_on_the_version(pipeline):
    from mlflow import MlflowClient

    tags = MlflowClient(pipeline.tracking_uri).get_model_version("iris", "2").tags
    merged = git(pipeline.remote, "log", "-1", "--format=%H", "main").strip()
    deployed = {key.removeprefix("deployed.dev."): value for key, value in tags.items() if key.startswith("deployed.")}
    assert set(deployed) == {
        "alias",
        "verified_at",
        "probe_accuracy",
        "probe_latency_seconds",
        "probe_rows",
        "git_commit",
        "git_author",
        "git_committer",
        "git_committed_at",
        "git_subject",
    }
    # The reviewer's merge commit (tests.steps.helpers.merge), by the test identity.
    assert (deployed["alias"], deployed["git_commit"], deployed["git_subject"]) == (
        "dev",
        merged,
        "Merge deploy/iris-v2",
    )
    assert deployed["git_author"] == deployed["git_committer"] == "Test <test@example.invalid>"
    assert float(deployed["probe_accuracy"]) == pipeline.runs[1]["mark_deployed"].summary["probe_accuracy"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", deployed["verified_at"])


@pytest.mark.slow
def test_training_again_on_the_same_inputs_reuses_the_version_and_deploy_opens_no_pull_request(
    pipeline, tmp_path, caplog
):
    from mlflow import MlflowClient

    caplog.set_level(logging.INFO, logger="mlpipeline.train")
    client = MlflowClient(pipeline.tracking_uri)
    versions = len(client.search_model_versions("name='iris'"))
    opened = len(pipeline.pulls.opened)
    again = run_step(
        "train",
        [*pipeline.common(), "--experiment", "iris", "--pushgateway-url", pipeline.pushgateway, *RUNS[1]["train"]],
        tmp_path / "train",
    )
    key = again.summary["content_key"]
    assert (again.code, again.outputs["model_version"], again.summary["reused"]) == (0, "2", True)
    assert caplog.messages[-1] == (
        f"version 2 already holds this content (same data, parameters, code and libraries; content key "
        f"{key[:12]}): reusing it; nothing trained or registered"
    )
    assert client.get_model_version("iris", "2").tags["content_key"] == key
    assert len(client.search_model_versions("name='iris'")) == versions
    deploy = pipeline.deploy("2", tmp_path / "deploy")
    assert deploy.outputs == {"pin_changed": "false", "branch": "", "pr_url": ""}
    assert len(pipeline.pulls.opened) == opened
