"""Finding what a run left running: every process whose command line names a directory or whose working
directory is below it (a run's pods and servers name its run directory; the step server lives in its home,
under $TMPDIR, which a test points into its own tmp_path)."""

from __future__ import annotations

import os
from pathlib import Path

from gitops.runner import children


def processes_under(directory: Path) -> list[str]:
    """Command lines of live processes that name `directory` or work below it."""
    return list(_under(directory).values())


def processes_pids_under(directory: Path) -> list[int]:
    return list(_under(directory))


def _under(directory: Path) -> dict[int, str]:
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if cmdline and (str(directory) in cmdline or cwd.startswith(str(directory))):
            found[int(proc.name)] = cmdline
    return found


def step_server_pid(directory: Path) -> int | None:
    """The step server working in a home below `directory` (gitops-step-server-*): the oldest process
    there, as a pod it forked starts there too until it moves to its own working directory."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and os.readlink(proc / "cwd").startswith(f"{directory}/gitops-step-server-"):
                started = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[19])  # field 22: starttime
                found.append((started, int(proc.name)))
        except (OSError, ValueError, IndexError):
            continue
    return min(found)[1] if found else None


def children_of(pid: int) -> list[int]:
    """The live (not zombie) processes whose parent is `pid`: what it started, and the orphans it adopted."""
    return [p for p, (ppid, _group, state) in children.processes().items() if ppid == pid and state != "Z"]


def live_in_groups(groups: list[int]) -> list[int]:
    """Live (not zombie) processes in any of these process groups. Zombies count as ended: PID 1 here need not
    reap the orphans it is given."""
    return [p for p, (_ppid, group, state) in children.processes().items() if group in groups and state != "Z"]
