"""Two runs writing the same tag or alias at once (tests/drills/test_two_runs_at_once.py is the whole drill).

MLflow's SQL store writes a tag or an alias with `session.merge`: a select, then an insert when no row came
back (mlflow/store/model_registry/sqlalchemy_store.py, set_model_version_tag and set_registered_model_alias,
3.17.2). Here the other run's row is committed from a second SQLite connection in that window, every time,
instead of hoping two threads meet there.
"""

from __future__ import annotations

import sqlite3

import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.store.model_registry.dbmodels.models import SqlModelVersionTag, SqlRegisteredModelAlias
from sqlalchemy import event

from mlpipeline import upsert

TAG = {"name": "iris", "version": 1, "key": "semver", "value": "0.9.0"}
ALIAS = {"name": "iris", "alias": "candidate", "version": 1}


@pytest.fixture
def registry(tmp_path):
    db = tmp_path / "mlflow.db"
    client = MlflowClient(f"sqlite:///{db}")
    client.create_registered_model("iris")
    client.create_model_version("iris", source=(tmp_path / "model").as_uri())
    return db, client


@pytest.fixture
def other_run_first(registry):
    """arm(model, table, row): before the store's next insert into that table, commit `row` from another
    connection, as a second run would. Once only: the retry is an update."""
    db, _ = registry
    armed = []

    def arm(model, table: str, row: dict) -> None:
        fired = []

        def insert(mapper, connection, target):
            if fired:
                return
            fired.append(target)
            columns = ", ".join(f'"{c}"' for c in ("workspace", *row))
            marks = ", ".join("?" * (len(row) + 1))
            with sqlite3.connect(db) as other:
                other.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", (target.workspace, *row.values()))

        event.listen(model, "before_insert", insert)
        armed.append((model, insert))

    yield arm
    for model, insert in armed:
        event.remove(model, "before_insert", insert)


def test_the_race_is_real_the_plain_client_fails_on_the_other_runs_tag(registry, other_run_first):
    _, client = registry
    other_run_first(SqlModelVersionTag, "model_version_tags", TAG)
    with pytest.raises(MlflowException, match="UNIQUE constraint failed: model_version_tags"):
        client.set_model_version_tag("iris", "1", "semver", "1.0.0")


def test_a_tag_the_other_run_wrote_first_is_written_again_not_a_crash(registry, other_run_first):
    _, client = registry
    other_run_first(SqlModelVersionTag, "model_version_tags", TAG)
    upsert.set_tags(client, "iris", "1", {"semver": "1.0.0", "run_id": "abc"})
    assert client.get_model_version("iris", "1").tags == {"semver": "1.0.0", "run_id": "abc"}


def test_an_alias_the_other_run_set_first_is_set_again_not_a_crash(registry, other_run_first):
    _, client = registry
    other_run_first(SqlRegisteredModelAlias, "registered_model_aliases", ALIAS)
    upsert.set_alias(client, "iris", "candidate", "1")
    assert str(client.get_model_version_by_alias("iris", "candidate").version) == "1"


def test_any_other_registry_error_is_raised_as_it_came(registry):
    _, client = registry
    with pytest.raises(MlflowException) as raised:
        upsert.set_tags(client, "iris", "7", {"semver": "1.0.0"})
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"
