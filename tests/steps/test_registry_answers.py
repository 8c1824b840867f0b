"""Only "does not exist" means no alias: validate and mark_deployed read a missing champion or deployed alias as
none, and stop on any other answer (a 403, a 503) with one line, instead of judging a candidate against no
champion or treating a set alias as unset. A real MLflow server over a copy of the pipeline's registry, behind a
proxy that answers the alias endpoint as MLflow answers an error; a real MLflow (SQLite) for the missing alias."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from mlflow.server.security_utils import INVALID_HOST_MSG

from gitops.runner.services import Server, free_port
from tests.drills.faults import RefusingEndpoint, start_mlflow
from tests.steps.helpers import Pipeline, run_step
from tests.support.git import git

pytestmark = pytest.mark.slow
ALIAS_ENDPOINT = "/api/2.0/mlflow/registered-models/alias"
DENIED = "User 'pipeline' may not read alias dev of registered model 'iris'"
CREDENTIALS_FIX = (
    "give the step's MLflow user permission on the model (READ to read it, EDIT to change it), or set "
    "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) to a user that has it"
)
UNAVAILABLE = (
    "MLflow tracking server answered HTTP 503 Service Unavailable to all 3 attempts at "
    f"{ALIAS_ENDPOINT}; MLflow answers 503 when its database fails (read-only, locked or full), a proxy when the "
    "server behind it is down (fix: find the cause in the MLflow server's log (its line 'Error in ...' for that "
    "request), fix it, then run the step again)"
)


@dataclass
class Registry:
    sqlite: str  # the copy, read directly
    server: Server  # a real `mlflow server` over the copy
    version: str  # the version the pipeline's MLServer serves
    storage_uri: str


@pytest.fixture(scope="module")
def registry(pipeline: Pipeline, tmp_path_factory) -> Registry:
    """A copy of the pipeline's registry: these tests may move aliases; the session's stays as the pipeline
    left it. Its artifacts are the pipeline's (file:// URIs), so the served model matches the copy."""
    root = tmp_path_factory.mktemp("registry-answers")
    db = root / "mlflow.db"
    shutil.copy(pipeline.tracking_uri.removeprefix("sqlite:///"), db)
    server = start_mlflow(root / "server", None, db)
    last = pipeline.runs[-1]
    yield Registry(f"sqlite:///{db}", server, last["train"].outputs["model_version"], last["pin"]["storageUri"])
    server.stop()


def state(uri: str) -> tuple:
    """Runs, and every version's tags and aliases: what a step that stopped must not have changed."""
    from mlflow import MlflowClient

    client = MlflowClient(uri)
    runs = client.search_runs([e.experiment_id for e in client.search_experiments()])
    versions = [(mv.version, sorted(mv.tags.items()), sorted(mv.aliases)) for mv in client.search_model_versions()]
    return len(runs), sorted(versions)


def validate(uri: str, registry: Registry, out: Path, alias: str = "dev"):
    args = ["--tracking-uri", uri, "--model-name", "iris", "--model-version", registry.version]
    return run_step("validate", [*args, "--champion-alias", alias], out)


def mark_deployed(uri: str, registry: Registry, pipeline: Pipeline, out: Path, alias: str = "dev"):
    return run_step(
        "mark_deployed",
        [
            *("--tracking-uri", uri, "--model-name", "iris", "--model-version", registry.version),
            *("--storage-uri", registry.storage_uri, "--alias", alias, "--readiness", "local"),
            *("--server-url", pipeline.mlserver.url, "--served-model-name", f"iris-v{registry.version}"),
            *("--served-uri", registry.storage_uri, "--ready-timeout", "60", "--accuracy-floor", "0.5"),
            # Nothing of these tests reaches the session's Pushgateway.
            *("--pushgateway-url", f"http://127.0.0.1:{free_port()}", "--push-optional", "true"),
            *(
                "--deployed-commit",
                git(pipeline.remote, "rev-parse", "main").strip(),
                "--repo-url",
                str(pipeline.remote),
            ),
        ],
        out,
    )


