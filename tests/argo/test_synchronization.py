"""Lock keys and messages as workflow/sync (lock_name.go, syncitems.go, semaphore.go) form them."""

from __future__ import annotations

import pytest

from gitops.argo import synchronization as sync


def test_keys_semaphores_first_namespace_defaulting():
    found = sync.locks(
        {"mutexes": [{"name": "m"}], "semaphores": [{"configMapKeyRef": {"name": "cm", "key": "k"}, "namespace": "o"}]},
        "argo",
    )
    assert [lock.key for lock in found] == ["o/ConfigMap/cm/k", "argo/Mutex/m"]


def test_duplicates_are_refused():
    with pytest.raises(sync.SyncError, match="^duplicate synchronization item found$"):
        sync.locks({"mutexes": [{"name": "m"}, {"name": "m"}]}, "argo")


def test_limits_and_messages():
    (lock,) = sync.locks({"semaphores": [{"configMapKeyRef": {"name": "cm", "key": "k"}}]}, "argo")
    assert sync.limit(lock, {"cm": {"data": {"k": "2"}}}) == 2
    assert sync.limit(lock, {"cm": {"data": {"k": "two"}}}) == 0
    assert sync.limit(lock, {}) == 0
    assert sync.waiting("argo/Mutex/m", 0, 1) == "Waiting for argo/Mutex/m lock. Lock status: 0/1"
    assert sync.no_limit(lock.key) == "Failed to get semaphore limit for argo/ConfigMap/cm/k"
