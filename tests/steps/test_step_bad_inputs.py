"""Each bad input: exit code, the exact one-line message, and nothing half-done in the registry or git."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.runner.services import free_port
from tests.steps.helpers import bare_remote, new_registry, run_step
from tests.support.git import git

HELP = "see python -m mlpipeline.{} --help"


def registry_state(uri: str) -> tuple:
    from mlflow import MlflowClient

    client = MlflowClient(uri)
    runs = client.search_runs([e.experiment_id for e in client.search_experiments()])
    versions = client.search_model_versions()
    return (len(runs), [(mv.name, str(mv.version), sorted(mv.tags), sorted(mv.aliases)) for mv in versions])


# --- bad flags and ConfigMap values: exit 2 --------------------------------------


@pytest.mark.parametrize(
    "step,args,env,line",
    [
        (
            "train",
            ["--tracking-uri", "sqlite:///x.db", "--model-name", "m", "--experiment", "e", "--n-estimators", "0"],
            {},
            "train: --n-estimators: must be a positive integer, got 0 (fix: see python -m mlpipeline.train --help)",
        ),
        (
            "train",
            ["--holdout-fraction", "1.5"],
            {},
            "train: --holdout-fraction: must be strictly between 0 and 1, got 1.5 (fix: see python -m "
            "mlpipeline.train --help)",
        ),
        (
            "train",
            ["--model-name", "m", "--experiment", "e"],
            {"MLFLOW_TRACKING_URI": ""},
            "train: --tracking-uri: not set (fix: pass --tracking-uri or set MLFLOW_TRACKING_URI)",
        ),
        (
            "validate",
            ["--model-name", "iris", "--model-version", "1"],
            {"MLFLOW_TRACKING_URI": "foo://registry"},
            "validate: --tracking-uri foo://registry: MLflow has no registry store for the scheme 'foo' (fix: set "
            "MLFLOW_TRACKING_URI (--tracking-uri) to the MLflow server's http(s):// address or a sqlite:/// file)",
        ),
        (
            "validate",
            [],
            {"ACCURACY_FLOOR": "high"},
            "validate: --accuracy-floor: invalid fraction value: 'high' (fix: see python -m "
            "mlpipeline.validate --help)",
        ),
        (
            "drift",
            [],
            {"PSI_THRESHOLD": "-1"},
            "drift: --psi-threshold: must be >= 0, got -1 (fix: see python -m mlpipeline.drift --help)",
        ),
        (
            "mark_deployed",
            ["--readiness", "ssh"],
            {},
            "mark_deployed: --readiness: invalid choice: 'ssh' (choose from 'kubernetes', 'local') "
            "(fix: see python -m mlpipeline.mark_deployed --help)",
        ),
    ],
    ids=[
        "zero-trees",
        "holdout-out-of-range",
        "no-tracking-uri",
        "tracking-uri-unsupported-scheme",
        "configmap-floor-not-a-number",
        "negative-psi-threshold",
        "unknown-readiness",
    ],
)
def test_bad_parameters_exit_2_with_one_line(step, args, env, line, tmp_path, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = run_step(step, args, tmp_path / "out")
    assert (result.code, result.stderr.strip(), result.outputs) == (2, line, {})


def test_python_m_entry_point_reads_the_configmap_environment(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": "sqlite:///unused.db",
        "MODEL_NAME": "iris",
        "MODEL_VERSION": "1",
        "F1_FLOOR": "2",
    }
    done = subprocess.run(
        [sys.executable, "-m", "mlpipeline.validate"], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert (done.returncode, done.stderr) == (
        2,
        "validate: --f1-floor: must be between 0 and 1, got 2 (fix: see python -m mlpipeline.validate --help)\n",
    )


# --- MLflow: unreachable (exit 1, retried), model or alias missing (exit 2, never heals) --


def test_mlflow_unreachable_fails_fast_before_training(tmp_path, fast_retries):
    uri = f"http://127.0.0.1:{free_port()}"
    result = run_step(
        "train",
        ["--tracking-uri", uri, "--model-name", "iris", "--experiment", "iris", "--n-estimators", "2"],
        tmp_path / "out",
    )
    assert (result.code, result.error_line, result.outputs) == (
        1,
        (
            f"train: --tracking-uri {uri}: MLflow tracking server unreachable (ConnectionError) "
            "(fix: check MLFLOW_TRACKING_URI and that the MLflow server is running)"
        ),
        {},
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "step,args,line",
    [
        (
            "validate",
            ["--model-version", "99"],
            "validate: --model-version 99: model iris has no version 99 (fix: pass a version that exists in "
            "the MLflow registry)",
        ),
        (
            "deploy",
            ["--model-version", "99", "--repo-url", "/nonexistent", "--pr-provider", "none"],
            "deploy: --model-version 99: model iris has no version 99 (fix: pass a version that exists in the "
            "MLflow registry)",
        ),
        (
            "drift",
            ["--input", "/nonexistent.csv", "--environment", "staging"],
            "drift: --alias staging: model iris has no version at alias staging "
            "(fix: deploy a version to the environment first, or pass --model-version)",
        ),
        (
            "monitor",
            ["--model-version", "1", "--model-name", "nosuch", "--push-optional", "true"],
            "monitor: --model-version 1: model nosuch has no version 1 (fix: pass a version that exists in the "
            "MLflow registry)",
        ),
    ],
    ids=["validate-missing-version", "deploy-missing-version", "drift-missing-alias", "monitor-missing-model"],
)
def test_missing_model_version_or_alias(pipeline, step, args, line, tmp_path):
    before = registry_state(pipeline.tracking_uri)
    result = run_step(step, [*pipeline.common(), *args], tmp_path / "out")
    assert (result.code, result.error_line, result.outputs) == (2, line, {})
    assert registry_state(pipeline.tracking_uri) == before


# --- data: empty or NaN ------------------------------------------------------------


@pytest.mark.parametrize(
    "spec,line",
    [
        (
            "extra_models.nan_rows",
            "train: model spec nan_rows dataset: NaN values in column(s) width "
            "(fix: fix load_dataset() in the nan_rows model module)",
        ),
        (
            "extra_models.no_rows",
            "train: model spec no_rows dataset: no rows (fix: fix load_dataset() in the no_rows model module)",
        ),
        (
            "extra_models.missing",
            "train: --model-spec: no model module extra_models.missing "
            "(fix: set MODEL_SPEC to a module under mlpipeline.models or a dotted module path)",
        ),
    ],
    ids=["nan-training-data", "empty-training-data", "unknown-model-spec"],
)
def test_bad_training_data_registers_nothing(spec, line, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    uri = new_registry(tmp_path)
    result = run_step(
        "train",
        ["--tracking-uri", uri, "--model-name", "m", "--experiment", "iris", "--model-spec", spec],
        tmp_path / "out",
    )
    assert (result.error_line, result.outputs) == (line, {})
    assert result.code == 2
    assert registry_state(uri) == (0, [])


@pytest.mark.slow
@pytest.mark.parametrize(
    "content,line",
    [
        (
            "sepal_length,sepal_width,petal_length,petal_width\n",
            "no rows (fix: drop or repair the bad rows where inputs are collected)",
        ),
        (
            "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,,0.2\n",
            "NaN values in column(s) petal_length (fix: drop or repair the bad rows where inputs are collected)",
        ),
        (
            "sepal_length,sepal_width\n5.1,3.5\n",
            "missing feature column(s) petal_length, petal_width (fix: write every model input column to the "
            "recent-inputs file)",
        ),
        ("", "unreadable (EmptyDataError) (fix: give a valid .csv or .parquet file)"),
    ],
    ids=["header-only", "nan-value", "missing-columns", "zero-bytes"],
)
def test_bad_drift_input(pipeline, content, line, tmp_path):
    path = tmp_path / "recent.csv"
    path.write_text(content)
    result = run_step("drift", [*pipeline.common(), "--input", str(path), "--push-optional", "true"], tmp_path / "out")
    assert (result.code, result.error_line, result.outputs) == (2, f"drift: --input {path}: {line}", {})


@pytest.mark.slow
def test_missing_drift_input_names_where_it_looked(pipeline, tmp_path):
    where = tmp_path / "inputs" / "recent.parquet"
    result = run_step(
        "drift", [*pipeline.common(), "--input", where.as_uri(), "--push-optional", "true"], tmp_path / "out"
    )
    assert (result.code, result.error_line) == (
        2,
        (
            f"drift: --input {where.as_uri()}: no such file: {where} "
            "(fix: set DRIFT_INPUT_URI to where recent inputs are written)"
        ),
    )


# --- validation verdicts and the version step's refusals ----------------------------


@pytest.fixture(scope="module")
def weak_registry(tmp_path_factory):
    """A registry with one deliberately weak, validated-and-failed version (two stumps)."""
    root = tmp_path_factory.mktemp("weak")
    uri = new_registry(root)
    common = ["--tracking-uri", uri, "--model-name", "iris"]
    train = run_step("train", [*common, "--experiment", "iris", "--n-estimators", "2", "--max-depth", "1"], root / "t")
    validate = run_step("validate", [*common, "--model-version", "1"], root / "v")
    return uri, train, validate


@pytest.mark.slow
def test_a_failed_gate_is_a_clean_verdict_exit_0_passed_false(weak_registry):
    _, train, validate = weak_registry
    assert train.code == 0, train.stderr
    assert validate.code == 0, validate.stderr
    assert validate.outputs == {"passed": "false", "accuracy": validate.outputs["accuracy"], "champion_version": ""}
    assert float(validate.outputs["accuracy"]) < 0.9
    assert validate.summary["gates_missed"][0] == f"accuracy {float(validate.outputs['accuracy']):.4f} below floor 0.9"

    from mlflow import MlflowClient

    # The verdict is on the version itself, with the reasons, where an operator looks first.
    tags = MlflowClient(weak_registry[0]).get_model_version("iris", "1").tags
    assert tags["validation_passed"] == "false"
    assert tags["validation_failures"] == "; ".join(validate.summary["gates_missed"])
    assert "semver" not in tags


@pytest.mark.slow
def test_version_refuses_a_failed_candidate_and_tags_nothing(weak_registry, tmp_path):
    uri = weak_registry[0]
    before = registry_state(uri)
    result = run_step("version", ["--tracking-uri", uri, "--model-name", "iris", "--model-version", "1"], tmp_path)
    assert (result.code, result.error_line) == (
        2,
        (
            "version: --model-version 1: failed validation; only passing versions get a semver "
            "(fix: train a better model; the workflow's when: gate skips this step for failed models)"
        ),
    )
    assert registry_state(uri) == before


@pytest.mark.slow
def test_monitor_fails_clearly_when_the_pushgateway_is_unreachable_unless_optional(
    weak_registry, tmp_path, fast_retries, caplog
):
    gateway = f"127.0.0.1:{free_port()}"
    args = [
        "--tracking-uri",
        weak_registry[0],
        "--model-name",
        "iris",
        "--model-version",
        "1",
        "--pushgateway-url",
        gateway,
    ]
    failed = run_step("monitor", args, tmp_path / "a")
    assert (failed.code, failed.error_line) == (
        1,
        (
            f"monitor: --pushgateway-url {gateway}: Pushgateway unreachable after retries "
            "(fix: check PUSHGATEWAY_URL, or pass --push-optional true for a local run)"
        ),
    )
    warned = run_step("monitor", [*args, "--push-optional", "true"], tmp_path / "b")
    assert (warned.code, warned.summary["pushed"]) == (0, False)
    assert f"Pushgateway {gateway} unreachable (" in caplog.text


# --- git: dirty, diverged, no token ------------------------------------------------


@pytest.fixture
def deploy_into(pipeline, tmp_path):
    """Deploy version 2 of the shared registry into a fresh bare remote, with a checkout prepared by the test."""
    remote = bare_remote(tmp_path)
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "--quiet", str(remote), str(checkout))

    def deploy(*extra: str):
        from mlpipeline import deploy as step
        from tests.support.doubles import RecordingPullRequests

        pulls = RecordingPullRequests()
        result = run_step(
            "deploy",
            [
                *pipeline.common(),
                "--model-version",
                "2",
                "--repo-url",
                str(remote),
                "--checkout-dir",
                str(checkout),
                *extra,
            ],
            tmp_path / "out",
            main=lambda argv: step.main(argv, pulls=pulls),
        )
        return result, pulls

    return remote, checkout, deploy


@pytest.mark.slow
def test_deploy_refuses_a_dirty_checkout(deploy_into):
    remote, checkout, deploy = deploy_into
    (checkout / "stray.txt").write_text("left over\n")
    result, pulls = deploy()
    assert (result.code, result.error_line) == (
        2,
        (
            f"deploy: checkout {checkout}: uncommitted changes "
            "(fix: commit or discard them (git status), or use a fresh --checkout-dir)"
        ),
    )
    assert git(remote, "for-each-ref", "--format=%(refname)") == "refs/heads/main\n"
    assert pulls.opened == []


@pytest.mark.slow
def test_deploy_refuses_a_diverged_checkout(deploy_into):
    remote, checkout, deploy = deploy_into
    (checkout / "local.txt").write_text("not pushed\n")
    git(checkout, "add", ".")
    git(checkout, "commit", "--quiet", "-m", "local only")
    result, pulls = deploy()
    assert (result.code, result.error_line) == (
        2,
        (
            f"deploy: checkout {checkout}: branch main has 1 commit(s) not on origin/main (diverged) "
            "(fix: push or drop them (git reset --hard origin/main), or use a fresh --checkout-dir)"
        ),
    )
    assert git(remote, "for-each-ref", "--format=%(refname)") == "refs/heads/main\n"
    assert pulls.opened == []


@pytest.mark.slow
def test_deploy_without_a_token_touches_nothing(pipeline, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    remote = bare_remote(tmp_path)
    result = run_step(
        "deploy",
        [
            *pipeline.common(),
            "--model-version",
            "2",
            "--repo-url",
            str(remote),
            "--checkout-dir",
            str(tmp_path / "checkout"),
        ],
        tmp_path / "out",
    )
    assert (result.code, result.error_line) == (
        2,
        ("deploy: GITHUB_TOKEN: not set (fix: mount the git-credentials secret, or pass --pr-provider none)"),
    )
    assert not (tmp_path / "checkout").exists()


class FailingPullRequests:
    """The GitHub double, answering the way the real client does when the API refuses."""

    repository = "example-org/gitops"

    def open_pull_request(self, *, head: str, base: str, title: str, body: str):
        from mlpipeline.github import GitHubError

        raise GitHubError("POST /repos/example-org/gitops/pulls: HTTP 403: Resource not accessible by integration", 403)


@pytest.mark.slow
def test_a_rejected_push_leaves_no_branch_anywhere(pipeline, tmp_path):
    remote = bare_remote(tmp_path)
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected: pushes are closed' >&2\nexit 1\n")
    hook.chmod(0o755)
    checkout = tmp_path / "checkout"
    result = run_step(
        "deploy",
        [
            *pipeline.common(),
            "--model-version",
            "2",
            "--repo-url",
            str(remote),
            "--checkout-dir",
            str(checkout),
            "--pr-provider",
            "none",
        ],
        tmp_path / "out",
    )
    assert result.code == 1
    assert result.error_line == (
        f"deploy: git push in {checkout}: push failed: protected: pushes are closed "
        "(fix: check GIT_REPO_URL, the token and the remote branch)"
    )
    assert git(remote, "for-each-ref", "--format=%(refname)") == "refs/heads/main\n"
    assert git(checkout, "branch", "--list", "deploy/*") == ""
    assert git(checkout, "status", "--porcelain") == ""


@pytest.mark.slow
def test_a_refused_pull_request_deletes_the_pushed_branch(pipeline, tmp_path):
    from mlpipeline import deploy

    remote = bare_remote(tmp_path)
    checkout = tmp_path / "checkout"
    result = run_step(
        "deploy",
        [*pipeline.common(), "--model-version", "2", "--repo-url", str(remote), "--checkout-dir", str(checkout)],
        tmp_path / "out",
        main=lambda argv: deploy.main(argv, pulls=FailingPullRequests()),
    )
    assert (result.code, result.error_line) == (
        1,
        (
            "deploy: GitHub example-org/gitops: opening the pull request failed: POST /repos/example-org/gitops/pulls: "
            "HTTP 403: Resource not accessible by integration "
            "(fix: check that GITHUB_TOKEN may create pull requests on the repository)"
        ),
    )
    assert git(remote, "for-each-ref", "--format=%(refname)") == "refs/heads/main\n"
    assert git(checkout, "branch", "--list", "deploy/*") == ""


@pytest.mark.slow
def test_validate_refuses_when_the_holdout_is_not_the_one_train_held_out(weak_registry, tmp_path):
    from mlflow import MlflowClient

    uri, train, _ = weak_registry
    client, run_id = MlflowClient(uri), train.outputs["run_id"]
    logged = client.get_run(run_id).data.tags["holdout_sha256"]
    client.set_tag(run_id, "holdout_sha256", "0" * 64)  # as if the dataset had changed since training
    try:
        result = run_step("validate", ["--tracking-uri", uri, "--model-name", "iris", "--model-version", "1"], tmp_path)
    finally:
        client.set_tag(run_id, "holdout_sha256", logged)
    assert (result.code, result.error_line, result.outputs) == (
        2,
        (
            f"validate: run {run_id}: holdout rows differ from the ones train held out "
            "(fix: the iris dataset changed since training; train a new version)"
        ),
        {},
    )
