"""The main job end to end: the dev overlay's own WorkflowTemplate and CronWorkflow, run on this machine.

Real MLflow (SQLite), Debian's Pushgateway, a bare git remote and MLServer;
nothing is faked. The runs share one state directory, in order, as a user's
repeated `make demo` would.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gitops.runner import services

pytestmark = pytest.mark.slow
FORKED_ALL = r"{} pod\(s\) forked from one interpreter that imported the step image's libraries once \(\d+\.\d s\)"


def run(repo: Path, state: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gitops.runner", "--repo", str(repo), "--state-dir", str(state), *args],
        capture_output=True,
        text=True,
        cwd=repo,
        timeout=600,
    )


def summary(out: str) -> dict[str, str]:
    lines = out.split("\nSummary\n", 1)[1].splitlines()
    return {
        line[2:].split("  ", 1)[0].strip(): line.split("  ", 2)[-1].strip()
        for line in lines
        if line.startswith("  ") and not line.startswith("    ")
    }


def registry(state: Path):
    from mlflow import MlflowClient

    return MlflowClient(f"sqlite:///{state / 'mlflow' / 'mlflow.db'}")


@pytest.fixture(scope="module")
def state(tmp_path_factory) -> Path:
    if not services.pushgateway_installed():
        pytest.fail(f"{services.PUSHGATEWAY} missing: apt-get update && apt-get install -y prometheus-pushgateway")
    return tmp_path_factory.mktemp("local") / ".local"


@pytest.fixture(scope="module")
def first(repo, state):
    return run(repo, state)


def test_first_run_trains_deploys_serves_and_moves_the_alias(first, state):
    assert first.returncode == 0, first.stdout + first.stderr
    for line in ("✔ train", "✔ validate", "✔ version", "✔ monitor", "✔ deploy", "✔ iris-mark-deployed (PostSync)"):
        assert line in first.stdout
    s = summary(first.stdout)
    assert s["model"].startswith("iris version 1 (run ")
    assert s["semver"] == "1.0.0"
    assert s["validation"].endswith("against no champion yet (absolute gates only)")
    assert s["pull request"].startswith("not opened locally (no GitHub); branch deploy/iris-v1 in ")
    assert "+  - modelVersion=1" in first.stdout  # the diff the pull request would carry
    assert s["post-sync"].startswith("iris: alias dev -> version 1 (moved); probe latency ")
    version = registry(state).get_model_version_by_alias("iris", "dev")
    assert str(version.version) == "1"
    # The commit reached the Job as Argo CD delivers it (the Application's annotation, read by fieldRef).
    main = subprocess.run(["git", "rev-parse", "main"], cwd=state / "remote.git", capture_output=True, text=True)
    assert version.tags["deployed.dev.git_commit"] == main.stdout.strip()
    assert s["browse runs"] == f".venv/bin/mlflow ui --backend-store-uri sqlite:///{state / 'mlflow' / 'mlflow.db'}"
    # Every pod of the step image forked, the PostSync Job's too: a fallback to plain processes fails here.
    assert re.fullmatch(FORKED_ALL.format(6), s["step server"]), s["step server"]
    wf = json.loads(Path(s["record"]).read_text())  # the Workflow as argo get -o json prints it
    assert wf["status"]["phase"] == "Succeeded"
    assert wf["spec"] == {"workflowTemplateRef": {"name": "iris-pipeline"}}
    nodes = {n["displayName"]: n for n in wf["status"]["nodes"].values()}
    assert [nodes[s]["type"] for s in ("train", "train(0)", "deploy(0)")] == ["Retry", "Pod", "Pod"]


def test_an_unchanged_run_reuses_the_version_and_opens_no_pull_request(first, repo, state):
    again = run(repo, state)
    assert again.returncode == 0, again.stdout + again.stderr
    s = summary(again.stdout)
    assert s["model"].startswith("iris version 1 (run ")
    assert s["model"].endswith(", reused: same data, parameters, code and libraries; nothing trained)")
    assert (
        s["deploy"] == "k8s/overlays/dev/iris/kustomization.yaml already pins this version: no change, no pull request"
    )
    assert len(registry(state).search_model_versions("name='iris'")) == 1
    assert re.fullmatch(FORKED_ALL.format(5), s["step server"]), s["step server"]  # no sync, so no PostSync pod


def test_second_run_is_judged_against_the_first_as_champion(first, repo, state):
    # Another parameter: other content, so a new version (the same inputs would reuse version 1, above).
    second = run(repo, state, "-p", "n-estimators=10")
    assert second.returncode == 0, second.stdout + second.stderr
    s = summary(second.stdout)
    assert s["validation"].endswith("against champion version 1")
    assert s["post-sync"].startswith("iris: alias dev -> version 2 (moved)")
    assert "-  - modelVersion=1" in second.stdout and "+  - modelVersion=2" in second.stdout


def test_a_second_model_is_served_beside_the_first_each_at_its_own_name(first, repo, state):
    wine = run(repo, state, "--model", "wine")
    assert wine.returncode == 0, wine.stdout + wine.stderr
    assert "Running WorkflowTemplate wine-pipeline from k8s/overlays/dev/wine" in wine.stdout
    s = summary(wine.stdout)
    assert s["model"].startswith("wine version 1 (run ")
    assert "served iris, wine with MLServer on http://127.0.0.1:" in s["local sync"]
    post_sync = [line.strip() for line in wine.stdout.splitlines() if line.startswith("  post-sync")]
    assert [line.split("post-sync", 1)[1].strip().split(":")[0] for line in post_sync] == ["iris", "wine"]
    assert "wine: alias dev -> version 1 (moved)" in wine.stdout
    client = registry(state)
    assert str(client.get_model_version_by_alias("wine", "dev").version) == "1"
    assert client.get_experiment_by_name("wine") is not None


def test_failed_validation_skips_deploy_and_parameters_reach_train(first, repo, state):
    forced = run(repo, state, "-p", "accuracy-floor=0.999", "-p", "n-estimators=7", "--no-serve")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    for step in ("version", "monitor", "deploy"):
        assert f"○ {step}" in forced.stdout
    # People read why, in words; workflow.json keeps Argo's own message for the skipped node.
    why = "skipped: validate's output passed is 'false'; {} runs only when it is 'true'"
    assert f"○ deploy  {why.format('deploy')}" in forced.stdout
    assert "when ''false' == 'true'' evaluated false" not in forced.stdout
    assert summary(forced.stdout)["deploy"] == why.format("deploy")
    record = (state / "runs" / sorted(p.name for p in (state / "runs").iterdir())[-1] / "workflow.json").read_text()
    assert "when ''false' == 'true'' evaluated false" in record
    assert summary(forced.stdout)["validation"].startswith("failed (")
    client = registry(state)
    latest = max(client.search_model_versions("name='iris'"), key=lambda v: int(v.version))
    assert client.get_run(latest.run_id).data.params["n_estimators"] == "7"
    assert client.get_model_version_by_alias("iris", "dev").version != latest.version


def test_drift_cron_retrains_through_template_ref_on_a_shifted_sample(first, repo, state):
    cron = run(repo, state, "--cron-workflow", "iris-drift", "-p", "n-estimators=13", "--no-serve")
    assert cron.returncode == 0, cron.stdout + cron.stderr
    assert "✔ retrain" in cron.stdout and "✔ deploy" in cron.stdout
    assert summary(cron.stdout)["local sync"].startswith("skipped (--no-serve)")
    verdict = summary(cron.stdout)["drift"]
    assert verdict.startswith("detected: max PSI ") and verdict.endswith("'s training split; the retrain runs")
    client = registry(state)
    latest = max(client.search_model_versions("name='iris'"), key=lambda v: int(v.version))
    assert client.get_run(latest.run_id).data.params["n_estimators"] == "13"


def test_drift_cron_skips_retraining_on_an_unshifted_sample(first, repo, state):
    cron = run(repo, state, "--cron-workflow", "iris-drift", "--drift-sample", "unshifted", "--no-serve")
    assert cron.returncode == 0, cron.stdout + cron.stderr
    assert "○ retrain  skipped: drift's output drift_detected is 'false'; retrain runs only when it is 'true'" in (
        cron.stdout
    )
    verdict = summary(cron.stdout)["drift"]
    assert verdict.startswith("none: max PSI ") and verdict.endswith("'s training split; no retrain")


def test_unknown_parameter_is_refused_before_anything_runs(repo, tmp_path):
    refused = run(repo, tmp_path / ".local", "-p", "trees=5")
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "runner: -p trees: WorkflowTemplate/iris-pipeline declares no such parameter "
        "(it has: accuracy-floor, champion-tolerance, f1-floor, max-depth, minor-margin, n-estimators)"
    )
