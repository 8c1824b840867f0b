"""Where promote works, and how the promotion gets merged without GitHub.

Two cases, by what `--remote` names:
- a remote of this checkout (`origin`): promote works in the checkout, as CI does;
- a repository path or URL: promote works in a throwaway clone of its base
  branch. The demo's pins live only in its bare remote (`.local/remote.git`,
  where the local runner's deploy step pushes and its sync merges), so that is
  where a local promotion must start from, and where its branch goes.
With no GitHub, nobody opens a pull request: promote prints the exact command
that merges the pushed branch, a fast-forward that git refuses if the base moved.
"""

from __future__ import annotations

import shlex
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from gitops.core.git import Git, GitError, platform_of

# The local runner's state (python -m gitops.runner --state-dir, default .local): its bare remote and registry.
DEMO_REMOTE = Path(".local/remote.git")
DEMO_REGISTRY = Path(".local/mlflow/mlflow.db")


class WorkspaceError(Exception):
    """The remote cannot be used; the message names it and the fix."""


@dataclass
class Workspace:
    root: Path  # where the files are read, edited and committed
    remote: str  # the name, in `root`, the branch is pushed to
    shown: str  # the remote as a person wrote it
    base: str  # the branch a promotion targets ("" for the checkout's current branch)
    local_repository: Path | None = None  # a repository path on this machine, when cloned from one
    _tmp: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    @property
    def platform(self) -> str:
        """What the pushed pins are served by: "demo" for the remote `make demo` created, else "" (the cluster)."""
        return platform_of(self.local_repository) if self.local_repository is not None else ""

    @property
    def cloned(self) -> bool:
        return self._tmp is not None

    def merge_command(self, branch: str, base: str) -> str:
        """The command that merges `branch` into `base` where it was pushed: a fast-forward only."""
        if not self.cloned:
            return f"git push {shlex.quote(self.remote)} {shlex.quote(branch)}:{shlex.quote(base)}"
        if self.local_repository is not None:
            return f"git -C {shlex.quote(str(self.local_repository))} push . {shlex.quote(branch)}:{shlex.quote(base)}"
        url = shlex.quote(self.shown)
        return f"git fetch {url} {shlex.quote(branch)} && git push {url} FETCH_HEAD:refs/heads/{shlex.quote(base)}"

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def open_workspace(root: Path, remote: str, base: str) -> Workspace:
    """The checkout when `remote` is one of its remotes; otherwise a fresh clone of `remote` at `base`."""
    try:
        remotes = Git(root).run("remote").split()
    except GitError as err:
        raise WorkspaceError(
            f"--root {root}: not a git checkout ({err}) (fix: run scripts/promote from the repository, or pass "
            "--root <checkout>)"
        ) from None
    if remote in remotes:
        return Workspace(root, remote, remote, base)
    local = (root / remote) if not Path(remote).is_absolute() else Path(remote)
    looks_remote = "://" in remote or (":" in remote.split("/")[0] and not local.exists())
    if not looks_remote and not local.is_dir():
        raise WorkspaceError(
            f"--remote {remote}: not a remote of this checkout ({', '.join(remotes) or 'none'})"
            f" and no repository at {local} (fix: run make demo, which creates {DEMO_REMOTE}, or pass --remote "
            "<remote name, path or URL>)"
        )
    url = str(local.resolve()) if not looks_remote else remote
    tmp = tempfile.TemporaryDirectory(prefix="promote-")
    clone = Path(tmp.name) / "repo"
    args = ["git", "clone", "-q", *(["--branch", base] if base else []), url, str(clone)]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        tmp.cleanup()
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise WorkspaceError(f"--remote {remote}: cannot clone it ({detail}) (fix: pass a repository you can read)")
    shown = remote if looks_remote else str(local)
    return Workspace(clone, "origin", shown, base, None if looks_remote else local.resolve(), tmp)
