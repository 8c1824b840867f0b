"""Shared fixtures: the repo root and the offline schema store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def schema_index(repo: Path):
    """The store every validation test reads; built once (CI points CRDS_CATALOG_MIRROR at ../shared)."""
    from gitops.validate.schemas import store, unchecked
    from gitops.validate.schemas.lookup import SchemaIndex

    if not os.environ.get("CRDS_CATALOG_MIRROR") and not (store.default_root(repo) / "index.json").is_file():
        pytest.fail(
            "no schema store and CRDS_CATALOG_MIRROR is unset: "
            "run via `make test`, which points it at ../shared/schemas/crds-catalog"
        )
    root = store.default_root(repo)
    return SchemaIndex(root, store.ensure(root), unchecked.load())
