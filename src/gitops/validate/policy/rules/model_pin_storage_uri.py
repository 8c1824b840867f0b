"""A model pin's storageUri is a URI its environment's serving can fetch; promotion carries it up unchanged."""

# KServe v0.20.0: the controller accepts any storageUri without `\w+?://` as a local path
# (pkg/controller/v1beta1/inferenceservice/utils/utils.go ValidateStorageURI), and the storage
# initializer then fails on it at pod start, "Cannot recognize storage type"
# (python/storage/kserve_storage/kserve_storage.py Storage.download); an s3:// URI is split into
# bucket and object prefix there (_download_s3). Which schemes each environment's serving can
# fetch is the reviewed list policy/serving-storage.yaml (the credentials it has). An empty
# storageUri is a model not deployed yet there (the PostSync check says so).

from __future__ import annotations

import re
from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict
from gitops.validate.policy.storage import SERVING_STORAGE_FILE
from mlpipeline import pin

ID = "model-pin-storage-uri"
DESCRIPTION = "every model pin's storageUri is empty or a URI its environment's serving can fetch"
SEVERITY = ERROR
ENVIRONMENT_LABEL = "environment"  # set on every object by k8s/overlays/<env>/environment
_URI = re.compile(r"^([a-z][a-z0-9+.-]*)://(.*)$")
# S3 bucket names: 3-63 lowercase letters, digits, dots and hyphens, starting and ending alphanumeric.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def problem(uri: str, schemes: tuple[str, ...], environment: str) -> str:
    """Why the serving of `environment` cannot fetch `uri` ("" when it can)."""
    match = _URI.match(uri)
    if not match:
        return (
            f"{uri!r} is not a URI (no scheme://): KServe takes it for a local path and its storage "
            "initializer fails at pod start"
        )
    scheme, rest = match.groups()
    if scheme not in schemes:
        return f"{scheme}:// is not a scheme {environment}'s serving fetches from ({', '.join(schemes)})"
    bucket, _, key = rest.partition("/")
    if scheme in ("s3", "gs") and not _BUCKET.match(bucket):
        return f"{bucket!r} is not a valid {'S3' if scheme == 's3' else 'GCS'} bucket name"
    if scheme in ("s3", "gs") and not key.strip("/"):
        return f"names bucket {bucket} but no model path in it"
    return ""


def check(overlay: Overlay) -> Iterable[Finding]:
    allowed = overlay.context.storage.schemes
    for doc in overlay.of_kind("ConfigMap"):
        data = as_dict(doc.body.get("data"))
        if not doc.name.endswith(pin.NAME) or "storageUri" not in data or not str(data["storageUri"] or ""):
            continue
        environment = str(as_dict(doc.metadata.get("labels")).get(ENVIRONMENT_LABEL) or "")
        if environment not in allowed:
            yield overlay.finding(
                doc,
                f"metadata.labels.{ENVIRONMENT_LABEL}",
                f"the pin's environment {environment or '(no label)'} is not in {SERVING_STORAGE_FILE}, so "
                "nothing says what its serving can fetch",
                f"render the pin through its environment's component, or add the environment to {SERVING_STORAGE_FILE}",
            )
            continue
        found = problem(str(data["storageUri"]), allowed[environment], environment)
        if found:
            yield overlay.finding(
                doc,
                "data.storageUri",
                found,
                f"fix storageUri in {pin.PIN_PATH.format(environment=environment, model='<model>')}: the URI the "
                "deploy step writes is MLflow's download URI of the model version, on S3",
            )
