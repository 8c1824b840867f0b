"""The few git operations promotion and diff need, run with the real git."""

from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

# git's first line when no config or environment says who commits (user.email, user.name unset), and the
# fix. --global: promote may commit in a throwaway clone, which reads the user's config, not the checkout's.
IDENTITY_UNKNOWN = ("Author identity unknown", "Committer identity unknown", "*** Please tell me who you are")
IDENTITY_FIX = 'git config --global user.email "you@example.com" && git config --global user.name "Your Name"'


class GitError(Exception):
    """A git command failed. The message is one line: the subcommand and git's own first line (never the whole
    argv: a commit message can span lines). `fix` is set when the cause has a known fix."""

    def __init__(self, message: str, fix: str = ""):
        super().__init__(message)
        self.fix = fix


def _subcommand(args: tuple[str, ...] | list[str]) -> str:
    """`commit` of `-c k=v commit -q -m ...`: the first word that is not a global option or its value."""
    words = iter(args)
    for word in words:
        if word in ("-c", "-C"):
            next(words, None)
        elif not word.startswith("-"):
            return word
    return ""


def _failure(command: str, stderr: str, stdout: str = "") -> GitError:
    """The one-line GitError for a failed `git <command> ...`."""
    # .strip(): the server's `remote:` lines are padded with spaces (they overwrite progress output).
    detail = (stderr.strip() or stdout.strip() or "no output").splitlines()[0].strip()
    fix = IDENTITY_FIX if detail.startswith(IDENTITY_UNKNOWN) else ""
    return GitError(f"git {command}: {detail}", fix)


@dataclass(frozen=True)
class Git:
    root: Path

    def run(self, *args: str) -> str:
        return self._call(args, text=True).stdout

    def _call(self, args: tuple[str, ...], text: bool, command: str = "") -> subprocess.CompletedProcess:
        command = command or _subcommand(args)
        try:
            proc = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=text)
        except OSError as err:  # the directory is gone (or was never there), or git is not installed
            missing = "git" if err.filename == "git" else str(self.root)
            raise GitError(f"git {command}: {missing}: {err.strerror}") from None
        if proc.returncode != 0:
            decode = (lambda b: b) if text else (lambda b: b.decode(errors="replace"))
            raise _failure(command, decode(proc.stderr), decode(proc.stdout))
        return proc

    def dirty_paths(self) -> list[str]:
        """Modified, staged and untracked paths: anything a promotion commit could pick up or hide."""
        return [line[3:] for line in self.run("status", "--porcelain", "--untracked-files=all").splitlines()]

    def current_branch(self) -> str:
        """The checked-out branch, or the commit when HEAD is detached (so it can be restored)."""
        branch = self.run("rev-parse", "--abbrev-ref", "HEAD").strip()
        return branch if branch != "HEAD" else self.head()

    def head(self, short: bool = False) -> str:
        return self.run("rev-parse", *(["--short"] if short else []), "HEAD").strip()

    def show(self, ref: str, path: str) -> str:
        """A file's text at `ref` (paths are repo-relative, with forward slashes)."""
        return self.run("show", f"{ref}:{path}")

    def changed_paths(self, base: str) -> list[str]:
        """Paths changed on this branch since it left `base` (merge-base diff, as a PR shows it)."""
        return self.run("diff", "--name-only", f"{base}...HEAD").splitlines()

    def export(self, ref: str, destination: Path) -> None:
        """Write the tree of `ref` into `destination` (git archive: no worktree bookkeeping left behind)."""
        # The ref is a person's input (--against, a PR's base): the line names it, not only the subcommand.
        proc = self._call(("archive", "--format=tar", ref), text=False, command=f"archive {ref}")
        with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as archive:
            archive.extractall(destination, filter="data")


# The platform a repository deploys to, in its own git config: the runner marks the remote it
# creates for `make demo` ("demo"), and promote validates what it pushes there for that platform.
# Config, not a file in the tree: the mark belongs to that copy, never to the repository's history.
PLATFORM_KEY = "gitops.platform"


def platform_of(repository: Path) -> str:
    """The platform `repository` declares (git config gitops.platform); "" for the cluster."""
    proc = subprocess.run(["git", "config", "--get", PLATFORM_KEY], cwd=repository, capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else ""
