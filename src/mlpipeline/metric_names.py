"""The one list of metric names: who emits each one.

Pipeline steps push theirs to the Pushgateway, grouped by job, model and
environment. The monitoring component's alerts and dashboard may only use
names listed here, and every name attributed to a step must be pushed by that
step's code (the policy checks read this module to enforce both).
"""

from __future__ import annotations

from dataclasses import dataclass

# Grouping keys for every push: not the model version, so that a new version
# replaces the old series instead of leaving a stale one behind.
GROUPING_KEYS = ("job", "model", "environment")


@dataclass(frozen=True)
class Metric:
    name: str  # as Prometheus stores it (counters with _total, summaries with _count/_sum)
    kind: str  # gauge, counter, summary
    source: str  # a pipeline step (module name) or "platform:<component>"
    help: str


METRICS: tuple[Metric, ...] = (
    Metric("mlpipeline_train_accuracy", "gauge", "train", "Accuracy on the training split."),
    Metric("mlpipeline_validation_accuracy", "gauge", "monitor", "Holdout accuracy of the candidate."),
    Metric("mlpipeline_validation_f1_macro", "gauge", "monitor", "Holdout macro F1 of the candidate."),
    Metric("mlpipeline_validation_passed", "gauge", "monitor", "1 when the candidate passed every gate, else 0."),
    Metric("mlpipeline_model_version", "gauge", "monitor", "Registry version of the candidate."),
    Metric(
        "mlpipeline_last_success_timestamp_seconds",
        "gauge",
        "monitor",
        "Unix time of the last pipeline run that reached the monitor step.",
    ),
    Metric("mlpipeline_drift_psi", "gauge", "drift", "Population stability index per feature (label: feature)."),
    Metric("mlpipeline_drift_ks_pvalue", "gauge", "drift", "Two-sample KS p-value per feature (label: feature)."),
    Metric("mlpipeline_drift_detected", "gauge", "drift", "1 when the last drift check found drift, else 0."),
    Metric(
        "mlpipeline_drift_last_run_timestamp_seconds",
        "gauge",
        "drift",
        "Unix time of the last drift check.",
    ),
    Metric(
        "mlpipeline_deployed_probe_latency_seconds",
        "gauge",
        "mark_deployed",
        "Latency of the post-sync V2 inference probe.",
    ),
    Metric(
        "mlpipeline_deployed_probe_accuracy",
        "gauge",
        "mark_deployed",
        "Accuracy of the served model on holdout rows, measured by the post-sync probe.",
    ),
    Metric(
        "mlpipeline_deployed_probe_accuracy_floor",
        "gauge",
        "mark_deployed",
        "The accuracy floor the probe's accuracy was held to (ACCURACY_FLOOR).",
    ),
    Metric(
        "mlpipeline_deployed_model_version",
        "gauge",
        "mark_deployed",
        "Registry version the environment's alias now points at.",
    ),
    # MLServer (KServe's V2 runtime) exposes these on its metrics port.
    Metric("model_infer_request_success_total", "counter", "platform:mlserver", "Successful inference requests."),
    Metric("model_infer_request_failure_total", "counter", "platform:mlserver", "Failed inference requests."),
    Metric("model_infer_request_duration_count", "summary", "platform:mlserver", "Inference requests timed."),
    Metric("model_infer_request_duration_sum", "summary", "platform:mlserver", "Total inference time, seconds."),
    # The Pushgateway adds this to every group it holds.
    Metric("push_time_seconds", "gauge", "platform:pushgateway", "Last successful push of a group."),
)

BY_NAME = {m.name: m for m in METRICS}


def emitted_by(step: str) -> tuple[Metric, ...]:
    return tuple(m for m in METRICS if m.source == step)
