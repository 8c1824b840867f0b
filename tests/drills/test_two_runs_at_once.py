"""Drill: two pipeline runs at once with the same inputs (a manual run beside the drift retrain), each step a
process, against one MLflow server, one git server and the GitHub API. Both runs finish; the registry holds
one version with its semver (the twin registered at the same moment is deleted, or never made), git one deploy
branch whose pin is that version, and GitHub one pull request for it."""

from __future__ import annotations

import threading

import pytest

from mlpipeline import pin
from tests.drills.faults import start_mlflow
from tests.drills.processes import Done, registry, step
from tests.steps.helpers import PIN_FILE, bare_remote
from tests.support.git import GIT_ENV, git

pytestmark = pytest.mark.slow
# The pipeline's own defaults (k8s/base): a model that passes the gates.
TRAIN = ["--experiment", "iris", "--n-estimators", "100", "--max-depth", "5"]
REUSED = (
    "already holds this content (same data, parameters, code and libraries",
    "a run at the same time registered this content as version 1",
)


def pipeline(name: str, url: str, env: dict, tmp_path, results: dict) -> None:
    """One run's steps; what went wrong in the thread (a traceback in a step) is kept for the test to show."""
    try:
        results[name] = one_run(name, url, env, tmp_path)
    except AssertionError as crash:
        results[name] = crash


def one_run(name: str, url: str, env: dict, tmp_path) -> dict[str, Done]:
    """train -> validate -> version -> deploy, each step once its predecessor succeeded, like the DAG."""
    work = tmp_path / name
    common = ["--tracking-uri", url, "--model-name", "iris"]
    runs: dict[str, Done] = {}
    runs["train"] = step("train", *common, *TRAIN, "--outputs-dir", str(work / "train"), cwd=tmp_path, env=env)
    if runs["train"].code == 0:
        version = (work / "train" / "model_version").read_text()
        pick = [*common, "--model-version", version]
        for name_, extra in (("validate", []), ("version", []), ("deploy", ["--checkout-dir", str(work / "git")])):
            runs[name_] = step(name_, *pick, *extra, "--outputs-dir", str(work / name_), cwd=tmp_path, env=env)
            if runs[name_].code != 0:
                break
    return runs


def test_two_identical_runs_at_once_end_with_one_version_one_branch_one_pull_request(
    tmp_path, github_api, github_remote
):
    server = start_mlflow(tmp_path / "mlflow")
    remote = bare_remote(tmp_path)
    env = {**GIT_ENV, **github_remote(remote, github_api)}
    results: dict[str, dict[str, Done] | AssertionError] = {}
    try:
        runs = [
            threading.Thread(target=pipeline, args=(name, server.url, env, tmp_path, results)) for name in ("a", "b")
        ]
        for thread in runs:
            thread.start()
        for thread in runs:
            thread.join()
    finally:
        server.stop()

    crashed = {name: str(got) for name, got in results.items() if isinstance(got, AssertionError)}
    assert sorted(results) == ["a", "b"] and not crashed, crashed
    for name, steps in results.items():
        assert list(steps) == ["train", "validate", "version", "deploy"], (
            name,
            {k: v.stderr for k, v in steps.items()},
        )
        assert all(done.code == 0 for done in steps.values()), (name, {k: v.stderr for k, v in steps.items()})
    # One of the two trained and registered; the other found the version (before or just after registering).
    reused = [name for name, steps in results.items() if any(text in steps["train"].stderr for text in REUSED)]
    assert len(reused) == 1, {name: steps["train"].stderr for name, steps in results.items()}

    state = registry(tmp_path / "mlflow" / "mlflow.db")
    assert list(state["versions"]) == [("iris", "1")]
    tags = state["versions"][("iris", "1")]
    assert (tags["semver"], tags["validation_passed"]) == ("1.0.0", "true")

    assert git(remote, "for-each-ref", "--format=%(refname)", "refs/heads").split() == [
        "refs/heads/deploy/iris-v1",
        "refs/heads/main",
    ]
    # GitHub keeps one open pull request per branch: the second run's request found the first one.
    assert [(pr["head"], pr["base"]) for pr in github_api.pulls] == [("deploy/iris-v1", "main")]
    pinned = pin.parse(git(remote, "show", f"deploy/iris-v1:{PIN_FILE}"), PIN_FILE)
    assert (pinned.modelVersion, pinned.semver, pinned.validationPassed) == ("1", "1.0.0", "true")
    assert pin.parse(git(remote, "show", f"main:{PIN_FILE}"), PIN_FILE) is None  # main waits for the review
