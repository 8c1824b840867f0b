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


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """`make demo`'s pipeline run once (iris, dev, served, alias moved) into its own state directory: the
    registry, bare remote and pins a user's .local/ holds after the first demo. Read by promotion and audit tests."""
    import subprocess
    import sys

    from gitops.runner import services

    if not services.pushgateway_installed():
        pytest.fail(f"{services.PUSHGATEWAY} missing: apt-get update && apt-get install -y prometheus-pushgateway")
    state = tmp_path_factory.mktemp("demo") / ".local"
    done = subprocess.run(
        [sys.executable, "-m", "gitops.runner", "--repo", str(REPO), "--state-dir", str(state)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return state


@pytest.fixture
def own_demo(demo, tmp_path):
    """The demo's state copied whole (registry, remote and its config), for a test that moves pins, aliases or
    tags: other tests of the session-wide demo read it as the first run left it."""
    import shutil

    state = tmp_path / "state"
    shutil.copytree(demo, state, ignore=shutil.ignore_patterns("*.log"))
    return state
