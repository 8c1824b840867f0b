"""Argo deprecated CronWorkflow's singular `schedule`; the schema still accepts it."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import WARNING, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict

ID = "cronworkflow-schedules"
DESCRIPTION = "CronWorkflows use schedules: (a list), not the deprecated schedule:"
SEVERITY = WARNING


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind("CronWorkflow"):
        if "schedule" in as_dict(doc.body.get("spec")):
            yield overlay.finding(doc, "spec.schedule", "schedule is deprecated", 'use schedules: ["<cron>"]')
