"""Drill: the Pushgateway is down. monitor fails with one line naming it; the PostSync check does not move the
alias without its metrics (and records nothing on the version); the registry is exactly as before."""

from __future__ import annotations

import pytest

from gitops.runner import services
from tests.drills.processes import registry, step

pytestmark = pytest.mark.slow


def test_monitor_and_the_postsync_check_stop_and_change_nothing(own_demo, tmp_path):
    # Its own copy: a regression that let the prod check through would move the shared demo's production alias.
    db = own_demo / "mlflow" / "mlflow.db"
    uri = f"sqlite:///{db}"
    gateway = services.start_pushgateway(tmp_path / "pushgateway.log")
    gateway.stop()  # it was there; now it is not
    from mlflow import MlflowClient

    before = registry(db)
    name, version = "iris", str(MlflowClient(uri).get_model_version_by_alias("iris", "dev").version)
    line = (
        f"--pushgateway-url {gateway.url}: Pushgateway unreachable after retries "
        "(fix: check PUSHGATEWAY_URL, or pass --push-optional true for a local run)"
    )
    common = ["--tracking-uri", uri, "--model-name", name, "--model-version", version, "--pushgateway-url", gateway.url]

    monitor = step("monitor", *common, "--outputs-dir", str(tmp_path / "monitor"), cwd=tmp_path)
    assert (monitor.code, monitor.last_line) == (1, f"monitor: {line}")

    storage = MlflowClient(uri).get_model_version_download_uri(name, version)
    mlserver = services.start_mlserver(tmp_path / "mlserver")
    try:
        services.serve(mlserver, name, storage)
        check = step(
            "mark_deployed",
            *common,
            "--storage-uri",
            storage,
            "--environment",
            "prod",
            "--readiness",
            "local",
            "--server-url",
            mlserver.url,
            "--served-uri",
            storage,
            "--ready-timeout",
            "30",
            "--outputs-dir",
            str(tmp_path / "mark_deployed"),
            cwd=tmp_path,
        )
    finally:
        mlserver.stop()
    assert (check.code, check.last_line) == (1, f"mark_deployed: {line}")
    assert registry(db) == before  # no production alias, no deployed.prod tags, nothing else
