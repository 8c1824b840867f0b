"""Jobs and CronJobs: counts and deadlines, restart policy, selector, schedule and time zone.

From pkg/apis/batch/validation/validation.go (validateJobSpec,
ValidateCronJobCreate, validateCronJobSpec, validateScheduleFormat,
validateTimeZone) and pkg/registry/batch/job/strategy.go (the selector a Job
gets is generated: setting one needs manualSelector). The schedule is parsed
by cron.py as robfig/cron v3.0.1 ParseStandard does; a time zone must load
from the IANA database (Go's time.LoadLocation; here zoneinfo).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterator

from gitops.validate.apiserver import cron
from gitops.validate.apiserver.fields import Problem, as_dict, get, invalid, is_int, required, unsupported

ID = "batch"
DESCRIPTION = "Job and CronJob fields, CronJob schedule and timeZone"
SOURCE = "pkg/apis/batch/validation/validation.go; pkg/registry/batch/job/strategy.go"
KINDS = ("Job", "CronJob")

_NON_NEGATIVE = (
    "parallelism",
    "completions",
    "activeDeadlineSeconds",
    "backoffLimit",
    "ttlSecondsAfterFinished",
    "backoffLimitPerIndex",
    "maxFailedIndexes",
)
_ZONE_PART = re.compile(r"[A-Za-z.\-_0-9+]{1,14}")


def check(kind: str, body: dict) -> Iterator[Problem]:
    if kind == "Job":
        yield from job_spec(as_dict(body.get("spec")), "spec", cron_template=False)
        return
    spec = as_dict(body.get("spec"))
    yield from _schedule(spec)
    yield from _time_zone(spec)
    for field in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        value = spec.get(field)
        if is_int(value) and value < 0:
            yield invalid(f"spec.{field}", value, "must be greater than or equal to 0", "use 0 or more")
    policy = spec.get("concurrencyPolicy")
    if policy is not None and policy not in ("Allow", "Forbid", "Replace"):
        yield unsupported("spec.concurrencyPolicy", policy, ("Allow", "Forbid", "Replace"))
    yield from job_spec(as_dict(get(spec, "jobTemplate.spec")), "spec.jobTemplate.spec", cron_template=True)


def job_spec(spec: dict, path: str, cron_template: bool) -> Iterator[Problem]:
    for field in _NON_NEGATIVE:
        value = spec.get(field)
        if is_int(value) and value < 0:
            yield invalid(f"{path}.{field}", value, "must be greater than or equal to 0", f"set {field} to 0 or more")
    mode = spec.get("completionMode")
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        yield unsupported(f"{path}.completionMode", mode, ("NonIndexed", "Indexed"))
    if mode == "Indexed" and spec.get("completions") is None:
        yield required(f"{path}.completions", "set completions", "when completion mode is Indexed")
    restart = get(spec, "template.spec.restartPolicy")
    if restart in (None, "Always"):
        # Omitted, it defaults to Always, which a Job's pods may not use.
        yield required(
            f"{path}.template.spec.restartPolicy",
            "set restartPolicy: Never (or OnFailure)",
            'valid values: "OnFailure", "Never"',
        )
    elif restart not in ("OnFailure", "Never"):
        yield unsupported(f"{path}.template.spec.restartPolicy", restart, ("OnFailure", "Never"))
    if spec.get("selector") is not None:
        if cron_template:
            yield invalid(
                f"{path}.selector", spec["selector"], "`selector` will be auto-generated", "remove the selector"
            )
        elif spec.get("manualSelector") is not True:
            yield invalid(
                f"{path}.selector",
                spec["selector"],
                "`selector` not auto-generated",
                "remove the selector: the Job controller generates one",
            )
    if cron_template and spec.get("manualSelector") is True:
        yield unsupported(f"{path}.manualSelector", True, ("nil", "false"), "remove manualSelector")


def _schedule(spec: dict) -> Iterator[Problem]:
    schedule = spec.get("schedule")
    if not schedule:
        yield required("spec.schedule", "set a five-field cron schedule, e.g. '0 6 * * *'")
        return
    error = cron.parse_error(str(schedule))
    if error:
        yield invalid(
            "spec.schedule", schedule, error, "write five fields: minute hour day-of-month month day-of-week (0-6)"
        )
    if "TZ" in str(schedule):
        yield invalid(
            "spec.schedule",
            schedule,
            "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
            "move the zone to spec.timeZone",
        )


def _time_zone(spec: dict) -> Iterator[Problem]:
    if "timeZone" not in spec or spec["timeZone"] is None:
        return
    zone = str(spec["timeZone"])
    hint = "use an IANA zone name such as UTC or Europe/Paris"
    if zone == "":
        yield invalid("spec.timeZone", zone, "timeZone must be nil or non-empty string", hint)
        return
    if zone.lower() == "local":
        yield invalid(
            "spec.timeZone",
            zone,
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
            hint,
        )
        return
    parts = zone.split("/")
    if any(not _ZONE_PART.fullmatch(p) or p in (".", "..") or p.startswith("-") for p in parts) or not _loads(zone):
        yield invalid("spec.timeZone", zone, f"unknown time zone {zone}", hint)


def _loads(zone: str) -> bool:
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
