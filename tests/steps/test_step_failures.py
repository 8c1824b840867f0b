"""Failures from below the steps (database, server, disk) end in one line that names the cause, and the
right exit code: 2 when no retry heals it, so the WorkflowTemplate's retry expression (exit 1) leaves it alone."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlpipeline import failures
from tests.steps.helpers import new_registry, run_step
from tests.support.filesystems import read_only


def step_process(step: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", f"mlpipeline.{step}", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "MLPIPELINE_BACKOFF_SECONDS": "0.01"},
        timeout=120,
    )


# `python -m <module>`, noting each wait of the main thread in the file $WAITS: every retry loop on the way
# (MLflow's engine and write retries, urllib3's, mlpipeline.backoff) waits before its next attempt.
COUNTING_WAITS = """
import json, os, runpy, sys, threading, time
waits, sleep = [], time.sleep
def noted(seconds):
    if threading.current_thread() is threading.main_thread():
        waits.append(seconds)
    sleep(seconds)
time.sleep = noted
try:
    runpy.run_module(sys.argv.pop(1), run_name="__main__", alter_sys=True)
finally:
    with open(os.environ["WAITS"], "w") as out:
        json.dump(waits, out)
"""


def step_process_counting_waits(step: str, args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, list]:
    """The step as step_process runs it, and the waits between attempts it made."""
    waits = cwd / "waits.json"
    done = subprocess.run(
        [sys.executable, "-c", COUNTING_WAITS, f"mlpipeline.{step}", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "MLPIPELINE_BACKOFF_SECONDS": "0.01", "WAITS": str(waits)},
        timeout=120,
    )
    return done, json.loads(waits.read_text())


def registry_counts(uri: str) -> tuple[int, int]:
    from mlflow import MlflowClient

    client = MlflowClient(uri)
    runs = client.search_runs([e.experiment_id for e in client.search_experiments()])
    return len(runs), len(client.search_model_versions())


@pytest.mark.slow
def test_a_read_only_registry_database_stops_at_once_with_its_cause_and_exit_2(tmp_path):
    registry = tmp_path / "registry"
    registry.mkdir()
    uri = new_registry(registry)
    args = ["--tracking-uri", uri, "--model-name", "iris", "--experiment", "iris", "--outputs-dir", str(tmp_path)]
    with read_only(registry):
        done, waits = step_process_counting_waits("train", [*args, "--n-estimators", "2"], tmp_path)
    assert waits == []  # one attempt: no round of retries on a cause that never heals
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"train: --tracking-uri {uri}: the registry database is read-only (attempt to write a readonly database) "
        f"(fix: make {registry}/mlflow.db and its directory writable by the user the step runs as, or point "
        "MLFLOW_TRACKING_URI at a writable database)"
    ]
    assert registry_counts(uri) == (0, 0)


def test_an_unknown_failure_keeps_its_traceback_and_still_ends_with_one_line(tmp_path):
    def buggy(argv):
        {}["missing"]

    result = run_step("train", [], tmp_path, main=buggy)
    assert result.code == 1
    assert "Traceback (most recent call last):" in result.stderr
    assert result.error_line == (
        "train: KeyError: 'missing' (fix: this is a bug in the step, not in its inputs; the traceback above "
        "shows where)"
    )


# Texts the libraries really produce (captured from MLflow 3 with SQLAlchemy and requests), and what the
# operator reads for each.
LIBRARY_TEXTS = [
    pytest.param(
        "sqlite:////srv/mlflow.db",
        "(sqlite3.OperationalError) database is locked\n[SQL: UPDATE ...]\n"
        "(Background on this error at: https://sqlalche.me/e/21/e3q8)",
        "train: --tracking-uri sqlite:////srv/mlflow.db: the registry database is locked by another writer "
        "(database is locked) (fix: retry when the other run has finished: SQLite takes one writer at a time)",
        1,
        id="sqlite-locked",
    ),
    pytest.param(
        "http://mlflow:5000",
        "API request to http://mlflow:5000/api/2.0/mlflow/model-versions/create failed with exception "
        "HTTPConnectionPool(host='mlflow', port=5000): Max retries exceeded with url: "
        "/api/2.0/mlflow/model-versions/create (Caused by NewConnectionError(\"HTTPConnection(host='mlflow', "
        'port=5000): Failed to establish a new connection: [Errno 111] Connection refused"))',
        "train: --tracking-uri http://mlflow:5000: MLflow tracking server refused the connection at "
        "/api/2.0/mlflow/model-versions/create (fix: check that the MLflow server is running and "
        "MLFLOW_TRACKING_URI names it, then run the step again)",
        1,
        id="server-gone",
    ),
    # A server that refuses the request without a JSON body: MLflow's host check (--allowed-hosts) answers 403 in
    # plain text, a status the client does not retry. (A database failure is a 503 the client retries until
    # urllib3 gives up without the body: tests/drills/test_registry_read_only.py runs that with a real server.)
    pytest.param(
        "http://mlflow:5000",
        "API request to endpoint /api/2.0/mlflow/runs/create failed with error code 403 != 200. Response body: "
        "'Invalid Host header - possible DNS rebinding attack detected'",
        "train: --tracking-uri http://mlflow:5000: MLflow tracking server answered HTTP 403 at "
        "/api/2.0/mlflow/runs/create: Invalid Host header - possible DNS rebinding attack detected (fix: read the "
        "MLflow server's log for the cause, then run the step again)",
        1,
        id="server-error",
    ),
]


@pytest.mark.parametrize(("uri", "text", "line", "code"), LIBRARY_TEXTS)
def test_library_failures_read_as_their_cause(uri, text, line, code, monkeypatch):
    from mlflow.exceptions import MlflowException

    monkeypatch.setattr(failures, "tracking_uri", uri)
    explained = failures.explain(MlflowException(text))
    assert (explained.line("train"), explained.exit_code) == (line, code)


def test_a_full_disk_names_the_file_and_says_to_free_space():
    wrapped = RuntimeError("while writing outputs")
    wrapped.__cause__ = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/tmp/outputs/summary.json")
    explained = failures.explain(wrapped)
    assert (explained.line("train"), explained.exit_code) == (
        "train: /tmp/outputs/summary.json: no space left on device (fix: free space there, or give the step a "
        "bigger volume)",
        1,
    )
    assert failures.explain(RuntimeError("no known cause")) is None  # a bug: the traceback stays


def test_ctrl_c_in_a_step_ends_in_its_one_line_and_exit_130(tmp_path):
    import signal
    import socket

    # A tracking server that accepts and never answers: accept() returning means the step is inside main(),
    # waiting on the registry, so the SIGINT lands there every time.
    silent = socket.create_server(("127.0.0.1", 0))
    uri = f"http://127.0.0.1:{silent.getsockname()[1]}"
    train = subprocess.Popen(
        [sys.executable, "-m", "mlpipeline.train", "--tracking-uri", uri, "--model-name", "iris"]
        + ["--experiment", "iris", "--outputs-dir", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        start_new_session=True,  # a terminal's foreground job: Ctrl-C is SIGINT to its group
    )
    silent.settimeout(120)
    with silent, silent.accept()[0]:
        os.killpg(train.pid, signal.SIGINT)
        out, err = train.communicate(timeout=60)
    assert (train.returncode, err) == (
        130,
        "train: interrupted (SIGINT) before it finished (fix: run the step again)\n",
    )
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
