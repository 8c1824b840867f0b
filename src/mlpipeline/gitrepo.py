"""A git checkout the deploy step may change: clean, not diverged, credentials kept off disk.

Every git call goes through `Checkout.git`, which raises a one-line StepError
with git's own last line of output, so a failed push or fetch says why.
"""

from __future__ import annotations

import base64
import os
import subprocess
import time
from pathlib import Path

from mlpipeline.errors import PermanentError, StepError

# Used only when the environment does not set GIT_AUTHOR_*/GIT_COMMITTER_*;
# `.invalid` is reserved (RFC 2606), so it can never be mistaken for a real address.
DEFAULT_IDENTITY = ("mlpipeline deploy step", "mlpipeline@deploy.invalid")
# What git servers answer when two pushes update one ref at once (receive-pack's ref lock).
LOCKED = ("cannot lock ref", "reference already exists", "failed to update ref")


def auth_env(repo_url: str, token: str | None) -> dict[str, str]:
    """Pass the token as an HTTP header through GIT_CONFIG_* variables: never in argv, never in .git/config."""
    if not token or not repo_url.startswith("https://"):
        return {}
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
    }


def _reason(output: str) -> str:
    """The server's own words (`remote: ...`, e.g. a protected-branch refusal) beat git's generic last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    remote = [line.removeprefix("remote:").strip() for line in lines if line.startswith("remote:")]
    remote = [line for line in remote if line]
    return remote[0] if remote else (lines[-1] if lines else "")


class Checkout:
    def __init__(self, path: Path, repo_url: str, base_branch: str, token: str | None = None):
        self.path = path
        self.repo_url = repo_url
        self.base = base_branch
        name, email = DEFAULT_IDENTITY
        self.env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", **auth_env(repo_url, token)}
        for role in ("AUTHOR", "COMMITTER"):
            self.env.setdefault(f"GIT_{role}_NAME", name)
            self.env.setdefault(f"GIT_{role}_EMAIL", email)

    def git(self, *args: str, what: str = "git command failed", cwd: Path | None = None) -> str:
        result = subprocess.run(["git", *args], cwd=cwd or self.path, env=self.env, capture_output=True, text=True)
        if result.returncode != 0:
            detail = _reason(result.stderr or result.stdout) or f"exit {result.returncode}"
            raise StepError(
                f"git {args[0]} in {self.path}",
                f"{what}: {detail}",
                "check GIT_REPO_URL, the token and the remote branch",
            )
        return result.stdout.strip()

    def prepare(self) -> None:
        """Clone, or reuse a checkout only if it is clean and its base has not diverged from the remote."""
        if not (self.path / ".git").exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.git(
                "clone",
                "--quiet",
                "--branch",
                self.base,
                self.repo_url,
                str(self.path),
                what="clone failed",
                cwd=self.path.parent,
            )
            return
        if self.git("status", "--porcelain"):
            raise PermanentError(
                f"checkout {self.path}",
                "uncommitted changes",
                "commit or discard them (git status), or use a fresh --checkout-dir",
            )
        self.git("fetch", "--quiet", "origin", self.base, what="fetch failed")
        local = self.git("rev-parse", "--verify", "--quiet", f"refs/heads/{self.base}", what="no local base branch")
        ahead = self.git("rev-list", "--count", f"origin/{self.base}..{local}")
        if ahead != "0":
            raise PermanentError(
                f"checkout {self.path}",
                f"branch {self.base} has {ahead} commit(s) not on origin/{self.base} (diverged)",
                f"push or drop them (git reset --hard origin/{self.base}), or use a fresh --checkout-dir",
            )

    def start_branch(self, branch: str) -> None:
        self.git("checkout", "--quiet", "-B", branch, f"origin/{self.base}")

    def commit_all(self, paths: list[str], message: str) -> None:
        self.git("add", "--", *paths)
        self.git("commit", "--quiet", "-m", message, what="commit failed")

    def push(self, branch: str) -> None:
        # The deploy branch belongs to the pipeline: a re-run replaces it.
        for attempt in range(3):
            try:
                self.git("push", "--quiet", "--force", "origin", f"HEAD:refs/heads/{branch}", what="push failed")
                return
            except StepError as err:
                # Another run pushing the same branch at the same moment holds the server's ref lock; once it
                # is done, a forced push replaces its branch (same version, same pin). Anything else is final.
                if attempt == 2 or not any(text in err.what for text in LOCKED):
                    raise
                time.sleep(0.5 * (attempt + 1))

    def delete_remote_branch(self, branch: str) -> None:
        subprocess.run(
            ["git", "push", "--quiet", "origin", f":refs/heads/{branch}"],
            cwd=self.path,
            env=self.env,
            capture_output=True,
        )

    def abandon(self, branch: str) -> None:
        """Back to the base branch with the deploy branch gone: nothing half-done stays behind."""
        subprocess.run(
            ["git", "checkout", "--quiet", "--force", "--detach", f"origin/{self.base}"],
            cwd=self.path,
            env=self.env,
            capture_output=True,
        )
        subprocess.run(["git", "branch", "--quiet", "-D", branch], cwd=self.path, env=self.env, capture_output=True)
