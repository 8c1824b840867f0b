"""The runner's children: started to die with it, and ended and reaped when it ends.

A runner killed outright (SIGKILL, the OOM killer) runs no cleanup; its services and plain pods are started
with PR_SET_PDEATHSIG, so the kernel ends them with it (forked pods set it themselves, zygote._await_go; the
step server needs none: it ends when the runner's end closes its socket). The runner is a child subreaper
(step_server), so an orphan of a pod becomes its child: when the run is over, any child still there is one
(every process the runner started has been waited on by then), which Kubernetes would have ended with its
pod's container; `end_strays` ends and reaps them.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
from pathlib import Path
from typing import Callable

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def dies_with_this_process() -> Callable[[], None] | None:
    """A preexec_fn that has the child killed when this process ends (None where prctl is not there). Call
    it from the thread that outlives the child: the kernel sends the signal when the parent thread ends."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: after the fork the child only calls it
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent ended before the prctl took effect: no signal will come
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


def end_strays() -> list[int]:
    """Once every process this one started has been waited on: SIGKILL the children left (orphans re-parented
    to it; killing one may orphan its own children, hence the loop) and reap every child that has ended.
    Returns the pids it killed."""
    ended = []
    while live := _children():
        for pid in live:  # a child's pid is not reused before it is reaped: this kills no stranger
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in live:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        ended += live
    while True:  # children that had ended already
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return ended
        except ChildProcessError:
            return ended


def _children() -> list[int]:
    """This process's live children (/proc/<pid>/task/<tid>/children is not on every kernel)."""
    me = os.getpid()
    return [pid for pid, (ppid, _group, state) in processes().items() if ppid == me and state != "Z"]


def processes() -> dict[int, tuple[int, int, str]]:
    """Every process: pid -> (parent pid, process group, state: Z for a zombie), from /proc/<pid>/stat."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()  # the name, in (), may hold anything
        except (OSError, IndexError):  # one that just ended
            continue
        found[int(proc.name)] = (int(fields[1]), int(fields[2]), fields[0])
    return found
