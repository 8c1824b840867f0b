"""Fixtures for promotion and diff: a throwaway GitOps repository (tests/promote/repo.py), the registry its
pins come from (tests/promote/registry.py) and the GitHub double."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.promote import registry as registries
from tests.promote.repo import make_repo
from tests.support.doubles import RecordingPullRequests
from tests.support.git import GIT_ENV


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    # Commits need an author; the machine's git config must not leak into tests.
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    # Neither the machine's registry nor its GitHub credentials may leak in either.
    for key in ("MLFLOW_TRACKING_URI", "GITHUB_TOKEN", "GITHUB_REPOSITORY"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


@pytest.fixture
def prs() -> RecordingPullRequests:
    return RecordingPullRequests()


@pytest.fixture(scope="session")
def registry_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("registry-template") / "mlflow.db"
    registries.build(path)
    return path


@pytest.fixture
def registry(registry_template, tmp_path) -> str:
    """The tracking URI of a fresh copy of the registry that matches `repo`'s pins."""
    return registries.copy(registry_template, tmp_path / "registry")
