"""Fixtures for the pipeline step tests: real servers on loopback, real git, real MLflow.

Servers start once per session (setsid, own process group) and are stopped by
killing that group, never by name. A missing server binary fails the test
with the command that installs it; nothing is skipped.
"""

from __future__ import annotations

import pytest

from gitops.runner import services
from gitops.runner.services import free_port, start_server
from tests.steps.helpers import (
    RUNS,
    VENV_BIN,
    Pipeline,
    bare_remote,
    merge,
    new_registry,
    pinned,
    run_step,
    serve,
)
from tests.support.doubles import RecordingPullRequests


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


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory):
    """A real `mlflow server` on loopback: one worker, job execution off (the machine has two cores)."""
    root = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    server = start_server(
        [
            str(VENV_BIN / "mlflow"),
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--backend-store-uri",
            f"sqlite:///{root}/mlflow.db",
            "--artifacts-destination",
            str(root / "artifacts"),
        ],
        f"http://127.0.0.1:{port}",
        "/health",
        root / "log",
        env={"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
        timeout=120,
        cwd=root,
    )
    yield server.url
    server.stop()


@pytest.fixture
def fast_retries(monkeypatch):
    """Keep the retry schedule but not its sleeps."""
    from mlpipeline import backoff

    monkeypatch.setattr(backoff, "BASE_DELAY", 0.01)


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory, pushgateway, mlserver) -> Pipeline:
    """train -> validate -> version -> monitor -> deploy -> (merge) -> serve -> mark_deployed, twice."""
    root = tmp_path_factory.mktemp("pipeline")
    p = Pipeline(
        root,
        new_registry(root),
        bare_remote(root),
        root / "checkout",
        RecordingPullRequests(),
        pushgateway,
        mlserver,
        [],
    )
    for i, config in enumerate(RUNS, start=1):
        out = root / f"run{i}"
        run: dict = {}
        run["train"] = run_step(
            "train",
            [*p.common(), "--experiment", "iris", "--pushgateway-url", pushgateway, *config["train"]],
            out / "train",
        )
        version = run["train"].outputs["model_version"]
        pick = [*p.common(), "--model-version", version, "--champion-alias", "dev"]
        run["validate"] = run_step("validate", [*pick, *config["floors"]], out / "validate")
        run["version"] = run_step("version", pick, out / "version")
        run["monitor"] = run_step(
            "monitor", [*p.common(), "--model-version", version, "--pushgateway-url", pushgateway], out / "monitor"
        )
        run["deploy"] = p.deploy(version, out / "deploy")
        merge(p.remote, run["deploy"].outputs["branch"], root)
        run["pin"] = pinned(p.remote)
        serve(mlserver, f"iris-v{version}", run["pin"]["storageUri"])
        run["mark_deployed"] = p.mark_deployed(version, run["pin"]["storageUri"], out / "mark_deployed")
        p.runs.append(run)
    return p
