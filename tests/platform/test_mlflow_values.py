"""The MLflow chart (community-charts mlflow 1.11.5) as the values set it: reachable, one database, no hidden Secret.

The chart's behaviour is read from its templates at tag mlflow-1.11.5
(community-charts/helm-charts, charts/mlflow/templates/): _helpers.tpl
(mlflow.serverAllowedHosts), deployment.yaml (PGPASSWORD), configmap.yaml and
secret.yaml. MLflow's own host check is the installed mlflow 3.17.2's.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from mlflow.server import security_utils

from tests.manifests.rendering import ENVIRONMENTS, MODELS, find, generated_config, model_docs, namespace_docs
from tests.platform.applications import application, created_secrets, values

MLFLOW = values("mlflow")
NAMESPACE = application("mlflow")["spec"]["destination"]["namespace"]


def chart_allowed_hosts(values: dict) -> str:
    """MLFLOW_SERVER_ALLOWED_HOSTS as the chart renders it (_helpers.tpl, mlflow.serverAllowedHosts and
    mlflow.normalizeList): ingress hosts when ingress is enabled, then serverAllowedHosts, de-duplicated;
    "*" anywhere collapses the list; an empty list leaves the variable out (configmap.yaml)."""
    ingress = values.get("ingress") or {}
    hosts = [h["host"] for h in ingress.get("hosts") or [] if h.get("host")] if ingress.get("enabled") else []
    hosts += values.get("serverAllowedHosts") or []
    unique = list(dict.fromkeys(hosts))
    return "*" if "*" in unique else ",".join(unique)


def server_allows(monkeypatch, allowed: str, host: str) -> bool:
    """What MLflow's middleware decides for a Host header with that env (mlflow/server/security.py: the
    env list, else the defaults; mlflow/server/security_utils.py: is_allowed_host_header)."""
    if allowed:
        monkeypatch.setenv("MLFLOW_SERVER_ALLOWED_HOSTS", allowed)
    else:
        monkeypatch.delenv("MLFLOW_SERVER_ALLOWED_HOSTS", raising=False)
    hosts = security_utils.get_allowed_hosts_from_env() or security_utils.get_default_allowed_hosts()
    return security_utils.is_allowed_host_header(hosts, host)


def tracking_hosts() -> set[str]:
    """The Host header (host:port) of every MLFLOW_TRACKING_URI a model's pods use."""
    return {
        urlsplit(generated_config(model_docs(env, model))["MLFLOW_TRACKING_URI"]).netloc
        for env in ENVIRONMENTS
        for model in MODELS
    }


@pytest.mark.parametrize("host", sorted(tracking_hosts()))
def test_in_cluster_clients_pass_mlflow_s_host_check(monkeypatch, host):
    assert server_allows(monkeypatch, chart_allowed_hosts(MLFLOW), host)


@pytest.mark.parametrize("host", sorted(tracking_hosts()))
def test_without_allowed_hosts_mlflow_refuses_them(monkeypatch, host):
    """Why the values need the list: by default only localhost and private IPs pass (security_utils.py)."""
    assert not server_allows(monkeypatch, chart_allowed_hosts({}), host)


def test_a_port_forward_still_passes(monkeypatch):
    assert server_allows(monkeypatch, chart_allowed_hosts(MLFLOW), "localhost:5000")


def pgpassword_entries(values: dict) -> int:
    """PGPASSWORD entries in the mlflow container (deployment.yaml): one `env` from the bundled
    PostgreSQL's Secret when postgresql.enabled, one `env` from existingDatabaseSecret when it is set and
    backendStore.postgres.enabled, one through `envFrom` of the chart's env Secret when
    backendStore.postgres.enabled without an existing Secret (secret.yaml)."""
    backend = values.get("backendStore") or {}
    postgres = bool((backend.get("postgres") or {}).get("enabled"))
    existing = bool((backend.get("existingDatabaseSecret") or {}).get("name"))
    bundled = bool((values.get("postgresql") or {}).get("enabled"))
    return bundled + (existing and postgres) + (postgres and not existing)


def test_the_deployment_gets_exactly_one_pgpassword():
    assert pgpassword_entries(MLFLOW) == 1


def test_the_issue_s_two_backends_would_render_two():
    both = {**MLFLOW, "postgresql": {"enabled": True}}
    assert pgpassword_entries(both) == 2


def test_one_external_postgresql_not_the_bundled_one():
    assert MLFLOW["postgresql"]["enabled"] is False
    assert MLFLOW["backendStore"]["postgres"]["enabled"] is True


def test_every_secret_the_values_name_is_created_with_its_keys():
    db = MLFLOW["backendStore"]["existingDatabaseSecret"]
    s3 = MLFLOW["artifactRoot"]["s3"]["existingSecret"]
    wanted = {
        db["name"]: {db["usernameKey"], db["passwordKey"]},
        s3["name"]: {s3["keyOfAccessKeyId"], s3["keyOfSecretAccessKey"]},
    }
    created = created_secrets(NAMESPACE)
    assert {name: created.get(name, set()) >= keys for name, keys in wanted.items()} == dict.fromkeys(wanted, True)


def test_the_backup_dumps_the_database_mlflow_uses():
    postgres = MLFLOW["backendStore"]["postgres"]
    (cron,) = find(namespace_docs("prod"), "CronJob")
    (dump,) = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["initContainers"]
    env = {e["name"]: e.get("value") for e in dump["env"]}
    assert (env["PGHOST"], env["PGDATABASE"]) == (postgres["host"], postgres["database"])
