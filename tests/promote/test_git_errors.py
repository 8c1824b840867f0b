"""A failed git command is one line: the subcommand and git's own first line, never the whole argv (a commit
message spans lines); a missing identity comes with the commands that set one. Real git throughout."""

from __future__ import annotations

import pytest

from gitops.core.git import Git, GitError
from gitops.promote import cli as promote
from tests.support.git import git

IDENTITY_FIX = 'git config --global user.email "you@example.com" && git config --global user.name "Your Name"'


@pytest.fixture
def nobody(tmp_path, monkeypatch):
    """No identity anywhere: an empty HOME, no global or system config, no identity in the environment."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(key, raising=False)
    # git would otherwise make up user@hostname where the host has a domain name: the same person, unknown.
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")


def test_a_failed_command_names_the_subcommand_and_gits_first_line_only(tmp_path):
    with pytest.raises(GitError) as err:
        Git(tmp_path).run("commit", "-q", "-m", "Promote iris\n\nCopies the pin\nover two lines")
    assert (str(err.value), err.value.fix) == (
        "git commit: fatal: not a git repository (or any of the parent directories): .git",
        "",
    )


def test_a_missing_directory_is_a_git_error_not_a_traceback(tmp_path):
    with pytest.raises(GitError) as err:
        Git(tmp_path / "gone").run("status")
    assert str(err.value) == f"git status: {tmp_path / 'gone'}: No such file or directory"


def test_no_identity_says_how_to_set_one(tmp_path, nobody):
    git(tmp_path, "init", "-q", "repo")
    with pytest.raises(GitError) as err:
        Git(tmp_path / "repo").run("commit", "-q", "--allow-empty", "-m", "subject", "-m", "body\nmore")
    assert (str(err.value), err.value.fix) == ("git commit: Author identity unknown", IDENTITY_FIX)


def test_promote_without_an_identity_stops_in_one_line_with_the_fix_and_changes_nothing(
    repo, prs, registry, capsys, nobody
):
    head = git(repo, "rev-parse", "HEAD").strip()
    argv = ["iris", "dev", "staging", "--root", str(repo), "--tracking-uri", registry]
    assert promote.main(argv, prs=prs, check=lambda rendered: []) == 1
    assert capsys.readouterr().err == (
        f"promote: --remote origin: git commit: Author identity unknown; nothing was changed (fix: {IDENTITY_FIX}, "
        "then promote again)\n"
    )
    assert git(repo, "rev-parse", "HEAD").strip() == head
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(repo, "branch", "--format=%(refname:short)").split() == ["main"]
    assert prs.calls == []
