"""MLServer started the way the serving image and the ServingRuntime start it writes only under /tmp.

The real server from .venv (MLServer 1.7.1 with its MLflow runtime, the
serving lock's versions), given the serving image's ENV and the rendered
ServingRuntime's env, with /tmp mapped to a test directory and the KServe
settings KServe adds for an MLServer runtime (MLSERVER_MODEL_NAME, and
MLSERVER_MODEL_URI=/mnt/models, here the saved model). MLServer creates its
metrics and environments directories at start, by default under its working
directory (mlserver/settings.py, DEFAULT_METRICS_DIR and
DEFAULT_ENVIRONMENTS_DIR): the working directory must stay empty. The image
runs no parallel workers (its ENV says why), as the local demo's MLServer does.
"""

from __future__ import annotations

import requests

from gitops.runner import services
from tests.manifests.rendering import find, model_docs
from tests.serving.dockerfile import env
from tests.serving.test_model_requirements import saved_model

PORTS = {"MLSERVER_HTTP_PORT", "MLSERVER_GRPC_PORT", "MLSERVER_METRICS_PORT"}


def runtime_container() -> dict:
    (runtime,) = find(model_docs("dev", "iris"), "ServingRuntime", "iris-mlserver")
    (container,) = runtime["spec"]["containers"]
    return container


def test_mlserver_serves_the_model_and_its_metrics_writing_only_under_tmp(tmp_path):
    tmp, workdir = tmp_path / "tmp", tmp_path / "workdir"
    tmp.mkdir()
    workdir.mkdir()
    container = runtime_container()
    image_env = {k: v.replace("/tmp", str(tmp)) for k, v in env("serving").items() if k != "PATH"}
    runtime_env = {e["name"]: e["value"] for e in container["env"]}
    ports = {name: str(services.free_port()) for name in PORTS}
    model = saved_model(tmp_path)
    settings = {
        **image_env,
        **runtime_env,
        **ports,
        "MLSERVER_MODEL_NAME": "iris",
        "MLSERVER_MODEL_URI": str(model),
        "MLSERVER_HOST": "127.0.0.1",
    }
    probe = container["readinessProbe"]["httpGet"]["path"].replace("{{.Name}}", "iris")
    url = f"http://127.0.0.1:{ports['MLSERVER_HTTP_PORT']}"
    server = services.start_server(
        [str(services.VENV_BIN / "mlserver"), "start", str(model)],
        url,
        probe,
        tmp_path / "mlserver.log",
        env=settings,
        timeout=120,
        cwd=workdir,
    )
    try:
        metrics = requests.get(f"http://127.0.0.1:{ports['MLSERVER_METRICS_PORT']}/metrics", timeout=10)
        assert metrics.status_code == 200
    finally:
        server.stop()
    assert sorted(p.name for p in workdir.iterdir()) == []
