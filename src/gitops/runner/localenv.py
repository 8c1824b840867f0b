"""The one-machine stand-ins for the platform: MLflow on SQLite, a Pushgateway, git, secrets.

Everything lives under a git-ignored state directory (default .local/), so a
second run sees the first run's registry, deployed pin and alias, and
`make clean` resets it all.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from gitops.runner import remote, services
from gitops.runner.errors import RunnerError

SECRETS_HELP = "lines of SECRET_NAME/KEY=value"


@dataclass
class LocalEnv:
    state: Path
    tracking_uri: str
    remote: Path
    pushgateway: services.Server | None = None
    mlserver: services.Server | None = None  # started with the run when it will serve, ready by the sync
    metrics_dir: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def pushgateway_url(self) -> str:
        return self.pushgateway.url if self.pushgateway else f"file://{self.metrics_dir}"

    def stop(self) -> None:
        servers = [s for s in (self.mlserver, self.pushgateway) if s is not None]
        for server in servers:  # all at once: MLServer's shutdown takes most of a second
            server.terminate()
        for server in servers:
            server.stop()
        self.mlserver = self.pushgateway = None


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def ensure_experiment(tracking_uri: str, name: str, artifacts: Path) -> None:
    """Create the experiment with a fixed artifact root, so steps running in different directories share it."""
    if _experiment_in_sqlite(tracking_uri, name):
        return
    from mlflow import MlflowClient

    try:
        client = MlflowClient(tracking_uri)
        if client.get_experiment_by_name(name) is None:
            artifacts.mkdir(parents=True, exist_ok=True)
            client.create_experiment(name, artifact_location=artifacts.resolve().as_uri())
    except Exception as err:  # noqa: BLE001 - MLflow's errors end in a library URL: say the cause instead
        raise RunnerError(
            f"{tracking_uri}: cannot create the experiment {name}: {_root_cause(err)} (fix: make the store "
            "reachable and writable, or pass --tracking-uri)"
        ) from None


def _root_cause(err: BaseException) -> str:
    """The innermost exception's first line (SQLAlchemy wraps sqlite3's words in a URL and a retry count)."""
    while (err.__cause__ or err.__context__) is not None:
        err = err.__cause__ or err.__context__
    return (str(err).strip().splitlines() or [type(err).__name__])[0]


def check_store(tracking_uri: str) -> None:
    """A local SQLite store MLflow could not open fails before any server starts, in one line: MLflow
    itself retries for a minute and a half and ends in a 180-line traceback."""
    if not tracking_uri.startswith("sqlite:///"):
        return
    db = Path(tracking_uri.removeprefix("sqlite:///").split("?")[0])
    if db.exists() and not db.is_file():
        raise RunnerError(f"{db}: the MLflow database is not a file (fix: move it away, or pass --tracking-uri)")
    target = db if db.exists() else db.parent
    if not os.access(target, os.W_OK):  # also a read-only mount, where root's access() says no too
        what = "write to it" if db.exists() else f"create {db.name} there"
        raise RunnerError(
            f"{target}: not writable, so MLflow cannot {what} (fix: make {target} writable, or pass --state-dir "
            "on a writable disk)"
        )


def _experiment_in_sqlite(tracking_uri: str, name: str) -> bool:
    """Whether a local SQLite store already has the experiment: a read-only query instead of importing MLflow
    (two seconds) and opening its store. Any doubt (no file, another schema) answers False: MLflow decides."""
    path = Path(tracking_uri.removeprefix("sqlite:///").split("?")[0])
    if not tracking_uri.startswith("sqlite:///") or not path.is_file():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            return db.execute("SELECT 1 FROM experiments WHERE name = ?", (name,)).fetchone() is not None
    except sqlite3.Error:
        return False


def read_secrets(path: Path) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    if not path.is_file():
        return out
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        name, slash, item = key.strip().partition("/")
        if not sep or not slash:  # the line itself is not echoed: it may hold a secret
            raise RunnerError(
                f"{path}:{number}: not a secret line: expected {SECRETS_HELP} (fix: write it as NAME/KEY=value, "
                "or start it with # to comment it out)"
            )
        out.setdefault(name, {})[item] = value
    return out


def start(
    repo: Path, state: Path, tracking_uri: str | None, experiment: str, base: str, run_dir: Path, serve: bool = False
) -> LocalEnv:
    """The stand-ins a run needs; with `serve`, MLServer too, starting now so that it is up by the sync."""
    db = state / "mlflow" / "mlflow.db"
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RunnerError(
            f"{err.filename}: cannot create the local state: {err.strerror} (fix: make it a writable directory, or "
            "pass --state-dir elsewhere)"
        ) from None
    remote.refuse_uncommitted(repo, "dev")
    env = LocalEnv(state, tracking_uri or f"sqlite:///{db.resolve()}", state / "remote.git")
    check_store(env.tracking_uri)
    if services.pushgateway_installed():  # it starts while git and the experiment check run
        env.pushgateway = services.start_pushgateway(run_dir / "pushgateway.log", wait=False)
    if serve:
        env.mlserver = services.start_mlserver(run_dir / "mlserver", wait=False)
    try:
        env.notes.append(f"local git remote {env.remote}: {remote.up_to_date(repo, env.remote, base)}")
        ensure_experiment(env.tracking_uri, experiment, state / "mlflow" / "artifacts")
        if env.pushgateway:
            env.pushgateway.wait_ready()
    except BaseException:
        env.stop()
        raise
    if not env.pushgateway:
        env.metrics_dir = run_dir / "metrics"
        env.notes.append(
            f"no Pushgateway ({services.PUSHGATEWAY} not installed): metrics written to {env.metrics_dir}/ "
            "(apt-get install prometheus-pushgateway for the real one)"
        )
    return env
