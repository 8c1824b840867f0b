"""`synchronization`: the lock keys a workflow or template asks for, and the controller's messages.

workflow/sync (v4.0.6): lock_name.go names a mutex `<namespace>/Mutex/<name>` and a
ConfigMap semaphore `<namespace>/ConfigMap/<configmap>/<key>` (namespace defaults to
the workflow's); syncitems.go lists semaphores before mutexes and refuses duplicates
("duplicate synchronization item found"); sync_manager.go takes all or none, and a
holder that cannot have them all waits with the first refusal's message; semaphore.go
words it "Waiting for <key> lock. Lock status: <free>/<limit>", and a semaphore whose
limit cannot be read (its ConfigMap or key missing) has limit 0: "Failed to get
semaphore limit for <key>", which never clears. A mutex is a semaphore of 1 (mutex.go).
The limit is the ConfigMap value read with strconv.Atoi (controller.go getSyncLimit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


class SyncError(Exception):
    """The synchronization block cannot be used; str() says why."""


@dataclass(frozen=True)
class Lock:
    key: str
    kind: str  # "Mutex" or "ConfigMap"
    configmap: str = ""
    configmap_key: str = ""


def locks(sync: dict[str, Any] | None, namespace: str) -> list[Lock]:
    if not sync:
        return []
    semaphores, mutexes = list(sync.get("semaphores") or []), list(sync.get("mutexes") or [])
    items = [("s", repr(sorted(s.items()))) for s in semaphores] + [("m", repr(sorted(m.items()))) for m in mutexes]
    if len(set(items)) != len(items):
        raise SyncError("duplicate synchronization item found")
    out = []
    for sem in semaphores:
        ref = sem.get("configMapKeyRef")
        if sem.get("database") is not None or not ref:
            raise SyncError("only ConfigMap semaphores are known here")
        ns = sem.get("namespace") or namespace
        out.append(
            Lock(f"{ns}/ConfigMap/{ref.get('name')}/{ref.get('key')}", "ConfigMap", ref.get("name"), ref.get("key"))
        )
    for mutex in mutexes:
        if mutex.get("database"):
            raise SyncError("only in-controller mutexes are known here")
        out.append(Lock(f"{mutex.get('namespace') or namespace}/Mutex/{mutex.get('name')}", "Mutex"))
    return out


def limit(lock: Lock, config_maps: dict[str, dict[str, Any]]) -> int:
    """How many holders the lock admits; 0 when the controller cannot read its limit."""
    if lock.kind == "Mutex":
        return 1
    data = (config_maps.get(lock.configmap) or {}).get("data") or {}
    text = str(data.get(lock.configmap_key, ""))
    return int(text) if re.fullmatch(r"[+-]?[0-9]+", text) else 0


def waiting(key: str, free: int, capacity: int) -> str:
    return f"Waiting for {key} lock. Lock status: {free}/{capacity}"


def no_limit(key: str) -> str:
    return f"Failed to get semaphore limit for {key}"
