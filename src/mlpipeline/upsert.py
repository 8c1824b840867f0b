"""Registry writes that two runs may make at the same moment: a tag or an alias on one version.

MLflow sets both with a SQLAlchemy `session.merge` (select, then insert when
no row came back; mlflow/store/model_registry/sqlalchemy_store.py,
set_model_version_tag and set_registered_model_alias at 3.17.2). Two runs
tagging the same reused version both see no row, both insert, and the later
insert fails on the table's primary key. The row the other run wrote holds
the same key, so writing again (now an update) is the whole fix; any other
error, or a second conflict, is raised as it came.
"""

from __future__ import annotations

# How each database MLflow supports words a primary-key conflict.
_CONFLICT = (
    "UNIQUE constraint failed",  # SQLite
    "duplicate key value violates unique constraint",  # PostgreSQL
    "Duplicate entry",  # MySQL
)


def _conflict(err: Exception) -> bool:
    return getattr(err, "error_code", "") == "BAD_REQUEST" and any(text in str(err) for text in _CONFLICT)


def _once_more_on_conflict(write) -> None:
    from mlflow.exceptions import MlflowException

    try:
        write()
    except MlflowException as err:
        if not _conflict(err):
            raise
        write()


def set_tags(client, name: str, version: str, tags: dict[str, str]) -> None:
    for key, value in tags.items():
        _once_more_on_conflict(lambda key=key, value=value: client.set_model_version_tag(name, version, key, value))


def set_alias(client, name: str, alias: str, version: str) -> None:
    _once_more_on_conflict(lambda: client.set_registered_model_alias(name, alias, version))
