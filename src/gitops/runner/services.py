"""Local stand-ins for the platform's services: started in their own process group, stopped by its id.

The Pushgateway is Debian's binary; MLServer with its MLflow runtime is the
server KServe runs for `modelFormat: mlflow`. Tests and the local runner
share these, so both exercise the same servers the same way.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from gitops.runner import children

PUSHGATEWAY = "/usr/bin/prometheus-pushgateway"
VENV_BIN = Path(sys.executable).parent
READY_POLL_S = 0.02  # the Pushgateway is ready in tens of milliseconds: a coarse poll would be most of its start


class ServiceError(Exception):
    """A local service did not start or refused a model: one line, naming its log (the detail is there)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path
    root: Path | None = field(default=None)
    health: str = ""
    timeout: float = 90

    def wait_ready(self) -> Server:
        """Until the health URL answers 200; ServiceError (and the server stopped) if it exits or never does."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServiceError(
                    f"{self.name} exited with {self.process.returncode} before it was ready: {self.last_log_line()} "
                    f"(log: {self.log}) (fix: remove the cause its log names, then run again)"
                )
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + self.health, timeout=2).status_code == 200:
                    return self
            time.sleep(READY_POLL_S)
        self.stop()
        raise ServiceError(
            f"{self.name} not ready on {self.url}{self.health} after {self.timeout:g} s (log: {self.log}) (fix: "
            "see its log; on a busy machine, run again)"
        )

    @property
    def name(self) -> str:
        return Path(self.process.args[0]).name

    def last_log_line(self) -> str:
        try:
            lines = [line.strip() for line in self.log.read_text(errors="replace").splitlines() if line.strip()]
        except OSError:
            lines = []
        return lines[-1][:300] if lines else "no output"

    def terminate(self) -> None:
        """SIGTERM to the whole process group (the server and any worker it forked), without waiting."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)

    def stop(self) -> None:
        """Stop the whole process group and wait for it."""
        self.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start_server(
    argv: list[str],
    url: str,
    health: str,
    log: Path,
    env: dict | None = None,
    timeout: float = 90,
    cwd: Path | None = None,
    wait: bool = True,
) -> Server:
    """Start a server in its own process group; with wait=False, call wait_ready() before using it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as handle:
        process = subprocess.Popen(
            argv,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            preexec_fn=children.dies_with_this_process(),  # a runner killed outright leaves no server behind
        )
    server = Server(process, url, log, health=health, timeout=timeout)
    return server.wait_ready() if wait else server


def pushgateway_installed() -> bool:
    return os.access(PUSHGATEWAY, os.X_OK)


def start_pushgateway(log: Path, wait: bool = True) -> Server:
    port = free_port()
    return start_server(
        [PUSHGATEWAY, f"--web.listen-address=127.0.0.1:{port}"], f"http://127.0.0.1:{port}", "/-/ready", log, wait=wait
    )


def start_mlserver(root: Path, wait: bool = True) -> Server:
    """An MLServer with an empty model repository under `root`; models are added with serve()."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    (root / "settings.json").write_text(
        json.dumps(
            {
                "host": "127.0.0.1",
                "http_port": port,
                "grpc_port": free_port(),
                "metrics_port": free_port(),
                "parallel_workers": 0,  # one process: two cores here
            }
        )
    )
    server = start_server(
        [str(VENV_BIN / "mlserver"), "start", str(root)],
        f"http://127.0.0.1:{port}",
        "/v2/health/ready",
        root.parent / f"{root.name}.log",
        wait=wait,
    )
    server.root = root
    return server


def serve(server: Server, name: str, uri: str) -> None:
    """Load the model at `uri` into MLServer's MLflow runtime under `name`, as KServe would."""
    assert server.root is not None
    folder = server.root / name
    folder.mkdir(exist_ok=True)
    (folder / "model-settings.json").write_text(
        json.dumps({"name": name, "implementation": "mlserver_mlflow.MLflowRuntime", "parameters": {"uri": uri}})
    )
    response = requests.post(f"{server.url}/v2/repository/models/{name}/load", timeout=120)
    if response.status_code != 200:
        try:
            detail = str(response.json().get("error") or response.text)
        except ValueError:
            detail = response.text
        detail = " ".join(detail.split())[:300] or "no detail"  # one line: the whole story is in the log
        raise ServiceError(
            f"MLServer could not load {uri} as {name}: HTTP {response.status_code} {detail} (log: {server.log}) "
            "(fix: pin a model version the registry holds, in the environment's pin file, then run again)"
        )
