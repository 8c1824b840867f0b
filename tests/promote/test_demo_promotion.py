"""The demo's own dev pin, promoted to staging and then prod on this machine: no GitHub, the real gate, the
printed merge commands, and each environment's PostSync check (tests/support/postsync.py) in between."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gitops.runner import services
from mlpipeline import pin
from tests.support.git import GIT_ENV, git
from tests.support.postsync import sync

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def promote(
    repo: Path, state: Path, source: str, target: str, remote: Path | None = None
) -> subprocess.CompletedProcess:
    """scripts/promote as a person runs it without GitHub: the demo's remote (or `remote`) and registry by flag."""
    return subprocess.run(
        [sys.executable, "-m", "gitops.promote", "iris", source, target, "--root", str(repo)]
        + ["--remote", str(remote or state / "remote.git"), "--tracking-uri", registry(state)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(state), **GIT_ENV},
        timeout=300,
    )


def registry(state: Path) -> str:
    return f"sqlite:///{state / 'mlflow' / 'mlflow.db'}"


def pinned(state: Path, environment: str) -> pin.Pin | None:
    path = pin.PIN_PATH.format(environment=environment, model="iris")
    return pin.parse(git(state / "remote.git", "show", f"main:{path}"), path)


def merge(done: subprocess.CompletedProcess) -> str:
    """Run the merge command promote printed, as a reviewer would."""
    assert done.returncode == 0, done.stderr
    command = done.stdout.split("then merge it with:\n", 1)[1].splitlines()[0].strip()
    subprocess.run(command, shell=True, check=True, capture_output=True, text=True)
    return command


def test_a_copy_without_the_demo_mark_is_judged_for_the_cluster_whose_serving_cannot_fetch_file_uris(demo, tmp_path):
    # A mirror copies refs, not the runner's mark in the config.
    copy = tmp_path / "copy.git"
    git(tmp_path, "clone", "-q", "--mirror", str(demo / "remote.git"), str(copy))
    refs = git(copy, "for-each-ref")
    done = promote(REPO, demo, "dev", "staging", remote=copy)
    assert done.returncode == 1
    assert done.stderr.startswith(
        "promote: k8s/overlays/staging/iris: the promoted result fails validation (1 finding; the first: "
        "k8s/overlays/staging/iris: ConfigMap/ml-staging/iris-model-pin data.storageUri: file:// is not a scheme "
        "staging's serving fetches from (s3) [model-pin-storage-uri]"
    )
    assert done.stderr.count("\n") == 1
    assert git(copy, "for-each-ref") == refs


def test_the_demo_pin_goes_dev_staging_prod_locally_each_step_gated_on_what_was_seen(own_demo, tmp_path):
    from mlflow import MlflowClient

    demo = own_demo
    client = MlflowClient(registry(demo))
    dev = pinned(demo, "dev")
    assert dev is not None and str(client.get_model_version_by_alias("iris", "dev").version) == dev.modelVersion

    # staging before its PostSync check has seen the version: refused by the gate, nothing changed.
    first = promote(REPO, demo, "dev", "staging")
    merge(first)
    assert pinned(demo, "staging") == dev
    early = promote(REPO, demo, "staging", "prod")
    assert early.returncode == 1
    assert early.stderr == (
        f"promote: MLflow {registry(demo)}: alias staging of iris does not exist: staging has not been seen serving "
        f"version {dev.modelVersion} (fix: wait until staging's PostSync check (iris-mark-deployed) has verified it "
        "after the sync, then promote again)\n"
    )

    pushgateway = services.start_pushgateway(tmp_path / "pushgateway.log")
    mlserver = services.start_mlserver(tmp_path / "mlserver")
    try:
        checked = sync(demo / "remote.git", "staging", "iris", registry(demo), mlserver, pushgateway.url, tmp_path)
        assert checked.returncode == 0, checked.stderr
        second = promote(REPO, demo, "staging", "prod")
        merge(second)
    finally:
        mlserver.stop()
        pushgateway.stop()
    assert pinned(demo, "prod") == dev
    # prod is synced by hand: its alias waits for that sync's check; staging's names what was seen.
    aliases = {alias: str(version) for alias, version in client.get_registered_model("iris").aliases.items()}
    assert (aliases.get("dev"), aliases.get("staging"), aliases.get("production")) == (
        dev.modelVersion,
        dev.modelVersion,
        None,
    )
    tags = client.get_model_version("iris", dev.modelVersion).tags
    promoted = git(demo / "remote.git", "log", "-1", "--format=%H%x00%an <%ae>%x00%s", "main~1")
    sha, author, subject = promoted.rstrip("\n").split("\x00")
    # staging's check recorded the promotion commit it verified, and who made it.
    assert (tags["deployed.staging.git_commit"], tags["deployed.staging.git_author"]) == (sha, author)
    assert subject == f"Promote iris version {dev.modelVersion} (semver {dev.semver}) from dev to staging"
    assert "Seen serving: alias staging at version" in git(demo / "remote.git", "log", "-1", "--format=%B", "main")
