"""Helpers for the step tests: run a step in-process, a fresh registry, a bare git remote, the pipeline runs."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from gitops.runner import services
from gitops.runner.services import Server
from mlpipeline import pin
from tests.support.doubles import RecordingPullRequests
from tests.support.git import git

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def serve(mlserver, name: str, uri: str) -> None:
    services.serve(mlserver, name, uri)


@dataclass
class Result:
    code: int
    outputs: dict[str, str]
    summary: dict
    stderr: str

    @property
    def error_line(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""


def run_step(step: str, args: list[str], outputs_dir: Path, main=None) -> Result:
    """Run a step in-process (the same cli.run as `python -m`), capturing stderr and reading its outputs."""
    import importlib

    from mlpipeline import cli

    module = importlib.import_module(f"mlpipeline.{step}")
    shutil.rmtree(outputs_dir, ignore_errors=True)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        try:
            code = cli.run(step, main or module.main, [*args, "--outputs-dir", str(outputs_dir)])
        except SystemExit as exit:  # argparse usage errors
            code = exit.code
    outputs, summary = {}, {}
    if outputs_dir.is_dir():
        for path in outputs_dir.iterdir():
            if path.name == "summary.json":
                summary = json.loads(path.read_text())
            elif not path.name.startswith("."):
                outputs[path.name] = path.read_text()
    return Result(code, outputs, summary, stderr.getvalue())


def new_registry(root: Path, experiment: str = "iris") -> str:
    """A SQLite registry whose artifacts live under root (not the working directory)."""
    from mlflow import MlflowClient

    uri = f"sqlite:///{root}/mlflow.db"
    MlflowClient(uri).create_experiment(experiment, artifact_location=(root / "artifacts").as_uri())
    return uri


def bare_remote(root: Path) -> Path:
    """A bare repository whose main branch holds the repo's dev folders of its models, as they are before
    any deploy: the files the deploy step edits."""
    remote = root / "remote.git"
    git(root, "init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    seed = root / "seed"
    git(root, "clone", "--quiet", str(remote), str(seed))
    (seed / "README.md").write_text("GitOps repo\n")
    for model in ("iris", "wine"):
        path = pin.PIN_PATH.format(environment="dev", model=model)
        (seed / path).parent.mkdir(parents=True)
        (seed / path).write_text((REPO / path).read_text())
    git(seed, "add", ".")
    git(seed, "commit", "--quiet", "-m", "init")
    git(seed, "push", "--quiet", "origin", "HEAD:main")
    shutil.rmtree(seed)
    return remote


def merge(remote: Path, branch: str, work: Path) -> None:
    """What a reviewer does with the deploy PR: merge it into main."""
    clone = work / f"merge-{branch.replace('/', '-')}"
    git(work, "clone", "--quiet", str(remote), str(clone))
    git(clone, "merge", "--quiet", "--no-ff", "-m", f"Merge {branch}", f"origin/{branch}")
    git(clone, "push", "--quiet", "origin", "HEAD:main")


PIN_FILE = pin.PIN_PATH.format(environment="dev", model="iris")
# Run 1 is deliberately weak (two stumps) so run 2 beats it as champion by a
# clear margin; floors are lowered for run 1 only so it can pass and deploy.


RUNS = (
    {"train": ["--n-estimators", "2", "--max-depth", "1"], "floors": ["--accuracy-floor", "0.5", "--f1-floor", "0"]},
    {"train": ["--n-estimators", "10"], "floors": ["--accuracy-floor", "0.9", "--f1-floor", "0.85"]},
)


@dataclass
class Pipeline:
    root: Path
    tracking_uri: str
    remote: Path
    checkout: Path
    pulls: RecordingPullRequests
    pushgateway: str
    mlserver: Server
    runs: list[dict]

    def common(self) -> list[str]:
        return ["--tracking-uri", self.tracking_uri, "--model-name", "iris"]

    def deploy(self, version: str, out: Path) -> Result:
        from mlpipeline import deploy

        return run_step(
            "deploy",
            [
                *self.common(),
                "--model-version",
                version,
                "--repo-url",
                str(self.remote),
                "--checkout-dir",
                str(self.checkout),
            ],
            out,
            main=lambda argv: deploy.main(argv, pulls=self.pulls),
        )

    def mark_deployed(
        self,
        version: str,
        storage_uri: str,
        out: Path,
        served_name: str | None = None,
        timeout: str = "60",
        floor: str = "0.5",
    ) -> Result:
        return run_step(
            "mark_deployed",
            [
                *self.common(),
                "--model-version",
                version,
                "--storage-uri",
                storage_uri,
                "--readiness",
                "local",
                "--server-url",
                self.mlserver.url,
                "--served-model-name",
                served_name or f"iris-v{version}",
                "--served-uri",
                storage_uri,
                "--ready-timeout",
                timeout,
                "--accuracy-floor",
                floor,
                "--pushgateway-url",
                self.pushgateway,
                # What Argo CD synced: main of the remote, where the reviewer merged the deploy branch.
                "--deployed-commit",
                git(self.remote, "rev-parse", "main").strip(),
                "--repo-url",
                str(self.remote),
            ],
            out,
        )


def pinned(remote: Path, ref: str = "main") -> dict:

    return vars(pin.parse(git(remote, "show", f"{ref}:{PIN_FILE}"), PIN_FILE))
