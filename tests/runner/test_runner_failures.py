"""Bad input and services that fail end a run in one line (cause, file, fix), exit 2, no traceback, and
nothing the run started left running: a bad secrets file, an MLflow store it cannot write, a server that
never gets ready, a model MLServer will not load."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from gitops.runner import services
from tests.runner.processes import processes_under
from tests.support.filesystems import read_only

REPO = Path(__file__).resolve().parents[2]
# The runner with the Pushgateway's binary replaced by argv[1] (a test's stand-in that fails to start).
WITH_PUSHGATEWAY = (
    "import sys; from gitops.runner import services; services.PUSHGATEWAY = sys.argv[1]; "
    "from gitops.runner.__main__ import main; sys.exit(main(sys.argv[2:]))"
)


def run(tmp_path: Path, *args: str, prelude: list[str] | None = None) -> subprocess.CompletedProcess:
    """The runner on the dev overlay with its state in tmp_path/.local and its $TMPDIR (so the step
    server's home) in tmp_path/tmp."""
    (tmp_path / "tmp").mkdir(exist_ok=True)
    argv = [sys.executable, *(prelude or ["-m", "gitops.runner"])]
    argv += ["--repo", str(REPO), "--state-dir", str(tmp_path / ".local"), *args]
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    return subprocess.run(argv, capture_output=True, text=True, cwd=REPO, env=env, timeout=300)


def assert_one_line_and_nothing_left(done: subprocess.CompletedProcess, line: str, tmp_path: Path) -> None:
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == line
    assert processes_under(tmp_path) == []
    assert list((tmp_path / "tmp").iterdir()) == []  # the step server's home is gone with it


def test_a_bad_secrets_line_refuses_the_run_before_anything_starts(tmp_path):
    state = tmp_path / ".local"
    state.mkdir()
    (state / "secrets.env").write_text("# local secrets\nmlflow-s3/AWS_ACCESS_KEY_ID=x\nnot a secret line\n")
    done = run(tmp_path)
    assert_one_line_and_nothing_left(
        done,
        f"runner: {state}/secrets.env:3: not a secret line: expected lines of SECRET_NAME/KEY=value (fix: write it "
        "as NAME/KEY=value, or start it with # to comment it out)",
        tmp_path,
    )
    assert not (state / "runs").exists()


def test_an_mlflow_store_it_cannot_write_is_one_line_before_any_server_starts(tmp_path):
    mlflow_dir = tmp_path / ".local" / "mlflow"
    mlflow_dir.mkdir(parents=True)
    with read_only(mlflow_dir):
        done = run(tmp_path)
    assert_one_line_and_nothing_left(
        done,
        f"runner: {mlflow_dir}: not writable, so MLflow cannot create mlflow.db there (fix: make {mlflow_dir} "
        "writable, or pass --state-dir on a writable disk)",
        tmp_path,
    )


def test_an_mlflow_database_that_is_not_a_file_is_one_line(tmp_path):
    db = tmp_path / ".local" / "mlflow" / "mlflow.db"
    db.mkdir(parents=True)
    done = run(tmp_path, "--no-serve")
    assert_one_line_and_nothing_left(
        done, f"runner: {db}: the MLflow database is not a file (fix: move it away, or pass --tracking-uri)", tmp_path
    )


def test_a_server_that_exits_before_it_is_ready_stops_the_others_and_names_its_log(tmp_path):
    fake = tmp_path / "prometheus-pushgateway"
    fake.write_text("#!/bin/sh\necho 'listen tcp 127.0.0.1:9091: bind: address already in use' >&2\nexit 1\n")
    fake.chmod(0o755)
    # Serving: MLServer starts beside it and must be stopped too.
    done = run(tmp_path, prelude=["-c", WITH_PUSHGATEWAY, str(fake)])
    (run_dir,) = (tmp_path / ".local" / "runs").iterdir()
    assert_one_line_and_nothing_left(
        done,
        "runner: prometheus-pushgateway exited with 1 before it was ready: listen tcp 127.0.0.1:9091: bind: address "
        f"already in use (log: {run_dir}/pushgateway.log) (fix: remove the cause its log names, then run again)",
        tmp_path,
    )


class _Refuses(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.dumps({"error": "Model not found:\n  version 7 of iris does not exist"}).encode()
        self.send_response(400)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_model_mlserver_will_not_load_is_one_line_naming_its_log(tmp_path):
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Refuses)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        server = services.Server(None, f"http://127.0.0.1:{httpd.server_port}", tmp_path / "mlserver.log", tmp_path)
        with pytest.raises(services.ServiceError) as err:
            services.serve(server, "iris", "models:/iris/7")
    finally:
        httpd.shutdown()
    assert str(err.value) == (
        "MLServer could not load models:/iris/7 as iris: HTTP 400 Model not found: version 7 of iris does not exist "
        f"(log: {tmp_path}/mlserver.log) (fix: pin a model version the registry holds, in the environment's pin "
        "file, then run again)"
    )
