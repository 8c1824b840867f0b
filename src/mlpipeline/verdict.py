"""The validation verdict as tags on the model version: what the registry says about a candidate, pass or fail.

A version that failed keeps its reasons where an operator looks first (the
version page), not only in a run's report; a later validation of the same
version (a reused one, judged by other thresholds) overwrites them.
"""

from __future__ import annotations

from mlpipeline import upsert

PASSED = "validation_passed"
FAILURES = "validation_failures"
RUN = "validation_run_id"


def record(client, name: str, version: str, passed: bool, missed: list[str], run_id: str) -> None:
    upsert.set_tags(client, name, version, {PASSED: str(passed).lower(), RUN: run_id})
    if missed:
        upsert.set_tags(client, name, version, {FAILURES: "; ".join(missed)})
    elif FAILURES in client.get_model_version(name, version).tags:
        # A pass must not keep the reasons of an earlier failure of the same version.
        client.delete_model_version_tag(name, version, FAILURES)
