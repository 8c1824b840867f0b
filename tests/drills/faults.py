"""Failures made the way they happen: processes killed by their process group, a proxy that lets the MLflow
server die at one exact request, a git server that refuses a push through its own hook."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
from pathlib import Path

from gitops.runner.services import Server, free_port, start_server
from tests.steps.helpers import VENV_BIN


def start_mlflow(root: Path, port: int | None = None, database: Path | None = None, *options: str) -> Server:
    """A real `mlflow server` on loopback (setsid, one worker, job execution off: two cores here), its
    registry in SQLite under `root` (or at `database`), which a drill reads directly once the server is dead.
    `options` go to `mlflow server` as they are."""
    port = port or free_port()
    database = database or root / "mlflow.db"
    root.mkdir(parents=True, exist_ok=True)
    return start_server(
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
            f"sqlite:///{database}",
            "--artifacts-destination",
            str(root / "artifacts"),
            *options,
        ],
        f"http://127.0.0.1:{port}",
        "/health",
        root / "server.log",
        env={"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
        timeout=120,
        cwd=root,
    )


def kill(server: Server) -> None:
    """SIGKILL the server's whole process group: a crash, not a shutdown."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()


class DyingProxy:
    """Forwards TCP to `server` until a request whose first bytes contain `trigger` arrives; then it kills the
    server before forwarding, drops that connection and stops listening: the server died at that request."""

    def __init__(self, server: Server, trigger: bytes):
        self.server, self.trigger = server, trigger
        self.target = ("127.0.0.1", int(server.url.rsplit(":", 1)[1]))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.fired = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.fired.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._client, args=(client,), daemon=True).start()

    def _client(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target)
        except OSError:
            client.close()
            return
        threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()
        with client, upstream:
            while chunk := client.recv(65536):
                if self.trigger in chunk:
                    kill(self.server)
                    self.fired.set()
                    self.listener.close()
                    return
                upstream.sendall(chunk)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)


def reject_pushes(bare: Path, message: str) -> None:
    """A pre-receive hook on the bare repository: every push is refused with `message`, as a server policy."""
    hook = bare / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit 1\n")
    hook.chmod(0o755)


def hold_pushes(bare: Path, marker: Path) -> None:
    """A pre-receive hook that writes `marker` and then holds the push (a slow server policy): a drill waits
    for the marker, so its signal comes while the push is in flight, every time."""
    hook = bare / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\ntouch '{marker}'\nsleep 120\nexit 1\n")
    hook.chmod(0o755)
