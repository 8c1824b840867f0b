"""The demo's local git remote always holds this checkout's HEAD, and a run refuses what git has not seen."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from gitops.runner import remote
from gitops.runner.errors import RunnerError
from mlpipeline import pin as pins
from tests.promote.repo import make_repo
from tests.support.git import GIT_ENV, git, write

PIN = "k8s/overlays/dev/iris/kustomization.yaml"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    return make_repo(tmp_path)


def deploy_there(bare, tmp_path, path: str, text: str) -> None:
    """What a demo run's merged deploy does to the remote's main: a commit writing `path`."""
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(bare), str(work))
    write(work, path, text)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "deploy: a pin")
    git(work, "push", "-q", "origin", "HEAD:main")


def test_the_first_run_creates_it_from_head(repo, tmp_path):
    bare = tmp_path / "remote.git"
    head = git(repo, "rev-parse", "HEAD").strip()
    assert remote.up_to_date(repo, bare, "main") == f"created from {head[:12]}"
    assert git(bare, "rev-parse", "main").strip() == head


def test_a_new_commit_fast_forwards_it_and_a_pin_merged_there_is_kept(repo, tmp_path):
    bare = tmp_path / "remote.git"
    remote.up_to_date(repo, bare, "main")
    write(repo, "notes.txt", "1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a change")
    head = git(repo, "rev-parse", "HEAD").strip()
    assert remote.up_to_date(repo, bare, "main") == f"fast-forwarded to {head[:12]}"
    assert remote.up_to_date(repo, bare, "main") == f"already holds {head[:12]}"
    # A demo run merged a deploy there; then the user commits again: both survive.
    deploy_there(bare, tmp_path, "deployed.txt", "pin\n")
    write(repo, "notes.txt", "2\n")
    git(repo, "commit", "-q", "-am", "another change")
    assert remote.up_to_date(repo, bare, "main").startswith("merged ")
    assert set(git(bare, "ls-tree", "--name-only", "main").split()) >= {"deployed.txt", "notes.txt", "k8s"}
    assert git(bare, "show", "main:notes.txt") == "2\n"


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        pytest.param("k8s/overlays/dev/iris/kustomization.yaml", True, id="a-dev-folder"),
        pytest.param("k8s/base/deployment.yaml", True, id="the-base-dev-renders"),
        pytest.param("k8s/overlays/prod/iris/kustomization.yaml", False, id="another-environment"),
        pytest.param("src/mlpipeline/train.py", True, id="the-steps"),
        pytest.param("argocd/apps/applicationset-models.yaml", True, id="the-applications"),
        pytest.param("README.md", False, id="docs"),
    ],
)
def test_a_run_refuses_uncommitted_changes_to_what_it_renders_or_runs(repo, path, refused):
    write(repo, path, ((repo / path).read_text() if (repo / path).exists() else "") + "# edited\n")
    if not refused:
        remote.refuse_uncommitted(repo, "dev")
        return
    with pytest.raises(RunnerError) as err:
        remote.refuse_uncommitted(repo, "dev")
    assert str(err.value) == (
        f"{repo}: uncommitted changes in {path}: the local remote only sees commits, so the sync would render "
        "something else than the steps run (fix: commit them, or stash them)"
    )


def test_a_head_that_does_not_merge_with_the_pins_there_is_one_line_with_a_command_that_fixes_it(repo, tmp_path):
    bare = tmp_path / "remote.git"
    remote.up_to_date(repo, bare, "main")
    deploy_there(bare, tmp_path, "notes.txt", "the remote's\n")
    write(repo, "notes.txt", "the checkout's\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a change")
    head = git(repo, "rev-parse", "HEAD").strip()
    with pytest.raises(RunnerError) as err:
        remote.up_to_date(repo, bare, "main")
    assert str(err.value) == (
        f"{bare}: this checkout's HEAD {head[:12]} does not merge with the pins earlier runs merged (CONFLICT "
        f"(add/add): Merge conflict in notes.txt) (fix: rm -rf {bare} to have the next run recreate it from HEAD, "
        f"or git pull {bare} main into your branch)"
    )
    # The fix works: the next run recreates it from HEAD.
    subprocess.run(["rm", "-rf", str(bare)], check=True)
    assert remote.up_to_date(repo, bare, "main") == f"created from {head[:12]}"


def rendered(repo: Path, where: Path, ref: str) -> dict[str, str]:
    """Each file the dev sync renders from (what remote.rendered_paths names in `repo`), as `where` has it at `ref`."""
    paths = remote.rendered_paths(repo, "dev")
    listing = git(where, "ls-tree", "-r", "--name-only", "--full-tree", ref, "--", *paths).split()
    return {path: git(where, "show", f"{ref}:{path}") for path in listing}


def synced_then_renamed(repo: Path, bare: Path) -> str:
    """Two runs: one at HEAD, one after a commit that changes a rendered file; returns the first HEAD."""
    remote.up_to_date(repo, bare, "main")
    old = git(repo, "rev-parse", "HEAD").strip()
    write(repo, "k8s/base/deployment.yaml", (repo / "k8s/base/deployment.yaml").read_text().replace("server", "srv"))
    git(repo, "commit", "-qam", "base: rename the server")
    remote.up_to_date(repo, bare, "main")
    return old


def test_a_checkout_behind_the_remote_gets_its_own_rendered_files_there_and_the_pipelines_pin_stays(repo, tmp_path):
    bare = tmp_path / "remote.git"
    old = synced_then_renamed(repo, bare)
    # A demo run deploys: the pipeline writes dev's pin on the remote, beside a file no render reads.
    work = tmp_path / "deploy"
    git(tmp_path, "clone", "-q", str(bare), str(work))
    deployed = dataclasses.replace(pins.read(work / PIN), modelVersion="5", semver="1.3.0")
    pins.write(work / PIN, deployed)
    write(work, "NOTES.md", "not rendered\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "deploy: iris v5")
    git(work, "push", "-q", "origin", "HEAD:main")

    git(repo, "checkout", "-q", old)  # back before the rename: HEAD is in the remote's history, and older
    assert remote.up_to_date(repo, bare, "main") == (
        f"already holds {old[:12]}; set k8s/base/deployment.yaml there to HEAD's (its main had other versions)"
    )
    there, here = rendered(repo, bare, "main"), rendered(repo, repo, "HEAD")
    assert pins.parse(there.pop(PIN), PIN) == deployed  # the pipeline's pin stays ...
    assert there == {path: text for path, text in here.items() if path != PIN}  # ... the rest is HEAD's
    assert git(bare, "show", "main:NOTES.md") == "not rendered\n"  # what no render reads is left alone
    # Said once: the next run finds nothing to set.
    assert remote.up_to_date(repo, bare, "main") == f"already holds {old[:12]}"


def test_a_commit_on_an_older_base_is_merged_and_what_the_merge_kept_of_the_newer_one_is_set_back(repo, tmp_path):
    bare = tmp_path / "remote.git"
    old = synced_then_renamed(repo, bare)
    git(repo, "checkout", "-q", "-b", "other", old)  # drop the rename, work on from before it
    write(repo, "notes.txt", "1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "notes")
    head = git(repo, "rev-parse", "HEAD").strip()
    assert remote.up_to_date(repo, bare, "main") == (
        f"merged {head[:12]} beside the pins earlier runs merged; set k8s/base/deployment.yaml there to HEAD's (its "
        "main had other versions)"
    )
    assert rendered(repo, bare, "main") == rendered(repo, repo, "HEAD")
    assert git(bare, "show", "main:notes.txt") == "1\n"


def test_the_applications_the_sync_builds_with_are_heads_too(repo, tmp_path):
    bare = tmp_path / "remote.git"
    remote.up_to_date(repo, bare, "main")
    old = git(repo, "rev-parse", "HEAD").strip()
    write(repo, "argocd/apps/models.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "an ApplicationSet")
    remote.up_to_date(repo, bare, "main")
    git(repo, "checkout", "-q", old)
    assert remote.up_to_date(repo, bare, "main") == (
        f"already holds {old[:12]}; set argocd/apps/models.yaml there to HEAD's (its main had other versions)"
    )
    assert "argocd" not in git(bare, "ls-tree", "--name-only", "main").split()


def test_a_pin_the_pipeline_wrote_outlives_a_checkout_without_its_model_folder(repo, tmp_path):
    wine = "k8s/overlays/dev/wine/kustomization.yaml"
    git(repo, "rm", "-q", "-r", "k8s/overlays/dev/wine")
    git(repo, "commit", "-qm", "dev: no wine")
    without = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "revert", "--no-edit", "HEAD")
    bare = tmp_path / "remote.git"
    remote.up_to_date(repo, bare, "main")
    with_wine = git(repo, "rev-parse", "HEAD").strip()
    work = tmp_path / "deploy"
    git(tmp_path, "clone", "-q", str(bare), str(work))
    deployed = dataclasses.replace(pins.read(work / wine), modelVersion="7", semver="1.4.0")
    pins.write(work / wine, deployed)
    git(work, "commit", "-qam", "deploy: wine v7")
    git(work, "push", "-q", "origin", "HEAD:main")

    git(repo, "checkout", "-q", without)
    assert remote.up_to_date(repo, bare, "main").endswith(f"set {wine} there to HEAD's (its main had other versions)")
    git(repo, "checkout", "-q", with_wine)  # back: the folder returns with the pin the pipeline wrote
    assert remote.up_to_date(repo, bare, "main").endswith(f"set {wine} there to HEAD's (its main had other versions)")
    assert pins.parse(git(bare, "show", f"main:{wine}"), wine) == deployed
