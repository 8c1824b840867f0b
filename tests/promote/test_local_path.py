"""Promotion without GitHub: the branch goes to a git remote and promote prints the command that merges it;
--dry-run prints the diff and the pull request and changes nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gitops.diff import cli as diff
from gitops.promote import cli as promote
from tests.promote.repo import folder
from tests.support.git import git

STAGING = "k8s/overlays/staging/iris/kustomization.yaml"


def run(root: Path, registry: str, *args: str) -> int:
    # No pull-request client: what a machine without GITHUB_REPOSITORY and GITHUB_TOKEN gets.
    return promote.main([*args, "--root", str(root), "--tracking-uri", registry], check=lambda rendered: [])


def merge_line(out: str) -> str:
    lines = out.splitlines()
    return lines[lines.index(next(line for line in lines if line.endswith("then merge it with:"))) + 1].strip()


def test_without_github_the_branch_goes_to_the_remote_and_the_printed_command_merges_it(repo, registry, capsys):
    base = git(repo, "rev-parse", "--short", "HEAD").strip()
    assert run(repo, registry, "iris", "dev", "staging", "--remote", "origin") == 0
    out = capsys.readouterr().out
    branch = f"promote/staging/iris-v4-{base}"
    assert out.startswith(f"promote: pushed {branch} (commit ")
    assert (
        f") to origin; no GitHub, so no pull request. Review it, then merge it with:\n  git push origin {branch}:main\n"
        in out
    )
    subprocess.run(merge_line(out), shell=True, cwd=repo, check=True, capture_output=True)
    git(repo, "fetch", "-q", "origin")
    merged = git(repo, "show", f"origin/main:{STAGING}")
    assert merged == folder("staging", "iris", "4", "1.2.0", champion="3")


def test_a_repository_path_is_cloned_promoted_in_and_merged_there_leaving_the_checkout_alone(
    repo, registry, capsys, tmp_path
):
    origin = tmp_path / "origin.git"  # make_repo's bare remote: a repository given by path, like the demo's
    head = git(repo, "rev-parse", "HEAD").strip()
    assert run(repo, registry, "iris", "dev", "staging", "--remote", str(origin)) == 0
    out = capsys.readouterr().out
    command = merge_line(out)
    assert command.startswith(f"git -C {origin} push . promote/staging/iris-v4-")
    assert command.endswith(":main")
    subprocess.run(command, shell=True, check=True, capture_output=True)
    assert git(origin, "show", f"main:{STAGING}") == folder("staging", "iris", "4", "1.2.0", champion="3")
    # The checkout was never touched: the promotion happened in a clone.
    assert git(repo, "rev-parse", "HEAD").strip() == head
    assert git(repo, "branch", "--format=%(refname:short)").split() == ["main"]


def test_the_printed_merge_is_a_fast_forward_that_git_refuses_once_the_base_moved(repo, registry, capsys, tmp_path):
    origin = tmp_path / "origin.git"
    assert run(repo, registry, "iris", "dev", "staging", "--remote", str(origin)) == 0
    command = merge_line(capsys.readouterr().out)
    git(repo, "commit", "-q", "--allow-empty", "-m", "someone else merged first")
    git(repo, "push", "-q", "origin", "main")
    done = subprocess.run(command, shell=True, capture_output=True, text=True)
    assert done.returncode == 1 and "[rejected]" in done.stderr and "(non-fast-forward)" in done.stderr


def test_dry_run_prints_the_diff_and_the_pull_request_and_changes_nothing(repo, registry, prs, capsys):
    head = git(repo, "rev-parse", "HEAD").strip()
    refs = git(repo, "ls-remote", "origin")
    assert (
        promote.main(
            ["iris", "dev", "staging", "--dry-run", "--root", str(repo), "--tracking-uri", registry],
            prs=prs,
            check=lambda rendered: [],
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith(
        "promote: dry run: nothing was changed. The rendered diff:\n"
        "k8s/overlays/staging/iris@main -> k8s/overlays/staging/iris@promotion: 0 added, 0 removed, 2 changed\n"
    )
    assert '    data.modelVersion: "3" -> "4"\n' in out
    assert "\nThe pull request it would open:\n\n# Promote iris version 4 (semver 1.2.0) from dev to staging\n\n" in out
    assert "### iris: the candidate and what staging serves" in out
    assert prs.calls == []
    assert git(repo, "rev-parse", "HEAD").strip() == head
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(repo, "branch", "--format=%(refname:short)").split() == ["main"]
    assert git(repo, "ls-remote", "origin") == refs


def test_dry_run_shows_a_refusal_like_the_real_run(repo, registry, capsys):
    from mlflow import MlflowClient

    MlflowClient(registry).set_registered_model_alias("iris", "dev", "3")
    assert run(repo, registry, "iris", "dev", "staging", "--dry-run", "--remote", "origin") == 1
    assert capsys.readouterr().err.startswith(f"promote: MLflow {registry}: alias dev of iris is at version 3, not 4")


def test_by_default_without_github_promote_uses_the_demos_remote_and_registry(repo, registry, capsys, tmp_path):
    import shutil

    from gitops.promote.workspace import DEMO_REGISTRY, DEMO_REMOTE

    git(tmp_path, "clone", "-q", "--bare", str(tmp_path / "origin.git"), str(repo / DEMO_REMOTE))
    (repo / DEMO_REGISTRY).parent.mkdir(parents=True)
    shutil.copy(registry.removeprefix("sqlite:///"), repo / DEMO_REGISTRY)
    assert promote.main(["iris", "dev", "staging", "--root", str(repo)], check=lambda rendered: []) == 0
    out = capsys.readouterr().out
    assert f") to {repo / DEMO_REMOTE}; no GitHub, so no pull request." in out
    assert f"--backend-store-uri sqlite:///{repo / DEMO_REGISTRY}`" in git(
        repo / DEMO_REMOTE, "log", "-1", "--format=%B", "--branches=promote/*"
    )


def test_outside_a_checkout_promote_says_so(tmp_path, capsys):
    assert promote.main(["iris", "dev", "staging", "--root", str(tmp_path), "--remote", "origin"]) == 1
    assert capsys.readouterr().err == (
        f"promote: --root {tmp_path}: not a git checkout (git remote: fatal: not a git repository (or any of the "
        "parent directories): .git) (fix: run scripts/promote from the repository, or pass --root <checkout>)\n"
    )


@pytest.mark.parametrize("kind", ["missing", "a-file"])
def test_a_root_that_is_no_directory_is_one_line_and_exit_2(tmp_path, capsys, kind):
    root = tmp_path / "checkout"
    what = "no such directory"
    if kind == "a-file":
        root.write_text("")
        what = "not a directory"
    fix = "(fix: pass --root <the repository's top folder>, or leave it out to use the current one)"
    assert promote.main(["iris", "dev", "staging", "--root", str(root)]) == 2
    assert capsys.readouterr().err == f"promote: --root {root}: {what} {fix}\n"
    assert diff.main(["dev", "staging", "--root", str(root)]) == 2
    assert capsys.readouterr() == ("", f"diff: --root {root}: {what} {fix}\n")
