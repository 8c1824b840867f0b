"""synchronization on one machine: lock files under the state dir, Argo's keys and waiting messages
(workflow/sync/lock_name.go, semaphore.go; gitops.runner.locks)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from gitops.runner.locks import Locks

MUTEX = {"mutexes": [{"name": "m"}]}
SEMAPHORE = {"semaphores": [{"configMapKeyRef": {"name": "limits", "key": "jobs"}}]}
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "runner" / "concurrency" / "mutex.yaml"


def test_a_held_mutex_makes_others_wait_with_argos_message(tmp_path):
    one, two = Locks(tmp_path, "argo", {}), Locks(tmp_path, "argo", {})
    assert one.try_acquire("argo/wf-a/n1", MUTEX) == (True, "", "")
    assert two.try_acquire("argo/wf-b/n1", MUTEX) == (
        False,
        "Waiting for argo/Mutex/m lock. Lock status: 0/1",
        "argo/Mutex/m",
    )
    one.release("argo/wf-a/n1")
    assert two.try_acquire("argo/wf-b/n1", MUTEX)[0]


def test_a_semaphore_admits_its_limit(tmp_path):
    limits = {"limits": {"data": {"jobs": "2"}}}
    holders = [Locks(tmp_path, "argo", limits) for _ in range(3)]
    got = [h.try_acquire(f"argo/wf/{i}", SEMAPHORE) for i, h in enumerate(holders)]
    assert [g[0] for g in got] == [True, True, False]
    assert got[2][1] == "Waiting for argo/ConfigMap/limits/jobs lock. Lock status: 0/2"


def test_all_or_none(tmp_path):
    limits = {"limits": {"data": {"jobs": "1"}}}
    one, two, three = (Locks(tmp_path, "argo", limits) for _ in range(3))
    one.try_acquire("a", MUTEX)
    acquired, _, key = two.try_acquire("b", {**SEMAPHORE, **MUTEX})
    assert (acquired, key) == (False, "argo/Mutex/m")
    assert three.try_acquire("c", SEMAPHORE)[0]  # b kept none of what it could take


def test_two_runs_on_one_machine_take_turns(tmp_path, repo):
    argv = [sys.executable, "-m", "gitops.runner", "--file", str(FIXTURE), "--state-dir", str(tmp_path), "--output"]
    runs = [
        subprocess.Popen([*argv, "json", "--name", name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=repo)
        for name in ("first", "second")
    ]
    spans = []
    for run in runs:
        out, err = run.communicate(timeout=60)
        assert run.returncode == 0, err.decode()
        (node,) = json.loads(out)["status"]["nodes"].values()
        values = {p["name"]: float(p["value"]) for p in node["outputs"]["parameters"]}
        spans.append((values["start"], values["end"]))
    (a0, a1), (b0, b1) = sorted(spans)
    assert a1 <= b0, f"the runs overlapped: {spans}"
