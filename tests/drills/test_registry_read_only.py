"""Drill: the MLflow server's database is read-only (a volume mounted ro, a wrong owner). The real server answers
every write with 503 (MLflow turns the database's OperationalError into TEMPORARILY_UNAVAILABLE), its client
retries that and raises urllib3's "too many 503 error responses", without the answer's body. train stops with
one line naming the server, what it answered and where the cause is (the server's log), exit 1: a 503 after
retries is not known to be permanent. The registry is unchanged."""

from __future__ import annotations

import pytest

from tests.drills.faults import kill, start_mlflow
from tests.drills.processes import registry, step
from tests.steps.helpers import new_registry
from tests.support.filesystems import read_only

pytestmark = pytest.mark.slow


def test_a_server_whose_database_is_read_only_names_the_server_its_answer_and_its_log(tmp_path):
    database = tmp_path / "db"  # only the database read-only: the server's log and artifacts stay writable
    database.mkdir()
    new_registry(database)
    before = registry(database / "mlflow.db")
    with read_only(database):
        server = start_mlflow(tmp_path / "mlflow", database=database / "mlflow.db")
        try:
            done = step(
                "train",
                *("--tracking-uri", server.url, "--model-name", "iris", "--experiment", "iris"),
                *("--n-estimators", "2", "--outputs-dir", str(tmp_path / "out")),
                cwd=tmp_path,
            )
        finally:
            kill(server)
    assert (done.code, done.last_line) == (
        1,
        f"train: --tracking-uri {server.url}: MLflow tracking server answered HTTP 503 Service Unavailable to all 3 "
        "attempts at /api/2.0/mlflow/runs/create; MLflow answers 503 when its database fails (read-only, locked or "
        "full), a proxy when the server behind it is down (fix: find the cause in the MLflow server's log (its line "
        "'Error in ...' for that request), fix it, then run the step again)",
    )
    assert done.stderr.strip().count("\n") == 0, done.stderr  # one line: no traceback, no retry chatter
    assert "attempt to write a readonly database" in server.log.read_text()  # where the line sends the operator
    assert registry(database / "mlflow.db") == before
    assert list((tmp_path / "out").iterdir()) == []  # no output parameters: Argo sees a failed step
