"""The pull-request interface the deploy step, promotion and the PR-diff job share.

Everything that talks to the forge goes through `PullRequests`; the GitHub
REST client (mlpipeline.github, standard library only) implements it for
real. It lives in the step image's package so the deploy step and the repo
tooling use one interface; tests use a double of it (tests/support/doubles.py), the
only double in the suite, because no GitHub is reachable here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from mlpipeline.errors import PermanentError


@dataclass(frozen=True)
class PullRequest:
    number: int
    url: str


class PullRequests(Protocol):
    def open_pull_request(self, *, head: str, base: str, title: str, body: str) -> PullRequest:
        """Open (or, on a re-run, find the open) pull request merging pushed branch `head` into `base`."""
        ...

    def upsert_comment(self, *, number: int, marker: str, body: str) -> str:
        """Create or replace the one comment on PR `number` whose body contains `marker` (a hidden
        HTML comment, so a job updates its own comment instead of adding one per push); returns its URL."""
        ...


def github_repo(repo_url: str) -> str:
    """owner/name from an https or ssh GitHub remote URL."""
    match = re.search(r"github\.com[:/]([^/]+)/([^/]+?)(?:\.git)?/?$", repo_url)
    if not match:
        raise PermanentError(
            f"--repo-url {repo_url}",
            "not a GitHub repository URL",
            "set GIT_REPO_URL to https://github.com/<owner>/<repo>.git",
        )
    return f"{match.group(1)}/{match.group(2)}"
