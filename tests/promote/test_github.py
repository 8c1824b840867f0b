"""The real GitHub REST client against a local stand-in for the GitHub API (the one allowed double)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mlpipeline.github import GitHubError, GitHubPullRequests
from mlpipeline.pullrequests import PullRequest


class FakeGitHub(BaseHTTPRequestHandler):
    comments: list[dict] = []
    requests: list[tuple[str, str, dict | None]] = []

    def _reply(self, status: int, payload) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _payload(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length)) if length else None

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.requests.append(("GET", self.path, None))
        if "/pulls?" in self.path:
            self._reply(200, [{"number": 12, "html_url": "https://github.test/o/r/pull/12"}])
            return
        page = int(self.path.rpartition("page=")[2])
        self._reply(200, self.comments[(page - 1) * 100 : page * 100])

    def do_POST(self):  # noqa: N802
        payload = self._payload()
        self.requests.append(("POST", self.path, payload))
        if self.headers["Authorization"] != "Bearer t0ken":
            self._reply(401, {"message": "Bad credentials"})
        elif self.path.endswith("/pulls") and payload["head"] == "already-open":
            self._reply(422, {"message": "Validation Failed"})
        elif self.path.endswith("/pulls"):
            self._reply(201, {"number": 12, "html_url": "https://github.test/o/r/pull/12"})
        else:
            comment = {"id": 1000 + len(self.comments), "body": payload["body"]}
            self.comments.append(comment)
            self._reply(201, {**comment, "html_url": f"https://github.test/c/{comment['id']}"})

    def do_PATCH(self):  # noqa: N802
        payload = self._payload()
        self.requests.append(("PATCH", self.path, payload))
        comment_id = int(self.path.rpartition("/")[2])
        for comment in self.comments:
            if comment["id"] == comment_id:
                comment["body"] = payload["body"]
        self._reply(200, {"id": comment_id, "html_url": f"https://github.test/c/{comment_id}"})

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def github():
    FakeGitHub.comments = [{"id": i, "body": f"someone else's comment {i}"} for i in range(150)]
    FakeGitHub.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGitHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_open_pull_request(github):
    client = GitHubPullRequests("o/r", "t0ken", api_url=github)
    assert client.open_pull_request(head="b", base="main", title="t", body="x") == PullRequest(
        12, "https://github.test/o/r/pull/12"
    )
    assert FakeGitHub.requests == [
        ("POST", "/repos/o/r/pulls", {"head": "b", "base": "main", "title": "t", "body": "x"})
    ]


def test_upsert_comment_creates_once_then_edits_it_across_pages(github):
    client = GitHubPullRequests("o/r", "t0ken", api_url=github)
    assert client.upsert_comment(number=7, marker="<!-- m -->", body="<!-- m -->\none") == "https://github.test/c/1150"
    assert client.upsert_comment(number=7, marker="<!-- m -->", body="<!-- m -->\ntwo") == "https://github.test/c/1150"
    assert [c["body"] for c in FakeGitHub.comments if "<!-- m -->" in c["body"]] == ["<!-- m -->\ntwo"]
    assert [(method, path) for method, path, _ in FakeGitHub.requests] == [
        ("GET", "/repos/o/r/issues/7/comments?per_page=100&page=1"),
        ("GET", "/repos/o/r/issues/7/comments?per_page=100&page=2"),
        ("POST", "/repos/o/r/issues/7/comments"),
        ("GET", "/repos/o/r/issues/7/comments?per_page=100&page=1"),
        ("GET", "/repos/o/r/issues/7/comments?per_page=100&page=2"),
        ("PATCH", "/repos/o/r/issues/comments/1150"),
    ]


def test_an_api_error_names_the_call_status_and_message(github):
    client = GitHubPullRequests("o/r", "wrong", api_url=github)
    with pytest.raises(GitHubError) as error:
        client.open_pull_request(head="b", base="main", title="t", body="x")
    assert str(error.value) == "POST /repos/o/r/pulls: HTTP 401: Bad credentials"


def test_a_rerun_finds_the_pull_request_already_open_for_its_branch(github):
    client = GitHubPullRequests("o/r", "t0ken", api_url=github)
    assert client.open_pull_request(head="already-open", base="main", title="t", body="x") == PullRequest(
        12, "https://github.test/o/r/pull/12"
    )
    assert [(method, path) for method, path, _ in FakeGitHub.requests] == [
        ("POST", "/repos/o/r/pulls"),
        ("GET", "/repos/o/r/pulls?state=open&head=o:already-open&base=main"),
    ]
