"""The few git operations promotion and diff need, run with the real git."""

from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path


class GitError(Exception):
    """A git command failed; the message is the command and git's own first line."""


@dataclass(frozen=True)
class Git:
    root: Path

    def run(self, *args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True)
        if proc.returncode != 0:
            # .strip(): the server's `remote:` lines are padded with spaces (they overwrite progress output).
            detail = (proc.stderr.strip() or proc.stdout.strip() or "no output").splitlines()[0].strip()
            raise GitError(f"git {' '.join(args)}: {detail}")
        return proc.stdout

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
        proc = subprocess.run(["git", "archive", "--format=tar", ref], cwd=self.root, capture_output=True)
        if proc.returncode != 0:
            detail = proc.stderr.decode(errors="replace").strip().splitlines()
            raise GitError(f"git archive {ref}: {detail[0] if detail else 'failed'}")
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
