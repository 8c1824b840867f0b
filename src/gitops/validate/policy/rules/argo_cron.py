"""CronWorkflow schedules and time zone are what Argo's cron library and Go's time package accept."""

# argoproj/argo-workflows v4.0.6 workflow/validate/validate.go ValidateCronWorkflow, run by the
# cron controller before every run (workflow/cron/operator.go; a failure is a SpecError
# condition and no run): each of `schedules` must parse with robfig/cron v3.0.1 ParseStandard
# ("cron schedule %s is malformed: %s"; the library pinned in Argo's go.mod, the one Kubernetes'
# CronJob uses: validate/apiserver/cron.py), `timezone` must load with time.LoadLocation
# ("invalid timezone %q: %s"), and the name is at most 52 characters. The CRD's schedule pattern
# is the schema's business; it lets through 60 minutes, day 0, weekday 7 and L.

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.apiserver import cron
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list, templated

ID = "argo-cron"
DESCRIPTION = "every CronWorkflow schedule parses as robfig/cron v3.0.1 does; timezone is an IANA zone"
SEVERITY = ERROR
MAX_NAME = 52


def zone_error(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {name}"
    return ""


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind("CronWorkflow"):
        spec = as_dict(doc.body.get("spec"))
        for i, schedule in enumerate(as_list(spec.get("schedules"))):
            error = cron.parse_error(str(schedule)) if not templated(schedule) else ""
            if error:
                yield overlay.finding(
                    doc,
                    f"spec.schedules[{i}]",
                    f"cron schedule {schedule} is malformed: {error}",
                    "five fields (minute hour day-of-month month day-of-week, weekday 0-6) or @daily, "
                    "@every 1h...; the zone goes in spec.timezone",
                )
        zone = spec.get("timezone")
        if isinstance(zone, str) and zone and (error := zone_error(zone)):
            yield overlay.finding(
                doc, "spec.timezone", f'invalid timezone "{zone}": {error}', "use an IANA zone, e.g. Europe/Berlin"
            )
        if len(doc.name) > MAX_NAME:
            yield overlay.finding(
                doc,
                "metadata.name",
                f'cron workflow name "{doc.name}" must not be more than {MAX_NAME} characters long '
                f"(currently {len(doc.name)})",
                "shorten the name (Argo appends a timestamp to it for every Workflow)",
            )
