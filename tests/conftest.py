"""Shared fixtures: the repo root and the offline schema store."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def schema_index(repo: Path):
    """The store every validation test reads, built once from the pinned platform files (../shared/platform)."""
    from gitops.validate.schemas import store, unchecked
    from gitops.validate.schemas.lookup import SchemaIndex

    root = store.default_root(repo)
    return SchemaIndex(root, store.ensure(root, repo), unchecked.load())
