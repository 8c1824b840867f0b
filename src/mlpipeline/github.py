"""GitHub REST implementation of `PullRequests` (urllib: nothing more to pin in the step image)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from mlpipeline.pullrequests import PullRequest

API_VERSION = "2022-11-28"


class GitHubError(Exception):
    """A GitHub API call failed; the message names the call, the status and GitHub's message."""

    def __init__(self, message: str, status: int = 0):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class GitHubPullRequests:
    repository: str  # owner/name
    token: str
    api_url: str = "https://api.github.com"

    @classmethod
    def from_env(cls) -> "GitHubPullRequests":
        """Configured the way Actions provides it: GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_API_URL."""
        missing = [name for name in ("GITHUB_REPOSITORY", "GITHUB_TOKEN") if not os.environ.get(name)]
        if missing:
            raise GitHubError(f"{' and '.join(missing)} not set (fix: export them, or run inside GitHub Actions)")
        return cls(
            repository=os.environ["GITHUB_REPOSITORY"],
            token=os.environ["GITHUB_TOKEN"],
            api_url=os.environ.get("GITHUB_API_URL", "https://api.github.com"),
        )

    def open_pull_request(self, *, head: str, base: str, title: str, body: str) -> PullRequest:
        try:
            created = self._call(
                "POST", f"/repos/{self.repository}/pulls", {"head": head, "base": base, "title": title, "body": body}
            )
        except GitHubError as err:
            # 422 is GitHub's answer when a pull request for this branch is already open: a re-run.
            existing = self._open_for(head, base) if err.status == 422 else None
            if existing is None:
                raise
            return existing
        return PullRequest(number=int(created["number"]), url=str(created["html_url"]))

    def _open_for(self, head: str, base: str) -> PullRequest | None:
        owner = self.repository.split("/")[0]
        listed = self._call("GET", f"/repos/{self.repository}/pulls?state=open&head={owner}:{head}&base={base}")
        return PullRequest(number=int(listed[0]["number"]), url=str(listed[0]["html_url"])) if listed else None

    def upsert_comment(self, *, number: int, marker: str, body: str) -> str:
        existing = self._find_comment(number, marker)
        if existing is not None:
            updated = self._call("PATCH", f"/repos/{self.repository}/issues/comments/{existing}", {"body": body})
            return str(updated["html_url"])
        created = self._call("POST", f"/repos/{self.repository}/issues/{number}/comments", {"body": body})
        return str(created["html_url"])

    def _find_comment(self, number: int, marker: str) -> int | None:
        page = 1
        while True:
            comments = self._call("GET", f"/repos/{self.repository}/issues/{number}/comments?per_page=100&page={page}")
            for comment in comments:
                if marker in (comment.get("body") or ""):
                    return int(comment["id"])
            if len(comments) < 100:
                return None
            page += 1

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            self.api_url.rstrip("/") + path,
            method=method,
            data=json.dumps(payload).encode() if payload is not None else None,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": API_VERSION,
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")
            try:
                detail = json.loads(detail).get("message", detail)
            except ValueError:
                pass
            raise GitHubError(f"{method} {path.split('?')[0]}: HTTP {err.code}: {detail}", err.code) from None
        except urllib.error.URLError as err:
            raise GitHubError(f"{method} {path.split('?')[0]}: {err.reason}") from None
