"""Failures made the way they happen: processes killed by their process group, a proxy that lets the MLflow
server die at one exact request, a git server that refuses a push through its own hook."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

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


class RefusingEndpoint:
    """An HTTP proxy in front of a real MLflow server that answers one endpoint itself with `status` and `body`:
    a dict goes as MLflow's JSON error ({"error_code": ..., "message": ...}, what its handlers send); text goes
    as plain text, what MLflow's basic-auth app sends for 401 and 403 (mlflow/server/auth/__init__.py).
    Every other request reaches the server unchanged. `hits` counts the refused requests (the client's retries)."""

    def __init__(self, upstream: str, path: str, status: int, body: dict | str):
        self.upstream = urlsplit(upstream)
        self.path, self.status = path, status
        if isinstance(body, dict):
            self.body, self.content_type = json.dumps(body).encode(), "application/json"
        else:
            self.body, self.content_type = body.encode(), "text/html; charset=utf-8"
        self.hits = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Forwarding,), {"proxy": self}))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Forwarding(BaseHTTPRequestHandler):
    proxy: RefusingEndpoint
    protocol_version = "HTTP/1.1"
    HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}

    def _answer(self) -> None:
        request = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.split("?")[0] == self.proxy.path:
            self.proxy.hits += 1
            status, headers, body = self.proxy.status, [("Content-Type", self.proxy.content_type)], self.proxy.body
        else:
            upstream = http.client.HTTPConnection(self.proxy.upstream.hostname, self.proxy.upstream.port, timeout=60)
            sent = {k: v for k, v in self.headers.items() if k.lower() not in self.HOP_BY_HOP}
            upstream.request(self.command, self.path, request, sent)
            answer = upstream.getresponse()
            status, body = answer.status, answer.read()
            headers = [(k, v) for k, v in answer.getheaders() if k.lower() not in self.HOP_BY_HOP]
            upstream.close()
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer

    def log_message(self, *args) -> None:  # the test asserts on the step's stderr, not the proxy's
        pass


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
