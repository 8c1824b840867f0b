"""MLflow access: a bounded reachability check, and lookups that fail as one line.

Only the tracking client is imported here; flavours (mlflow.sklearn,
mlflow.pyfunc) are imported by the steps that need them, which keeps the
cold start of monitor, deploy and mark_deployed short.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import requests

from mlpipeline import failures
from mlpipeline.backoff import retry
from mlpipeline.errors import PermanentError, StepError, UsageError

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion

# MLflow's client retries a failed request 7 times with doubling waits (minutes) and waits 120 s for an
# answer: a server that dies mid-run would hang the step. Two retries (about 3 s) ride out a blip; the
# workflow's retryStrategy is the longer patience. Set in the environment, so a deployment can override it.
HTTP_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "60",
}

URI_FIX = "set MLFLOW_TRACKING_URI (--tracking-uri) to the MLflow server's http(s):// address or a sqlite:/// file"


def connect(tracking_uri: str) -> "MlflowClient":
    """Check the server answers, then return a client bound to it.

    MLflow's own client retries a dead server for minutes; this fails in
    seconds with a line that names the URI.
    """
    failures.tracking_uri = tracking_uri  # every later registry failure names it
    for name, value in HTTP_DEFAULTS.items():
        os.environ.setdefault(name, value)
    if tracking_uri.startswith(("http://", "https://")):
        url = tracking_uri.rstrip("/") + "/health"
        try:
            retry(lambda: requests.get(url, timeout=5).raise_for_status(), (requests.RequestException,))
        except requests.RequestException as err:
            raise StepError(
                f"--tracking-uri {tracking_uri}",
                f"MLflow tracking server unreachable ({type(err).__name__})",
                "check MLFLOW_TRACKING_URI and that the MLflow server is running",
            ) from None
    import mlflow
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    mlflow.set_tracking_uri(tracking_uri)
    try:
        # The client builds its stores here: a scheme MLflow has no store for, or a database whose driver is not
        # installed, fails now, before any step work.
        return MlflowClient(tracking_uri=tracking_uri)
    except MlflowException as err:
        if getattr(err, "supported_uri_schemes", None) is not None:
            from urllib.parse import urlparse  # how MLflow reads the scheme (mlflow.utils.uri.get_uri_scheme)

            what = f"MLflow has no registry store for the scheme {urlparse(tracking_uri).scheme!r}"
        else:  # MLflow's first sentence says it (a ./mlruns file store: "in maintenance mode")
            what = "MLflow refuses it: " + str(err).strip().split(". ")[0].rstrip(".")
        raise UsageError(f"--tracking-uri {tracking_uri}", what, URI_FIX) from None
    except ImportError as err:  # SQLAlchemy imports the database's driver when the store connects
        raise UsageError(
            f"--tracking-uri {tracking_uri}",
            f"its database driver is not installed ({err.name or err})",
            f"{URI_FIX}: only SQLite's driver is installed",
        ) from None


def does_not_exist(err: Exception, alias: bool = False) -> bool:
    """Does not exist, as the registry says it: a missing version or model is RESOURCE_DOES_NOT_EXIST; with
    `alias`, a missing alias too, which MLflow reports as INVALID_PARAMETER_VALUE "... alias <a> not found"."""
    code = getattr(err, "error_code", "")
    if code == "RESOURCE_DOES_NOT_EXIST":
        return True
    return alias and code == "INVALID_PARAMETER_VALUE" and str(err).rstrip(".").endswith("not found")


def model_version(client: "MlflowClient", name: str, version: str) -> "ModelVersion":
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version(name, str(version))
    except MlflowException as err:
        # Only the registry's own code: a proxy's 404 page or a 403 whose text says "not found" is not a fact
        # about the version.
        if does_not_exist(err):
            raise PermanentError(
                f"--model-version {version}",
                f"model {name} has no version {version}",
                "pass a version that exists in the MLflow registry",
            ) from None
        raise


def alias_version(client: "MlflowClient", name: str, alias: str) -> "ModelVersion | None":
    """The version at an alias, or None when the alias (or the model) does not exist yet.

    Any other answer (a 403, a 503, a proxy's page) is raised: read as "no alias", validate would judge the
    candidate against no champion and mark_deployed would think the alias unset. cli.run makes it one line.
    """
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException as err:
        if does_not_exist(err, alias=True):
            return None
        raise


def required_alias(client: "MlflowClient", name: str, alias: str, flag: str) -> "ModelVersion":
    version = alias_version(client, name, alias)
    if version is None:
        raise PermanentError(
            f"{flag} {alias}",
            f"model {name} has no version at alias {alias}",
            "deploy a version to the environment first, or pass --model-version",
        )
    return version


def run_metric(client: "MlflowClient", run_id: str, key: str) -> float | None:
    return client.get_run(run_id).data.metrics.get(key)
