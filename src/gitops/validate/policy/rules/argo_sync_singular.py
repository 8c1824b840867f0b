"""Argo deprecated synchronization's singular `mutex`/`semaphore` for the plural lists."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import WARNING, Finding
from gitops.validate.policy import argo
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict

ID = "argo-sync-singular"
DESCRIPTION = "synchronization uses mutexes:/semaphores:, not the deprecated mutex:/semaphore:"
SEVERITY = WARNING
PLURAL = {"mutex": "mutexes", "semaphore": "semaphores"}


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind(*argo.KINDS):
        wf_path, wf = argo.workflow_spec(doc)
        places = [(f"{wf_path}.synchronization", wf.get("synchronization"))]
        tpath, templates = argo.templates(doc)
        places += [
            (f"{tpath}[{i}].synchronization", as_dict(t).get("synchronization")) for i, t in enumerate(templates)
        ]
        for path, sync in places:
            for old, new in PLURAL.items():
                if old in as_dict(sync):
                    yield overlay.finding(doc, f"{path}.{old}", f"{old} is deprecated", f"use {new}: (a list)")
