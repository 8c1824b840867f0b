"""Real file-system conditions for failure tests: a read-only directory, a full one.

Where this process may mount (root with CAP_SYS_ADMIN) they are real mounts,
the way a cluster volume fails: a read-only bind mount and a small tmpfs.
Elsewhere (a user, or root in a container without CAP_SYS_ADMIN) the closest
it can get: permissions taken away, and a file-size limit on the child process
(set by the caller through `preexec_fn`).
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest


@cache
def can_mount() -> bool:
    """Whether a mount works here, found by making one (once): being root is not enough, a container
    without CAP_SYS_ADMIN refuses it."""
    with tempfile.TemporaryDirectory() as probe:
        try:
            _mount("-t", "tmpfs", "-o", "size=4k", "tmpfs", probe)
        except (OSError, subprocess.CalledProcessError):
            return False
        _unmount(Path(probe))
        return True


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, text=True)


def _unmount(directory: Path) -> None:
    # A server killed a moment ago may still hold files there while the kernel tears its processes down.
    for _ in range(50):
        if subprocess.run(["umount", str(directory)], capture_output=True).returncode == 0:
            return
        time.sleep(0.1)
    subprocess.run(["umount", str(directory)], check=True)


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[None]:
    """`directory` read-only for everything below it; restored afterwards."""
    if can_mount():  # root ignores file modes, so a mode change would prove nothing
        _mount("--bind", str(directory), str(directory))
        try:
            _mount("-o", "remount,ro,bind", str(directory))
            yield
        finally:
            _unmount(directory)
        return
    if os.geteuid() == 0:
        pytest.skip("root ignores file modes, and a read-only mount is refused here (no CAP_SYS_ADMIN)")
    modes = {path: path.stat().st_mode for path in [directory, *directory.rglob("*")]}
    for path in modes:
        path.chmod(modes[path] & ~0o222)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


@contextlib.contextmanager
def full_disk(directory: Path, free_bytes: int = 0) -> Iterator[dict]:
    """A file system at `directory` with about `free_bytes` left. Yields the keyword arguments for
    subprocess.run: none with a real tmpfs; a file-size limit for the child otherwise."""
    directory.mkdir(parents=True, exist_ok=True)
    if can_mount():
        _mount("-t", "tmpfs", "-o", "size=1m,mode=0777", "tmpfs", str(directory))
        try:
            filler = directory / ".filler"
            fd = os.open(filler, os.O_WRONLY | os.O_CREAT)  # unbuffered: the write that fails is the last one
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * 4096)
            os.close(fd)
            os.truncate(filler, max(0, filler.stat().st_size - free_bytes))  # give back what the caller asked
            yield {}
        finally:
            _unmount(directory)
        return

    def limit() -> None:  # EFBIG instead of SIGXFSZ, so the process can say what happened
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (free_bytes, free_bytes))

    yield {"preexec_fn": limit}
