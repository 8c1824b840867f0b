"""The GitHub pulls API as an HTTP server on loopback: the one double, for step processes that use the real
client (mlpipeline.github) over the network. It keeps GitHub's rule that matters to re-runs: one open pull
request per head branch; a second POST for it gets 422, and the client finds the open one."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class GitHubAPI:
    def __init__(self) -> None:
        self.pulls: list[dict] = []  # every pull request opened, in order
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status: int, payload) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802 (http.server's naming)
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with api.lock:
                    if any(pr["head"] == request["head"] for pr in api.pulls):
                        self._reply(422, {"message": "Validation Failed: a pull request already exists"})
                        return
                    number = len(api.pulls) + 1
                    api.pulls.append({**request, "number": number})
                self._reply(201, {"number": number, "html_url": f"https://github.test/pull/{number}"})

            def do_GET(self):  # noqa: N802
                head = parse_qs(urlparse(self.path).query)["head"][0].split(":", 1)[1]
                found = [pr for pr in api.pulls if pr["head"] == head]
                self._reply(
                    200,
                    [{"number": pr["number"], "html_url": f"https://github.test/pull/{pr['number']}"} for pr in found],
                )

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
