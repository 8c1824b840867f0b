"""The monitoring component's alerts: promtool accepts them and they use only
metric names from src/mlpipeline/metric_names.py."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml

from gitops.validate.policy.promql import metric_names
from mlpipeline.metric_names import BY_NAME
from tests.manifests.rendering import ROOT, documents, find

MONITORING = "k8s/components/tests/monitoring"
INSTALL_HINT = "promtool not found on PATH; install it with `apt-get update && apt-get install -y prometheus`"
REQUIRED_ALERTS = {
    "ModelDriftDetected",
    "ModelRetrainMissing",
    "ModelDriftCheckStale",
    "ModelAccuracyBelowFloor",
    "ModelServingErrors",
    "ModelServingLatencyHigh",
}


def _rule_spec() -> dict:
    (rule,) = find(documents(MONITORING), "PrometheusRule")
    return rule["spec"]


def _exprs():
    return [r["expr"] for g in _rule_spec()["groups"] for r in g["rules"]]


def test_alert_rules_pass_promtool(tmp_path):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail(INSTALL_HINT)  # never skip: an unchecked rule file is the bug this catches
    rules = tmp_path / "model-rules.yaml"
    rules.write_text(yaml.safe_dump(_rule_spec()))
    proc = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_issue_s_alerts_are_all_there():
    names = {r.get("alert") for g in _rule_spec()["groups"] for r in g["rules"]}
    assert REQUIRED_ALERTS <= names


def test_alerts_use_only_listed_metrics():
    used = {m for expr in _exprs() for m in metric_names(expr)}  # every metric, not only our families
    assert used and used - set(BY_NAME) == set()


def test_dashboard_uses_only_listed_metrics():
    dashboard = json.loads((ROOT / "k8s/components/monitoring/models-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    used = {m for expr in exprs for m in metric_names(expr)}
    assert used and used - set(BY_NAME) == set()


def test_every_alert_groups_by_model():
    """One rule serves every model: an alert that does not keep the model label cannot say which one."""
    assert [e for e in _exprs() if "model" not in e] == []
