"""Fixtures for the failure drills: the GitHub API double over HTTP, and git that sends a GitHub URL to a
bare repository on this machine (so the deploy step runs exactly as in the pod, the real client included)."""

from __future__ import annotations

import pytest

from tests.support.github_api import GitHubAPI

GITHUB_REPO = "https://github.com/example-org/iris-gitops.git"


@pytest.fixture
def github_api():
    api = GitHubAPI()
    yield api
    api.stop()


@pytest.fixture
def github_remote(tmp_path):
    """Environment for a step whose GIT_REPO_URL is GITHUB_REPO: git rewrites it to the bare repository given."""

    def env(bare, api) -> dict[str, str]:
        config = tmp_path / "gitconfig"
        config.write_text(f'[url "{bare}"]\n\tinsteadOf = {GITHUB_REPO}\n')
        return {
            "GIT_CONFIG_GLOBAL": str(config),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_REPO_URL": GITHUB_REPO,
            "GITHUB_TOKEN": "t0ken",
            "GITHUB_API_URL": api.url,
        }

    return env
