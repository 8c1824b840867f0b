"""Push gauges to the Prometheus Pushgateway, grouped by job, model and environment.

The group deliberately excludes the model version: a push for version 5
replaces version 4's series instead of leaving a stale one next to it. Each
step pushes under its own job name, so one step's push (a PUT of the whole
group) never deletes another step's metrics.
"""

from __future__ import annotations

import logging
import urllib.error
from dataclasses import dataclass, field
from pathlib import Path

from mlpipeline.backoff import retry
from mlpipeline.errors import PermanentError, StepError
from mlpipeline.metric_names import BY_NAME, GROUPING_KEYS

log = logging.getLogger(__name__)


@dataclass
class Sample:
    name: str
    value: float
    labels: dict[str, str] = field(default_factory=dict)


def _write_textfile(gateway: str, job: str, grouping: dict[str, str], registry) -> bool:
    """Local runs without a Pushgateway: one text-format file per group, as the Pushgateway would hold it."""
    from prometheus_client import write_to_textfile

    directory = Path(gateway.removeprefix("file://"))
    directory.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(directory / f"{job}-{grouping['model']}-{grouping['environment']}.prom"), registry)
    return True


def push(step: str, gateway: str | None, model: str, environment: str, samples: list[Sample], optional: bool) -> bool:
    """Push, retrying with backoff; return False (after a warning) only when optional."""
    if not gateway:
        if optional:
            log.warning("no Pushgateway configured; metrics not pushed")
            return False
        raise PermanentError("--pushgateway-url", "not set", "set PUSHGATEWAY_URL or pass --push-optional true")
    from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

    registry = CollectorRegistry()
    gauges: dict[str, Gauge] = {}
    for sample in samples:
        metric = BY_NAME.get(sample.name)
        # Only names in the one list: the dashboard and alert checks rely on it.
        if metric is None or metric.source != step:
            raise AssertionError(f"{sample.name} is not listed for step {step} in metric_names.py")
        if sample.name not in gauges:
            gauges[sample.name] = Gauge(sample.name, metric.help, sorted(sample.labels), registry=registry)
        gauge = gauges[sample.name]
        (gauge.labels(**sample.labels) if sample.labels else gauge).set(sample.value)
    job = f"mlpipeline_{step}"
    grouping = {"model": model, "environment": environment}
    assert ("job", *grouping) == GROUPING_KEYS
    if gateway.startswith("file://"):
        return _write_textfile(gateway, job, grouping, registry)
    try:
        retry(
            lambda: push_to_gateway(gateway, job=job, registry=registry, grouping_key=grouping, timeout=5),
            (OSError, urllib.error.URLError),
        )
    except (OSError, urllib.error.URLError) as err:
        reason = getattr(err, "reason", err)
        if optional:
            log.warning("Pushgateway %s unreachable (%s); metrics not pushed", gateway, reason)
            return False
        raise StepError(
            f"--pushgateway-url {gateway}",
            "Pushgateway unreachable after retries",
            "check PUSHGATEWAY_URL, or pass --push-optional true for a local run",
        ) from None
    return True
