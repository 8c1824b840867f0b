"""Drill: the git server refuses the push (its pre-receive hook, as a branch policy would). deploy and promote
each stop with one line carrying the server's own words; no branch is left on the server or in the checkout,
no pull request is opened, and the registry is untouched."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.drills.faults import hold_pushes, reject_pushes
from tests.drills.processes import registry, step
from tests.steps.helpers import bare_remote
from tests.support.git import GIT_ENV, git

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
POLICY = "pin changes are merged by review only: pushes are refused"


def promote(remote: Path, db: Path, tmp_path: Path, **popen) -> subprocess.Popen:
    """scripts/promote iris dev staging as a person runs it, pushing to `remote`, gated on the registry `db`."""
    return subprocess.Popen(
        [sys.executable, "-m", "gitops.promote", "iris", "dev", "staging", "--remote", str(remote), "--root", str(REPO)]
        + ["--tracking-uri", f"sqlite:///{db}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **GIT_ENV},
        cwd=tmp_path.parent,
        **popen,
    )


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
    done = promote(copy, db, tmp_path)
    out, err = done.communicate(timeout=300)
    assert (done.returncode, err) == (
        1,
        f"promote: --remote {copy}: git push: remote: {POLICY}; nothing was changed (fix: check that you may push "
        f"to {copy} and that git reaches it, then promote again)\n",
    )
    assert out == ""
    assert git(copy, "for-each-ref") == refs
    assert registry(db) == before  # the gate only reads


def test_ctrl_c_during_the_push_undoes_everything_and_exits_130(demo, tmp_path):
    copy = tmp_path / "remote.git"
    shutil.copytree(demo / "remote.git", copy)
    marker = tmp_path / "push-in-flight"
    hold_pushes(copy, marker)
    refs = git(copy, "for-each-ref")
    db = demo / "mlflow" / "mlflow.db"
    before = registry(db)
    # A terminal's foreground job: Ctrl-C is SIGINT to its whole group, git and the hook included.
    running = promote(copy, db, tmp_path, start_new_session=True)
    deadline = time.monotonic() + 240
    while not marker.exists() and running.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), running.communicate(timeout=60) if running.poll() is not None else "no push in 240 s"
    os.killpg(running.pid, signal.SIGINT)
    out, err = running.communicate(timeout=60)
    assert (running.returncode, out, err) == (
        130,
        "",
        "promote: interrupted (Ctrl-C) before it finished; nothing was changed: a branch, commit or push it had "
        "made was undone (fix: run it again)\n",
    )
    assert git(copy, "for-each-ref") == refs
    assert registry(db) == before
