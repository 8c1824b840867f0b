"""The PromQL identifier extractor finds metric names and nothing else."""

from __future__ import annotations

import pytest

from gitops.validate.policy.promql import metric_names

CASES = {
    "bare-metric": ("mlpipeline_drift_detected == 1", ["mlpipeline_drift_detected"]),
    "functions-and-ranges": ("rate(model_infer_request_success_total[5m])", ["model_infer_request_success_total"]),
    "grouping-labels": (
        "sum by (job, model) (mlpipeline_model_version) > on(job) group_left(model) up",
        ["mlpipeline_model_version", "up"],
    ),
    "matchers-and-strings": ('mlpipeline_drift_psi{feature=~"petal.*", environment!="prod"}', ["mlpipeline_drift_psi"]),
    "grafana-variables": ('rate(x_total{env="$env"}[$__rate_interval]) * ${scale}', ["x_total"]),
    "numbers-durations-keywords": ("time() - a offset 1h > bool 1.5e3 and b unless c", ["a", "b", "c"]),
    "subquery-and-at": ("max_over_time(a[1h:5m] @ start())", ["a"]),
    "recorded-names-with-colons": ("job:acc:min < 0.9", ["job:acc:min"]),
    "string-arguments": ('label_replace(a, "dst", "$1", "src", "(.*)")', ["a"]),
}


@pytest.mark.parametrize("expr,expected", CASES.values(), ids=list(CASES))
def test_extracts_metric_names_only(expr, expected):
    assert metric_names(expr) == expected
