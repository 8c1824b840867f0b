"""Drill: the run directory (the step's /tmp: TMPDIR, HOME, outputs) fills up. Full from the start, train stops
before it touches the registry; full in the middle (the model file does not fit), the run is marked failed and
no version is registered. Each is one line naming the place and the fix. A real tmpfs where a mount works;
elsewhere a file-size limit (tests/support/filesystems.py), whose error says so."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.drills.faults import start_mlflow
from tests.drills.processes import registry, step
from tests.steps.helpers import new_registry
from tests.support.filesystems import can_mount, full_disk

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
FULL = "no space left on device" if can_mount() else "file too large for this process's file-size limit"
FIX = "free space there, or give the step a bigger volume" if can_mount() else "raise the limit (ulimit -f)"


def train(uri: str, run, tmp_path, popen: dict):
    return step(
        "train",
        *("--tracking-uri", uri, "--model-name", "iris", "--experiment", "iris", "--max-depth", "5"),
        *("--outputs-dir", str(run / "outputs"), "--push-optional", "true"),
        env={"TMPDIR": str(run), "HOME": str(run)},
        cwd=tmp_path,
        **popen,
    )


def test_a_full_run_directory_stops_train_before_it_touches_the_registry(tmp_path):
    uri = new_registry(tmp_path)
    run = tmp_path / "run"
    with full_disk(run) as popen:
        done = train(uri, run, tmp_path, popen)
    assert (done.code, done.last_line) == (1, f"train: --outputs-dir {run / 'outputs'}: {FULL} (fix: {FIX})")
    assert registry(tmp_path / "mlflow.db") == {"runs": [], "versions": {}, "aliases": {}}


def test_a_run_directory_that_fills_up_mid_run_registers_no_version(tmp_path):
    # The registry in its own process (as in the cluster), so only the step's writes meet the full disk (or,
    # unprivileged, the file-size limit, which would otherwise stop SQLite growing its database too).
    server = start_mlflow(tmp_path / "mlflow")
    run = tmp_path / "run"
    try:
        # Room for the outputs check (64 KiB) and the training split, not for the model's files.
        with full_disk(run, free_bytes=128 * 1024) as popen:
            done = train(server.url, run, tmp_path, popen)
    finally:
        server.stop()
    state = registry(tmp_path / "mlflow" / "mlflow.db")
    [(run_id, status)] = state["runs"]
    assert (done.code, done.last_line) == (
        1,
        f"train: the step's working directory (TMPDIR, HOME, --outputs-dir): run {run_id}: {FULL}; no model version "
        f"was registered (fix: {FIX}; the next run trains again)",
    )
    assert (status, state["versions"]) == ("FAILED", {})


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv to drop CAP_SYS_ADMIN"
)
def test_root_that_may_not_mount_falls_back_to_the_file_size_limit(tmp_path):
    # Root in a container without CAP_SYS_ADMIN (Docker's default): mount fails, so the drills use the limit.
    probe = (
        "from pathlib import Path; import sys; from tests.support.filesystems import can_mount, full_disk\n"
        "with full_disk(Path(sys.argv[1])) as popen: print(can_mount(), sorted(popen))"
    )
    done = subprocess.run(
        ["setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin", sys.executable, "-c", probe]
        + [str(tmp_path / "run")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "False ['preexec_fn']\n", "")
