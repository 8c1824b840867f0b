"""How `make validate` scales with models: the repo as it is (two models), and a clone with twenty.

The twenty are made the way a team makes them, with scripts/new-model, in a
clone of this checkout's HEAD, so every model renders its own three folders
and the ApplicationSet its Applications.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from gitops.core import layout
from gitops.scaffold.cli import write
from gitops.scaffold.model import DATASETS, NewModel
from gitops.validate.schemas import platform
from gitops.validate.schemas import store as schemas

TARGETS_S = {"repo": 2.0, "20_models": 5.0}


def _validate(repo: Path, store: Path, mirror: str) -> Callable[[], subprocess.CompletedProcess]:
    cmd = [sys.executable, "-m", "gitops.validate", "--repo", str(repo)]
    env = {**os.environ, schemas.CACHE_ENV: str(store), platform.MIRROR_ENV: mirror}
    return lambda: subprocess.run(cmd, capture_output=True, text=True, cwd=repo, env=env)


def measure(repo: Path, timed: Callable[[Callable[[], object]], float]) -> dict:
    # One schema store and one platform mirror for both: the clone has the same pins, and no ../shared.
    store, mirror = schemas.default_root(repo), platform.origin(repo)
    out = {"repo": _entry(repo, _validate(repo, store, mirror), timed, "repo")}
    with tempfile.TemporaryDirectory(prefix="bench-models-") as tmp:
        clone = Path(tmp) / "repo"
        subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
        for i in range(20 - len(layout.models(clone))):
            write(clone, NewModel(f"model-{i:02d}", DATASETS[i % len(DATASETS)], "0 5 * * *"))
        out["20_models"] = _entry(clone, _validate(clone, store, mirror), timed, "20_models")
    return out


def _entry(repo: Path, run: Callable[[], subprocess.CompletedProcess], timed, key: str) -> dict:
    started = time.perf_counter()
    first = run()  # cold for the clone: its render cache (.cache/renders) is empty
    cold = time.perf_counter() - started
    seconds = timed(run)  # warm: every render comes from the cache, keyed by its inputs
    verdict = next((ln for ln in reversed(first.stdout.splitlines()) if ln.startswith(("OK:", "FAILED:"))), "")
    return {
        "models": len(layout.models(repo)),
        "wall_s": round(seconds, 3),
        "first_run_s": round(cold, 3),
        "target_s": TARGETS_S[key],
        "met": seconds < TARGETS_S[key] and first.returncode == 0,
        "summary": verdict or first.stderr.strip(),
    }
