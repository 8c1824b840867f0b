"""The runner's children die with it and are ended when it ends (gitops/runner/children.py), real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from tests.runner.processes import live_in_groups

KILLED_OUTRIGHT = """
import os, signal, subprocess, sys
from gitops.runner import children
child = subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(60)"], preexec_fn=children.dies_with_this_process(),
    start_new_session=True, stdout=subprocess.DEVNULL,
)
print(child.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no cleanup runs
"""


def test_a_child_started_to_die_with_its_parent_ends_when_the_parent_is_killed_outright():
    done = subprocess.run([sys.executable, "-c", KILLED_OUTRIGHT], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    child = int(done.stdout)
    try:
        deadline = time.monotonic() + 30  # the kernel's signal is delivered at once; a busy machine schedules late
        while live_in_groups([child]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live_in_groups([child]) == []
    finally:
        if live_in_groups([child]):
            os.killpg(child, signal.SIGKILL)


LEAVES_A_DAEMON = """
import json, os, subprocess, sys
from gitops.runner import children, step_server
assert step_server._become_subreaper() == ""
# A pod that leaves a process behind in a session of its own (its process group is not the pod's): orphaned,
# it becomes this process's child.
pod = subprocess.run(
    [sys.executable, "-c", "import subprocess, sys; "
     "print(subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], start_new_session=True, "
     "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).pid)"],
    capture_output=True, text=True, check=True,
)
daemon = int(pod.stdout)
ended = children.end_strays()
print(json.dumps({"daemon": daemon, "ended": ended, "left": os.path.exists(f"/proc/{daemon}")}))
"""


def test_the_runner_ends_and_reaps_the_orphans_its_pods_left():
    done = subprocess.run([sys.executable, "-c", LEAVES_A_DAEMON], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ended"] == [result["daemon"]]
    assert result["left"] is False  # killed, and reaped: not even a zombie
