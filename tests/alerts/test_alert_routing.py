"""Every model alert reaches the `models` receiver the platform configures, checked with amtool.

The route tree is kube-prometheus-stack's `alertmanager.config` as
argocd/apps/application-kube-prometheus-stack.yaml gives it: `route.routes`
and `receivers` are lists, which Helm replaces rather than merges (helm
pkg/chartutil/coalesce.go), so they decide routing on their own. amtool is
Debian's prometheus-alertmanager package (0.25; the chart runs v0.34.0, whose
routing and slack_configs.api_url_file read the same).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from tests.alerts.test_alert_units import rule_spec
from tests.platform.applications import application, created_secrets, values

INSTALL_HINT = (
    "amtool not found on PATH; install it with `apt-get update && apt-get install -y prometheus-alertmanager`"
)
STACK = values("kube-prometheus-stack")["alertmanager"]
SECRETS_DIR = "/etc/alertmanager/secrets/"  # where the Prometheus Operator mounts alertmanagerSpec.secrets


def amtool() -> str:
    found = shutil.which("amtool")
    if found is None:
        pytest.fail(INSTALL_HINT)  # never skip: unrouted alerts are the bug this catches
    return found


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "alertmanager.yaml"
    path.write_text(yaml.safe_dump(STACK["config"]))
    return path


def routed_to(config_file, labels: dict[str, str]) -> str:
    args = [f"{k}={v}" for k, v in sorted(labels.items())]
    proc = subprocess.run(
        [amtool(), "config", "routes", "test", f"--config.file={config_file}", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.strip()


def test_amtool_accepts_the_config(config_file):
    proc = subprocess.run([amtool(), "check-config", str(config_file)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


ALERTS = [r for g in rule_spec()["groups"] for r in g["rules"] if "alert" in r]


@pytest.mark.parametrize("rule", ALERTS, ids=[r["alert"] for r in ALERTS])
def test_every_model_alert_goes_to_the_models_receiver(config_file, rule):
    labels = {"alertname": rule["alert"], "model": "iris", "environment": "prod", "namespace": "ml-prod"}
    assert routed_to(config_file, {**labels, **rule["labels"]}) == "models"


def test_the_chart_s_watchdog_still_goes_nowhere(config_file):
    assert routed_to(config_file, {"alertname": "Watchdog", "severity": "none"}) == "null"


def test_the_models_receiver_reads_a_secret_the_platform_creates():
    (receiver,) = [r for r in STACK["config"]["receivers"] if r["name"] == "models"]
    (slack,) = receiver["slack_configs"]
    secret, key = slack["api_url_file"].removeprefix(SECRETS_DIR).split("/")
    assert secret in STACK["alertmanagerSpec"]["secrets"]
    namespace = application("kube-prometheus-stack")["spec"]["destination"]["namespace"]
    assert key in created_secrets(namespace).get(secret, set())
