"""Fixtures for promotion and diff: a throwaway GitOps repository (tests/promote/repo.py) and the GitHub double."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.promote.repo import make_repo
from tests.support.doubles import RecordingPullRequests
from tests.support.git import GIT_ENV


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    # Commits need an author; the machine's git config must not leak into tests.
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


@pytest.fixture
def prs() -> RecordingPullRequests:
    return RecordingPullRequests()
