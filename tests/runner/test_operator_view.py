"""What an operator reads when a run does not go to plan: Ctrl-C (or SIGTERM, SIGHUP) stops the run and the
servers it started and says where it stopped (exit 128 + the signal, no traceback); a failed step's summary line
is its own last line and its log."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.runner.processes import children_of, live_in_groups, processes_under, step_server_pid

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def runner(state: Path, *args: str, **popen) -> subprocess.Popen:
    """The runner on the dev overlay, its $TMPDIR (so the step server's home) beside `state`."""
    (state.parent / "tmp").mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "gitops.runner", "--repo", str(REPO), "--state-dir", str(state), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "TMPDIR": str(state.parent / "tmp")},
        **popen,
    )


def closed(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.mark.parametrize(
    "serving",
    [
        pytest.param(False, id="no-serve"),
        pytest.param(True, id="serving"),  # make demo's path: MLServer is up for the sync while train runs
    ],
)
def test_ctrl_c_stops_the_step_and_the_servers_and_says_where_it_stopped(tmp_path, serving):
    state = tmp_path / ".local"
    # Its own process group, as a terminal's foreground job: Ctrl-C is SIGINT to that group.
    # Enough trees that train is still fitting when Ctrl-C comes, with the step server's preloaded imports too.
    args = ["-p", "n-estimators=20000", *([] if serving else ["--no-serve"])]
    run = runner(state, *args, start_new_session=True)
    lines = []
    for line in run.stdout:
        lines.append(line)
        if line.strip().startswith("● train"):
            break
    server = step_server_pid(tmp_path / "tmp")
    assert server is not None, "".join(lines)  # started with the run, before train
    time.sleep(1)  # train is importing or fitting
    os.killpg(run.pid, signal.SIGINT)
    out, err = run.communicate(timeout=60)
    run_dir = next((state / "runs").iterdir())
    assert run.returncode == 130, "".join(lines) + out + err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        "runner: interrupted (Ctrl-C) while running the workflow (step train, attempt 1): stopped it and the local "
        f"servers this run started; the record so far: {run_dir}/workflow.json (fix: run it again; a step stopped "
        "halfway is finished or redone by the next run)"
    )
    port = re.search(r"127\.0\.0\.1:(\d+)", (run_dir / "pushgateway.log").read_text()).group(1)
    assert closed(int(port))
    if serving:
        assert closed(json.loads((run_dir / "mlserver" / "settings.json").read_text())["http_port"])
    assert not Path(f"/proc/{server}").exists()  # the step server, reaped by the runner
    assert processes_under(tmp_path) == []
    assert '"message": "interrupted (Ctrl-C) while running the workflow (step train, attempt 1)"' in (
        (run_dir / "workflow.json").read_text()
    )


@pytest.mark.parametrize(
    ("signum", "serving"),
    [
        pytest.param(signal.SIGTERM, True, id="SIGTERM"),  # a service manager's stop, on make demo's path
        pytest.param(signal.SIGHUP, False, id="SIGHUP"),  # the terminal closed
    ],
)
def test_sigterm_and_sighup_stop_the_run_as_ctrl_c_does_and_leave_no_process_it_started(tmp_path, signum, serving):
    state = tmp_path / ".local"
    run = runner(state, "-p", "n-estimators=20000", *([] if serving else ["--no-serve"]), start_new_session=True)
    lines = []
    for line in run.stdout:
        lines.append(line)
        if line.strip().startswith("● train"):
            break
    time.sleep(1)  # train is importing or fitting
    # What the runner started, as the kernel records it: the Pushgateway, MLServer, the step server and train's
    # pod (forked, then re-parented to the runner), each leading its own process group.
    started = children_of(run.pid)
    server = step_server_pid(tmp_path / "tmp")
    assert server in started and len(started) >= (4 if serving else 3), ("".join(lines), started)
    os.kill(run.pid, signum)
    out, err = run.communicate(timeout=60)
    run_dir = next((state / "runs").iterdir())
    name = signal.Signals(signum).name
    assert run.returncode == 128 + signum, "".join(lines) + out + err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"runner: interrupted ({name}) while running the workflow (step train, attempt 1): stopped it and the "
        f"local servers this run started; the record so far: {run_dir}/workflow.json (fix: run it again; a step "
        "stopped halfway is finished or redone by the next run)"
    )
    assert live_in_groups(started) == []
    assert f'"message": "interrupted ({name}) while running the workflow (step train, attempt 1)"' in (
        (run_dir / "workflow.json").read_text()
    )


def test_a_failed_step_is_summed_up_by_its_own_last_line_and_its_log(tmp_path):
    state = tmp_path / ".local"
    done = runner(state, "--no-serve", "-p", "n-estimators=0")
    out, err = done.communicate(timeout=300)
    assert done.returncode == 1, out + err
    run_dir = next((state / "runs").iterdir())
    failed = [line.strip().split(None, 1)[1] for line in out.splitlines() if line.startswith("  failed ")]
    # Exit 2 is not retried (the retry expression takes exit 1): one attempt, one line.
    assert failed == [
        "train, attempt 1: train: --n-estimators: must be a positive integer, got 0 (fix: see python -m "
        f"mlpipeline.train --help) (log: {run_dir}/pods/001-train_0/stderr.txt)"
    ]
    assert (run_dir / "pods" / "001-train_0" / "stderr.txt").is_file()
