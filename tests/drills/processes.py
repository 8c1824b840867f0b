"""Steps run as the processes they are in a pod (`python -m mlpipeline.<step>`), and what the registry holds,
read straight from its database: what every drill asserts on."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# A retry schedule with the same shape, without its sleeps (mlpipeline.backoff reads this once).
FAST = {"MLPIPELINE_BACKOFF_SECONDS": "0.05"}


@dataclass(frozen=True)
class Done:
    code: int
    stderr: str

    @property
    def last_line(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""


def step(name: str, *args: str, env: dict[str, str] | None = None, cwd: Path, **popen) -> Done:
    done = subprocess.run(
        [sys.executable, "-m", f"mlpipeline.{name}", *args],
        env={**os.environ, **FAST, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        **popen,
    )
    assert "Traceback" not in done.stderr, done.stderr  # a drill's failure is one line, never a crash
    return Done(done.returncode, done.stderr)


def registry(db: Path) -> dict:
    """Runs (with their status), versions (with their tags) and aliases, read from the SQLite database."""
    from mlflow import MlflowClient

    client = MlflowClient(f"sqlite:///{db}")
    experiments = [e.experiment_id for e in client.search_experiments()]
    runs = sorted((r.info.run_id, r.info.status) for r in client.search_runs(experiments)) if experiments else []
    versions = {(mv.name, str(mv.version)): dict(mv.tags) for mv in client.search_model_versions()}
    aliases = {m.name: dict(m.aliases) for m in client.search_registered_models()}
    return {"runs": runs, "versions": versions, "aliases": aliases}
