"""Opening a pull request: one small interface, the GitHub REST client, nothing else.

Tests use a double of `PullRequests`; it is the only double in the test suite
because no GitHub is reachable here.
"""
from __future__ import annotations

import re
from typing import Protocol

import requests

from mlpipeline.errors import StepError


class PullRequests(Protocol):
    def open(self, head: str, base: str, title: str, body: str) -> str:
        """Open (or find the open) pull request from head into base; return its web URL."""


def github_repo(repo_url: str) -> str:
    """owner/name from an https or ssh GitHub remote URL."""
    match = re.search(r"github\.com[:/]([^/]+)/([^/]+?)(?:\.git)?/?$", repo_url)
    if not match:
        raise StepError(f"--repo-url {repo_url}", "not a GitHub repository URL",
                        "set GIT_REPO_URL to https://github.com/<owner>/<repo>.git")
    return f"{match.group(1)}/{match.group(2)}"


class GitHub:
    """GitHub's REST API with a token (the git-credentials secret's GITHUB_TOKEN)."""

    def __init__(self, repo_url: str, token: str, api_url: str = "https://api.github.com"):
        self.repo = github_repo(repo_url)
        self.api = api_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
                                     "X-GitHub-Api-Version": "2022-11-28"})

    def open(self, head: str, base: str, title: str, body: str) -> str:
        url = f"{self.api}/repos/{self.repo}/pulls"
        response = self.session.post(url, json={"head": head, "base": base, "title": title, "body": body}, timeout=30)
        if response.status_code == 201:
            return response.json()["html_url"]
        if response.status_code == 422:  # usually: a pull request for this branch is already open (a re-run)
            owner = self.repo.split("/")[0]
            listed = self.session.get(url, params={"head": f"{owner}:{head}", "base": base, "state": "open"}, timeout=30)
            if listed.ok and listed.json():
                return listed.json()[0]["html_url"]
        raise StepError(f"GitHub {self.repo}", f"opening the pull request failed with HTTP {response.status_code}",
                        "check that GITHUB_TOKEN may create pull requests on the repository")
