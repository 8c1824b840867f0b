"""The monitoring component's alerts under `promtool test rules` (Debian's prometheus package).

tests/alerts/model-alerts.promtool.yaml holds the cases: each alert fires on
the failure it names and stays silent in steady state (staging with a daily
drift check, dev with none). Run against the rule spec as kustomize renders it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.manifests.rendering import documents, find

HERE = Path(__file__).resolve().parent
CASES = HERE / "model-alerts.promtool.yaml"
MONITORING = "k8s/components/tests/monitoring"
INSTALL_HINT = "promtool not found on PATH; install it with `apt-get update && apt-get install -y prometheus`"


def rule_spec() -> dict:
    (rule,) = find(documents(MONITORING), "PrometheusRule")
    return rule["spec"]


def alerts() -> set[str]:
    return {r["alert"] for g in rule_spec()["groups"] for r in g["rules"] if "alert" in r}


def cases() -> list[dict]:
    return yaml.safe_load(CASES.read_text())["tests"]


def test_every_alert_passes_its_promtool_unit_tests(tmp_path):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail(INSTALL_HINT)  # never skip: an untested alert is the bug this catches
    (tmp_path / "model-rules.yaml").write_text(yaml.safe_dump(rule_spec()))
    shutil.copy(CASES, tmp_path / CASES.name)
    proc = subprocess.run(
        [promtool, "test", "rules", CASES.name], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_alert_has_a_case_where_it_fires():
    fired = {t["alertname"] for case in cases() for t in case.get("alert_rule_test", []) if t.get("exp_alerts")}
    assert alerts() - fired == set()


def test_every_alert_is_checked_silent_in_steady_state():
    (steady,) = [case for case in cases() if case["name"] == "steady state"]
    silent = {t["alertname"] for t in steady["alert_rule_test"] if t["exp_alerts"] == []}
    assert alerts() - silent == set()
