"""Drill: the MLflow server dies before train starts, and in the middle of train (the run logged, the version
not yet registered). train stops with one line naming the server and where it stopped; the registry holds
nothing half-done (no version), and once the server is back the next run trains and registers cleanly."""

from __future__ import annotations

import pytest

from tests.drills.faults import DyingProxy, kill, start_mlflow
from tests.drills.processes import registry, step

pytestmark = pytest.mark.slow
TRAIN = ["--model-name", "iris", "--experiment", "iris", "--n-estimators", "10", "--max-depth", "5"]


def test_the_server_killed_before_train(tmp_path):
    server = start_mlflow(tmp_path / "mlflow")
    kill(server)
    done = step("train", "--tracking-uri", server.url, *TRAIN, "--outputs-dir", str(tmp_path / "out"), cwd=tmp_path)
    assert (done.code, done.last_line) == (
        1,
        f"train: --tracking-uri {server.url}: MLflow tracking server unreachable (ConnectionError) "
        "(fix: check MLFLOW_TRACKING_URI and that the MLflow server is running)",
    )
    assert registry(tmp_path / "mlflow" / "mlflow.db") == {"runs": [], "versions": {}, "aliases": {}}
    assert list((tmp_path / "out").iterdir()) == []  # no output parameters: Argo sees a failed step


def test_the_server_killed_after_the_run_is_logged_before_the_version_is_registered(tmp_path):
    root = tmp_path / "mlflow"
    server = start_mlflow(root)
    # The first request of mlflow.register_model: everything before it (params, artifacts, model) went through.
    proxy = DyingProxy(server, b"POST /api/2.0/mlflow/registered-models/create")
    done = step("train", "--tracking-uri", proxy.url, *TRAIN, "--outputs-dir", str(tmp_path / "out"), cwd=tmp_path)
    assert proxy.fired.is_set()
    state = registry(root / "mlflow.db")
    [(run_id, status)] = state["runs"]
    assert (done.code, done.last_line) == (
        1,
        f"train: --tracking-uri {proxy.url}: run {run_id}: MLflow tracking server refused the connection at "
        "/api/2.0/mlflow/registered-models/create; no model version was registered (fix: check that the MLflow "
        "server is running and MLFLOW_TRACKING_URI names it, then run the step again; the next run trains again)",
    )
    # The server died before it could mark the run ended: it stays RUNNING, and no version points at it.
    assert (status, state["versions"], state["aliases"]) == ("RUNNING", {}, {})
    assert list((tmp_path / "out").iterdir()) == []  # no output parameters: Argo sees a failed step

    again = start_mlflow(root)  # back, on the same database
    try:
        healed = step("train", "--tracking-uri", again.url, *TRAIN, "--outputs-dir", str(tmp_path / "o"), cwd=tmp_path)
    finally:
        again.stop()
    assert healed.code == 0, healed.stderr
    versions = registry(root / "mlflow.db")["versions"]
    assert list(versions) == [("iris", "1")]
    assert versions[("iris", "1")]["run_id"] != run_id  # the orphan run never got a version
