"""The demo's stand-in for the GitHub repository Argo CD watches: a bare git repository under the state dir.

It must hold what this checkout holds, or the local sync renders an old tree
while the steps run the new one. Before every run the checkout's HEAD is
merged into the remote's base branch (a fast-forward when nothing else
happened there; a merge commit beside the pins earlier demo runs merged), and
a run refuses when files the pipeline reads have uncommitted changes: the
remote, like GitHub, only ever sees commits.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from gitops.core import dependencies, layout
from gitops.core.git import PLATFORM_KEY
from gitops.runner.errors import RunnerError

# The steps' code: what the step image is built from.
STEPS = Path("src/mlpipeline")
IDENTITY = ["-c", "user.name=local demo", "-c", "user.email=demo@localhost"]
PLATFORM = "demo"  # what the remote's pins are served by: policy/serving-storage.yaml, `demo:`


def _git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if check and proc.returncode != 0:
        detail = (proc.stderr.strip() or proc.stdout.strip() or "no output").splitlines()[0]
        raise RunnerError(f"git {' '.join(args)} in {cwd}: {detail}")
    return proc


def refuse_uncommitted(repo: Path, env: str) -> None:
    """Refuse when a file the steps run or the environment's folders render has uncommitted changes."""
    status = _git(repo, "status", "--porcelain", "--untracked-files=all").stdout.splitlines()
    paths = [line[3:].split(" -> ")[-1] for line in status]
    rendered = {p for folder in layout.deployable(repo, env) for p in dependencies.touched(repo, folder, paths)}
    changed = [p for p in paths if Path(p).is_relative_to(STEPS) or p in rendered]
    if changed:
        more = f" and {len(changed) - 5} more" if len(changed) > 5 else ""
        raise RunnerError(
            f"{repo}: uncommitted changes in {', '.join(changed[:5])}{more}: the local remote only sees commits, "
            "so the sync would render something else than the steps run (fix: commit them, or stash them)"
        )


def up_to_date(repo: Path, remote: Path, base: str) -> str:
    """Bring `remote`'s `base` up to this checkout's HEAD; returns what happened, for the run's summary."""
    head = _git(repo, "rev-parse", "HEAD").stdout.strip()
    if not (remote / "HEAD").is_file():
        remote.mkdir(parents=True, exist_ok=True)
        _git(remote, "init", "-q", "--bare", f"--initial-branch={base}", str(remote))
        _git(remote, "config", PLATFORM_KEY, PLATFORM)
        _git(repo, "push", "-q", str(remote), f"HEAD:refs/heads/{base}")
        return f"created from {head[:12]}"
    _git(remote, "config", PLATFORM_KEY, PLATFORM)  # remotes made before the mark existed get it too
    _git(repo, "push", "-q", "-f", str(remote), "HEAD:refs/heads/checkout/head")
    if _git(remote, "merge-base", "--is-ancestor", head, base, check=False).returncode == 0:
        return f"already holds {head[:12]}"
    if _git(remote, "merge-base", "--is-ancestor", base, head, check=False).returncode == 0:
        _git(remote, "update-ref", f"refs/heads/{base}", head)
        return f"fast-forwarded to {head[:12]}"
    with tempfile.TemporaryDirectory(prefix="demo-remote-") as tmp:
        work = Path(tmp) / "merge"
        _git(Path(tmp), "clone", "-q", "-b", base, str(remote), str(work))
        merged = _git(work, *IDENTITY, "merge", "-q", "--no-edit", "origin/checkout/head", check=False)
        if merged.returncode != 0:
            said = (merged.stdout + merged.stderr).splitlines()
            cause = next((ln for ln in said if ln.startswith("CONFLICT")), said[-1] if said else "no output")
            # Removing it loses only the demo's merged pins: the next run recreates it from HEAD.
            raise RunnerError(
                f"{remote}: this checkout's HEAD {head[:12]} does not merge with the pins earlier runs merged "
                f"({cause.strip()}) (fix: rm -rf {remote} to have the next run recreate it from HEAD, or "
                f"git pull {remote} {base} into your branch)"
            )
        _git(work, "push", "-q", "origin", f"HEAD:refs/heads/{base}")
    return f"merged {head[:12]} beside the pins earlier runs merged"
