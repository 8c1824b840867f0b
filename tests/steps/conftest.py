"""Fixtures for the pipeline step tests: real servers on loopback, real git, real MLflow.

Servers start once per session (setsid, own process group) and are stopped by
killing that group, never by name. A missing server binary fails the test
with the command that installs it; nothing is skipped.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from gitops.runner import services
from tests.doubles import RecordingPullRequests  # noqa: F401 (tests import it from here)
from gitops.runner.services import Server, free_port, start_server  # noqa: F401 (used by fixtures below)

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def pushgateway(tmp_path_factory) -> str:
    if not services.pushgateway_installed():
        pytest.fail(f"{services.PUSHGATEWAY} missing: apt-get update && apt-get install -y prometheus-pushgateway")
    server = services.start_pushgateway(tmp_path_factory.mktemp("pushgateway") / "log")
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def mlserver(tmp_path_factory):
    """An MLServer with an empty model repository; tests add models through its repository API."""
    server = services.start_mlserver(tmp_path_factory.mktemp("mlserver") / "repository")
    yield server
    server.stop()


def serve(mlserver, name: str, uri: str) -> None:
    services.serve(mlserver, name, uri)


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory):
    """A real `mlflow server` on loopback: one worker, job execution off (the machine has two cores)."""
    root = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    server = start_server(
        [str(VENV_BIN / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--backend-store-uri", f"sqlite:///{root}/mlflow.db", "--artifacts-destination", str(root / "artifacts")],
        f"http://127.0.0.1:{port}", "/health", root / "log",
        env={"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}, timeout=120, cwd=root)
    yield server.url
    server.stop()


# --- running steps -------------------------------------------------------------

@dataclass
class Result:
    code: int
    outputs: dict[str, str]
    summary: dict
    stderr: str

    @property
    def error_line(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""


def run_step(step: str, args: list[str], outputs_dir: Path, main=None) -> Result:
    """Run a step in-process (the same cli.run as `python -m`), capturing stderr and reading its outputs."""
    import importlib

    from mlpipeline import cli

    module = importlib.import_module(f"mlpipeline.{step}")
    shutil.rmtree(outputs_dir, ignore_errors=True)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        try:
            code = cli.run(step, main or module.main, [*args, "--outputs-dir", str(outputs_dir)])
        except SystemExit as exit:  # argparse usage errors
            code = exit.code
    outputs, summary = {}, {}
    if outputs_dir.is_dir():
        for path in outputs_dir.iterdir():
            if path.name == "summary.json":
                summary = json.loads(path.read_text())
            elif not path.name.startswith("."):
                outputs[path.name] = path.read_text()
    return Result(code, outputs, summary, stderr.getvalue())


def new_registry(root: Path, experiment: str = "iris") -> str:
    """A SQLite registry whose artifacts live under root (not the working directory)."""
    from mlflow import MlflowClient

    uri = f"sqlite:///{root}/mlflow.db"
    MlflowClient(uri).create_experiment(experiment, artifact_location=(root / "artifacts").as_uri())
    return uri


# --- git -----------------------------------------------------------------------

def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
           "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.invalid"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def bare_remote(root: Path) -> Path:
    """A bare repository with a main branch holding a README, like the GitOps repo before any deploy."""
    remote = root / "remote.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(remote), cwd=root)
    seed = root / "seed"
    git("clone", "--quiet", str(remote), str(seed), cwd=root)
    (seed / "README.md").write_text("GitOps repo\n")
    git("add", ".", cwd=seed)
    git("commit", "--quiet", "-m", "init", cwd=seed)
    git("push", "--quiet", "origin", "HEAD:main", cwd=seed)
    shutil.rmtree(seed)
    return remote


def merge(remote: Path, branch: str, work: Path) -> None:
    """What a reviewer does with the deploy PR: merge it into main."""
    clone = work / f"merge-{branch.replace('/', '-')}"
    git("clone", "--quiet", str(remote), str(clone), cwd=work)
    git("merge", "--quiet", "--no-ff", "-m", f"Merge {branch}", f"origin/{branch}", cwd=clone)
    git("push", "--quiet", "origin", "HEAD:main", cwd=clone)


@pytest.fixture
def fast_retries(monkeypatch):
    """Keep the retry schedule but not its sleeps."""
    from mlpipeline import backoff

    monkeypatch.setattr(backoff, "BASE_DELAY", 0.01)


# --- one registry, two pipeline runs, shared by the tests that only read it ------

PIN_FILE = "k8s/overlays/dev/model-pin.yaml"
# Run 1 is deliberately weak (two stumps) so run 2 beats it as champion by a
# clear margin; floors are lowered for run 1 only so it can pass and deploy.
RUNS = (
    {"train": ["--n-estimators", "2", "--max-depth", "1"], "floors": ["--accuracy-floor", "0.5", "--f1-floor", "0"]},
    {"train": ["--n-estimators", "10"], "floors": ["--accuracy-floor", "0.9", "--f1-floor", "0.85"]},
)


@dataclass
class Pipeline:
    root: Path
    tracking_uri: str
    remote: Path
    checkout: Path
    pulls: RecordingPullRequests
    pushgateway: str
    mlserver: Server
    runs: list[dict]

    def common(self) -> list[str]:
        return ["--tracking-uri", self.tracking_uri, "--model-name", "iris"]

    def deploy(self, version: str, out: Path) -> Result:
        from mlpipeline import deploy

        return run_step("deploy", [*self.common(), "--model-version", version, "--repo-url", str(self.remote),
                                   "--checkout-dir", str(self.checkout)], out,
                        main=lambda argv: deploy.main(argv, pulls=self.pulls))

    def mark_deployed(self, version: str, storage_uri: str, out: Path, served_name: str | None = None,
                      timeout: str = "60", floor: str = "0.5") -> Result:
        return run_step("mark_deployed", [
            *self.common(), "--model-version", version, "--storage-uri", storage_uri, "--readiness", "local",
            "--server-url", self.mlserver.url, "--served-model-name", served_name or f"iris-v{version}",
            "--served-uri", storage_uri, "--ready-timeout", timeout, "--accuracy-floor", floor,
            "--pushgateway-url", self.pushgateway], out)


def pinned(remote: Path, ref: str = "main") -> dict:
    import yaml

    return yaml.safe_load(git("show", f"{ref}:{PIN_FILE}", cwd=remote))["data"]


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory, pushgateway, mlserver) -> Pipeline:
    """train -> validate -> version -> monitor -> deploy -> (merge) -> serve -> mark_deployed, twice."""
    root = tmp_path_factory.mktemp("pipeline")
    p = Pipeline(root, new_registry(root), bare_remote(root), root / "checkout", RecordingPullRequests(),
                 pushgateway, mlserver, [])
    for i, config in enumerate(RUNS, start=1):
        out = root / f"run{i}"
        run: dict = {}
        run["train"] = run_step("train", [*p.common(), "--experiment", "iris", "--pushgateway-url", pushgateway,
                                          *config["train"]], out / "train")
        version = run["train"].outputs["model_version"]
        pick = [*p.common(), "--model-version", version, "--champion-alias", "dev"]
        run["validate"] = run_step("validate", [*pick, *config["floors"]], out / "validate")
        run["version"] = run_step("version", pick, out / "version")
        run["monitor"] = run_step("monitor", [*p.common(), "--model-version", version,
                                              "--pushgateway-url", pushgateway], out / "monitor")
        run["deploy"] = p.deploy(version, out / "deploy")
        merge(p.remote, run["deploy"].outputs["branch"], root)
        run["pin"] = pinned(p.remote)
        serve(mlserver, f"iris-v{version}", run["pin"]["storageUri"])
        run["mark_deployed"] = p.mark_deployed(version, run["pin"]["storageUri"], out / "mark_deployed")
        p.runs.append(run)
    return p
