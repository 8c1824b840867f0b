"""The demo's stand-in for the GitHub repository Argo CD watches: a bare git repository under the state dir.

It must hold what this checkout holds, or the local sync renders an old tree
while the steps run the new one. Before every run the checkout's HEAD is
merged into the remote's base branch (a fast-forward when nothing else
happened there; a merge commit beside the pins earlier demo runs merged), and
a run refuses when files the pipeline reads have uncommitted changes: the
remote, like GitHub, only ever sees commits. Holding HEAD in its history is
not enough (after `git checkout HEAD~1` the base branch is newer than HEAD):
every file the sync renders must be HEAD's, except the pins the pipeline
wrote there, so a commit on the base branch sets the ones that differ.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from gitops.argocd.buildenv import APPS_DIR
from gitops.core import dependencies, layout
from gitops.core.git import PLATFORM_KEY
from gitops.runner.errors import RunnerError
from mlpipeline import pin as pins

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
    """Refuse when a file the steps run, the environment's folders render or the sync's Applications (which
    set how Argo CD builds them) declare has uncommitted changes."""
    status = _git(repo, "status", "--porcelain", "--untracked-files=all").stdout.splitlines()
    paths = [line[3:].split(" -> ")[-1] for line in status]
    rendered = {p for folder in layout.deployable(repo, env) for p in dependencies.touched(repo, folder, paths)}
    changed = [p for p in paths if Path(p).is_relative_to(STEPS) or Path(p).is_relative_to(APPS_DIR) or p in rendered]
    if changed:
        more = f" and {len(changed) - 5} more" if len(changed) > 5 else ""
        raise RunnerError(
            f"{repo}: uncommitted changes in {', '.join(changed[:5])}{more}: the local remote only sees commits, "
            "so the sync would render something else than the steps run (fix: commit them, or stash them)"
        )


def up_to_date(repo: Path, remote: Path, base: str, env: str = "dev") -> str:
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
        happened = f"already holds {head[:12]}"
    elif _git(remote, "merge-base", "--is-ancestor", base, head, check=False).returncode == 0:
        _git(remote, "update-ref", f"refs/heads/{base}", head)
        return f"fast-forwarded to {head[:12]}"  # base is HEAD now: nothing can differ
    else:
        happened = _merge(remote, base, head)
    return happened + _align_rendered(repo, remote, base, head, env)


def _merge(remote: Path, base: str, head: str) -> str:
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


def rendered_paths(repo: Path, env: str) -> list[str]:
    """What the sync of `env` renders from: every file its folders' kustomizations read, the whole
    environment folder (a folder added or removed there adds or removes an Application's render), and the
    Applications, whose kustomize options the sync applies before it builds (gitops.argocd.buildenv)."""
    paths = {(layout.OVERLAYS / env).as_posix(), APPS_DIR.as_posix()}
    for folder in layout.deployable(repo, env):
        directories, others = dependencies.files(repo, folder)
        paths |= {(d / name).as_posix() for d in directories for name in dependencies.KUSTOMIZATION_FILES}
        paths |= {f.as_posix() for f in others}
    return sorted(paths)


def _blobs(remote: Path, ref: str, paths: list[str]) -> dict[str, str]:
    """path -> blob id of each file under `paths` at `ref`."""
    out = _git(remote, "ls-tree", "-r", "-z", "--full-tree", ref, "--", *paths).stdout
    entries = (entry.split("\t", 1) for entry in out.split("\0") if entry)
    return {path: meta.split()[2] for meta, path in entries}


def _show(remote: Path, blob: str) -> str:
    return _git(remote, "cat-file", "blob", blob).stdout


def _keeping_pin(ours: str, theirs: str, path: str) -> str:
    """HEAD's text of a model folder's kustomization with the pin `theirs` holds: the pipeline wrote that pin on
    the remote; the checkout does not have it and must not take it away."""
    try:
        pinned = pins.parse(theirs, path)
        return pins.with_pin(ours, pinned, path) if pinned is not None else ours
    except pins.PinError:  # a side holds no readable pin: HEAD's text as it is (the render will say what is wrong)
        return ours


def _last_held(remote: Path, base: str, path: str) -> str | None:
    """The text `base` held at `path` before the commit that removed it (None: it never held one). A pin the
    pipeline wrote there outlives a checkout without its model folder: back on a HEAD that has it, it stays."""
    removed = _git(remote, "rev-list", "-1", base, "--", path).stdout.strip()
    if not removed:
        return None
    held = _git(remote, "show", f"{removed}^:{path}", check=False)
    return held.stdout if held.returncode == 0 else None


def _align_rendered(repo: Path, remote: Path, base: str, head: str, env: str) -> str:
    """Set every rendered file on `base` that differs from HEAD's to HEAD's, pins kept, in one commit."""
    paths = rendered_paths(repo, env)
    theirs, ours = _blobs(remote, base, paths), _blobs(remote, "refs/heads/checkout/head", paths)
    pin_files = {layout.pin_file(env, model).as_posix() for model in layout.models(repo)}
    wanted: dict[str, str | None] = {}  # path -> the text `base` must hold (None: not there)
    for path in sorted(theirs.keys() | ours.keys()):
        if theirs.get(path) == ours.get(path):
            continue
        if path not in ours:
            wanted[path] = None
            continue
        text = _show(remote, ours[path])
        old = _show(remote, theirs[path]) if path in theirs else None
        if path in pin_files:
            pinned = old if old is not None else _last_held(remote, base, path)
            text = _keeping_pin(text, pinned, path) if pinned is not None else text
        if text == old:
            continue  # only the pipeline's pin differs
        wanted[path] = text
    if not wanted:
        return ""
    with tempfile.TemporaryDirectory(prefix="demo-remote-") as tmp:
        work = Path(tmp) / "align"
        _git(Path(tmp), "clone", "-q", "-b", base, str(remote), str(work))
        for path, text in wanted.items():
            if text is None:
                _git(work, "rm", "-q", "--", path)
            else:
                (work / path).parent.mkdir(parents=True, exist_ok=True)
                (work / path).write_text(text, encoding="utf-8")
        _git(work, "add", "-A")
        message = f"local demo: the rendered files of {head[:12]}, the checkout's HEAD (pins kept)"
        _git(work, *IDENTITY, "commit", "-q", "-m", message)
        _git(work, "push", "-q", "origin", f"HEAD:refs/heads/{base}")
    changed = list(wanted)
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    return f"; set {', '.join(changed[:3])}{more} there to HEAD's (its {base} had other versions)"