# MLflow's basic-auth app (mlflow/server/auth/__init__.py, 3.17.2) answers in plain text; the 401 links its docs.
AUTH_403 = "Permission denied"
AUTH_401 = (
    "You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html"
    "#authenticating-to-mlflow on how to authenticate."
)


# MLflow 3's Host header check answers this 403 (its own constant), which only an allowed host name heals.
HOST_REFUSED = (
    f"MLflow tracking server refused the Host header (HTTP 403 at {ALIAS_ENDPOINT}: {INVALID_HOST_MSG}) (fix: name the "
    "server in --tracking-uri by a host:port it allows (its --allowed-hosts, MLFLOW_SERVER_ALLOWED_HOSTS; the chart's "
    "serverAllowedHosts in argocd/apps/application-mlflow.yaml), or add that one there)"
)


def refused(said: str) -> str:
    return f"MLflow tracking server refused the request ({said}) (fix: {CREDENTIALS_FIX})"


@pytest.mark.parametrize(
    ("step", "status", "body", "exit_code", "line", "attempts"),
    [
        pytest.param(
            s,
            403,
            AUTH_403,
            2,
            refused(f"PERMISSION_DENIED: HTTP 403 at {ALIAS_ENDPOINT}: {AUTH_403}"),
            1,
            id=f"{s}-403",
        )
        for s in ("validate", "mark_deployed")
    ]
    + [
        pytest.param(
            "validate",
            401,
            AUTH_401,
            2,
            refused(f"UNAUTHENTICATED: HTTP 401 at {ALIAS_ENDPOINT}"),
            1,
            id="validate-401",
        ),
        pytest.param("validate", 403, INVALID_HOST_MSG, 2, HOST_REFUSED, 1, id="validate-403-host-header"),
        pytest.param(
            "validate",
            403,
            {"error_code": "PERMISSION_DENIED", "message": DENIED},
            2,
            refused(f"PERMISSION_DENIED: {DENIED}"),
            1,
            id="validate-403-json",
        ),
    ]
    + [
        pytest.param(s, 503, {"error_code": "TEMPORARILY_UNAVAILABLE", "message": ""}, 1, UNAVAILABLE, 3, id=f"{s}-503")
        for s in ("validate", "mark_deployed")
    ],
)
def test_an_alias_the_registry_will_not_read_stops_the_step_in_one_line(
    registry, pipeline, tmp_path, step, status, body, exit_code, line, attempts
):
    proxy = RefusingEndpoint(registry.server.url, ALIAS_ENDPOINT, status, body)
    before = state(registry.sqlite)
    try:
        if step == "validate":
            result = validate(proxy.url, registry, tmp_path / "out")
        else:
            result = mark_deployed(proxy.url, registry, pipeline, tmp_path / "out")
    finally:
        proxy.stop()
    assert (result.code, result.error_line) == (exit_code, f"{step}: --tracking-uri {proxy.url}: {line}")
    assert "Traceback" not in result.stderr
    assert proxy.hits == attempts  # it asked, and MLflow's client retried only what it retries
    assert result.outputs == {}  # Argo sees a failed step: no verdict, no alias_moved
    assert state(registry.sqlite) == before  # no validation run or verdict, no audit tags, no alias moved


def test_validate_reads_a_missing_champion_alias_as_no_champion(registry, tmp_path):
    result = validate(registry.sqlite, registry, tmp_path / "out", alias="never-set")
    assert result.code == 0, result.stderr
    assert result.outputs["champion_version"] == ""


def test_mark_deployed_moves_an_alias_that_does_not_exist_yet(registry, pipeline, tmp_path):
    from mlflow import MlflowClient

    result = mark_deployed(registry.server.url, registry, pipeline, tmp_path / "out", alias="first-time")
    assert (result.code, result.outputs) == (0, {"alias_moved": "true"}), result.stderr
    assert MlflowClient(registry.sqlite).get_model_version_by_alias("iris", "first-time").version == int(
        registry.version
    )
