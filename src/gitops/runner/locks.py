"""`synchronization` locks shared by every run on this machine: one lock file per slot under the state dir.

A mutex has one slot and a ConfigMap semaphore as many as its limit; a holder
takes a free slot with a non-blocking flock and keeps the file open until it
releases (or its process ends, when the kernel frees the lock: a killed run
never leaves a lock behind). Keys and messages are Argo's (gitops.argo.
synchronization); all locks of a holder are taken, or none. Unlike the
controller's queue, waiters here are not admitted in priority or arrival order:
whichever run looks first after a release gets the slot.
"""

from __future__ import annotations

import fcntl
import os
import re
from pathlib import Path
from typing import Any

from gitops.argo import synchronization as sync_mod


class Locks:
    def __init__(self, root: Path, namespace: str, config_maps: dict[str, dict[str, Any]]):
        self.root, self.namespace, self.config_maps = root, namespace, config_maps
        self.held: dict[str, list[int]] = {}  # holder key -> open slot files

    def _slots(self, lock: sync_mod.Lock, capacity: int) -> list[Path]:
        folder = self.root / re.sub(r"[^A-Za-z0-9._-]", "_", lock.key)
        folder.mkdir(parents=True, exist_ok=True)
        return [folder / f"slot-{i}" for i in range(capacity)]

    def try_acquire(self, holder: str, sync: dict[str, Any]) -> tuple[bool, str, str]:
        """(acquired, the waiting message, the lock waited for) for every lock `sync` names."""
        if holder in self.held:
            return True, "", ""
        taken: list[int] = []
        for lock in sync_mod.locks(sync, self.namespace):
            capacity = sync_mod.limit(lock, self.config_maps)
            if capacity <= 0:
                self._drop(taken)
                return False, sync_mod.no_limit(lock.key), lock.key
            fd = self._take(self._slots(lock, capacity))
            if fd is None:
                self._drop(taken)
                return False, sync_mod.waiting(lock.key, 0, capacity), lock.key
            taken.append(fd)
        self.held[holder] = taken
        return True, "", ""

    @staticmethod
    def _take(slots: list[Path]) -> int | None:
        for slot in slots:
            fd = os.open(slot, os.O_CREAT | os.O_RDWR, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                os.close(fd)
        return None

    @staticmethod
    def _drop(fds: list[int]) -> None:
        for fd in fds:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def release(self, holder: str, sync: dict[str, Any] | None = None) -> None:
        self._drop(self.held.pop(holder, []))

    def release_all(self) -> None:
        for holder in list(self.held):
            self.release(holder)
