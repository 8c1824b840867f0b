"""Drill: the git server refuses the push (its pre-receive hook, as a branch policy would). deploy and promote
each stop with one line carrying the server's own words; no branch is left on the server or in the checkout,
no pull request is opened, and the registry is untouched."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.drills.faults import reject_pushes
from tests.drills.processes import registry, step
from tests.steps.helpers import bare_remote
from tests.support.git import GIT_ENV, git

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
POLICY = "pin changes are merged by review only: pushes are refused"


def heads(bare) -> list[str]:
    return git(bare, "for-each-ref", "--format=%(refname)", "refs/heads").split()


def test_deploy_stops_on_the_servers_refusal_and_leaves_no_branch_and_no_pull_request(
    demo, tmp_path, github_api, github_remote
):
    db = demo / "mlflow" / "mlflow.db"
    remote = bare_remote(tmp_path)  # the repository's dev folders before any deploy
    reject_pushes(remote, POLICY)
    before = registry(db)
    checkout = tmp_path / "checkout"
    done = step(
        "deploy",
        *("--tracking-uri", f"sqlite:///{db}", "--model-name", "iris", "--model-version", "1"),
        *("--checkout-dir", str(checkout), "--outputs-dir", str(tmp_path / "out")),
        env={**GIT_ENV, **github_remote(remote, github_api)},
        cwd=tmp_path,
    )
    assert (done.code, done.last_line) == (
        1,
        f"deploy: git push in {checkout}: push failed: {POLICY} "
        "(fix: check GIT_REPO_URL, the token and the remote branch)",
    )
    assert heads(remote) == ["refs/heads/main"]
    assert git(checkout, "branch", "--list", "deploy/*") == ""  # abandoned: back on a detached base
    assert git(checkout, "status", "--porcelain") == ""
    assert github_api.pulls == []
    assert registry(db) == before


def test_promote_stops_on_the_servers_refusal_and_undoes_its_branch(demo, tmp_path):
    copy = tmp_path / "remote.git"  # the demo's remote (its config too: the runner's platform mark), with the policy
    shutil.copytree(demo / "remote.git", copy)
    reject_pushes(copy, POLICY)
    refs = git(copy, "for-each-ref")
    db = demo / "mlflow" / "mlflow.db"
    before = registry(db)
    done = subprocess.run(
        [sys.executable, "-m", "gitops.promote", "iris", "dev", "staging", "--remote", str(copy), "--root", str(REPO)]
        + ["--tracking-uri", f"sqlite:///{db}"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **GIT_ENV},
        cwd=tmp_path.parent,
        timeout=300,
    )
    head = git(copy, "rev-parse", "--short", "main").strip()
    assert (done.returncode, done.stderr) == (
        1,
        f"promote: --remote {copy}: git push -q --set-upstream origin promote/staging/iris-v1-{head}: remote: "
        f"{POLICY}; nothing was changed (fix: check that you may push to {copy} and that git reaches it, then "
        "promote again)\n",
    )
    assert done.stdout == ""
    assert git(copy, "for-each-ref") == refs
    assert registry(db) == before  # the gate only reads
