"""A real MLflow registry (SQLite) matching tests/promote/repo.py's pins, as the pipeline would have left it.

Every version the throwaway repository pins is registered with the storage
URI its pin carries, its semver and validation tags and a validation run with
its thresholds; each environment's alias is at the version the environment
pins, with the PostSync figures on it (written by mlpipeline.audit, the code
mark_deployed runs). Built once per session and copied per test.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

from mlpipeline import audit, verdict
from mlpipeline.config import ENV_ALIAS
from tests.promote.repo import storage_uri

# model -> {version: semver}, and what each environment of the repository pins.
VERSIONS = {"iris": {"1": "1.0.0", "2": "1.0.1", "3": "1.1.0", "4": "1.2.0"}, "wine": {"1": "1.0.0", "2": "1.1.0"}}
PINNED = {"dev": {"iris": "4", "wine": "2"}, "staging": {"iris": "3", "wine": "1"}, "prod": {"iris": "3", "wine": "1"}}
VERIFIED_AT = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)


def build(path: Path) -> str:
    from mlflow import MlflowClient

    uri = f"sqlite:///{path}"
    client = MlflowClient(uri)
    experiment = client.create_experiment("iris", artifact_location=(path.parent / "artifacts").as_uri())
    for model, versions in VERSIONS.items():
        client.create_registered_model(model)
        for version, semver in versions.items():
            run = client.create_run(experiment, run_name=f"train-{model}")
            mv = client.create_model_version(model, storage_uri(model, version), run.info.run_id)
            checked = client.create_run(experiment, run_name=f"validate-{model}-v{version}")
            for key, value in (("accuracy_floor", "0.9"), ("f1_floor", "0.9"), ("champion_tolerance", "0.02")):
                client.log_param(checked.info.run_id, key, value)
            client.log_param(
                checked.info.run_id, "champion_version", str(int(version) - 1) if version != "1" else "none"
            )
            tags = {"semver": semver, "accuracy": "0.97", "f1_macro": "0.96", verdict.PASSED: "true"}
            for key, value in {**tags, verdict.RUN: checked.info.run_id}.items():
                client.set_model_version_tag(model, mv.version, key, value)
    for environment, pins in PINNED.items():
        for model, version in pins.items():
            seen_serving(uri, model, environment, version)
    return uri


def seen_serving(uri: str, model: str, environment: str, version: str, commit: str = "") -> None:
    """What a passing PostSync check leaves: the probe's figures on the version, then the alias."""
    from mlflow import MlflowClient

    client = MlflowClient(uri)
    tags = audit.deployment_tags(environment, ENV_ALIAS[environment], commit, None, 0.9667, 0.0123, 30, VERIFIED_AT)
    audit.record(client, model, version, tags)
    client.set_registered_model_alias(model, ENV_ALIAS[environment], version)


def copy(template: Path, into: Path) -> str:
    into.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, into / "mlflow.db")
    return f"sqlite:///{into / 'mlflow.db'}"
