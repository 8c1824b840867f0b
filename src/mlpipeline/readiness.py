"""Is the pinned model being served? One small interface, two ways to answer.

- Kubernetes: the InferenceService in this namespace is Ready on the pinned
  storage URI and its predictor Deployment has finished rolling that URI out
  (read with the pod's service account; API_CALLS is all it may do).
- LocalServer: a V2 server on one machine (the local runner's MLServer) says
  the model is ready, and the runner states which URI it serves.
Both return the V2 base URL and model name to probe.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import requests

from mlpipeline.errors import StepError

SERVICE_ACCOUNT = Path("/var/run/secrets/kubernetes.io/serviceaccount")


@dataclass(frozen=True)
class Endpoint:
    base_url: str  # V2 protocol root, e.g. http://host:8080
    model: str  # name in /v2/models/<model>/infer


class Readiness(Protocol):
    last: str  # what the last check saw, said when waiting times out

    def check(self, storage_uri: str) -> Endpoint | None:
        """The endpoint when the pinned URI is served and ready; None while not yet."""

    def hint(self) -> str:
        """Where to look when it never becomes ready."""


def wait(readiness: Readiness, storage_uri: str, timeout: float, interval: float = 2.0) -> Endpoint:
    deadline = time.monotonic() + timeout
    while True:
        endpoint = readiness.check(storage_uri)
        if endpoint is not None:
            return endpoint
        if time.monotonic() >= deadline:
            seen = readiness.last
            raise StepError(
                f"--storage-uri {storage_uri}",
                f"served model not Ready on the pinned URI after {timeout:g}s" + (f" ({seen})" if seen else ""),
                f"{readiness.hint()}; the alias was not moved",
            )
        time.sleep(interval)


class LocalServer:
    def __init__(self, server_url: str, model: str, served_uri: str | None):
        self.url = server_url.rstrip("/")
        self.model = model
        self.served_uri = served_uri
        self.last = ""

    def hint(self) -> str:
        return f"check the server at {self.url} serves model {self.model} from the pinned URI"

    def check(self, storage_uri: str) -> Endpoint | None:
        if self.served_uri and self.served_uri.rstrip("/") != storage_uri.rstrip("/"):
            self.last = f"the server serves {self.served_uri}, not the pin"
            return None
        try:
            ready = requests.get(f"{self.url}/v2/models/{self.model}/ready", timeout=5).status_code == 200
        except requests.RequestException:
            ready = False
        return Endpoint(self.url, self.model) if ready else None


# What KServe (v0.20.0, Standard mode) writes where, read by Kubernetes below:
# the predictor Deployment is <isvc>-predictor (pkg/constants/constants.go,
# PredictorServiceName) and carries the storage URI it rolls out in its pod
# template's annotations (components/predictor.go, addStorageInitializerAnnotations).
PREDICTOR_SUFFIX = "-predictor"
SOURCE_URI_ANNOTATION = "internal.serving.kserve.io/storage-initializer-sourceuri"

# Every API request the check makes, as (verb, API group, resource): the
# mark-deployed Role grants exactly these (tests/steps/test_step_readiness.py).
API_CALLS = (
    ("get", "serving.kserve.io", "inferenceservices"),
    ("get", "apps", "deployments"),
)


def rollout(deployment: dict) -> str:
    """Why the Deployment has not finished rolling out, or "" when it has.

    The conditions of `kubectl rollout status` (k8s.io/kubectl
    pkg/polymorphichelpers/rollout_status.go, DeploymentStatusViewer): the
    controller saw the latest spec, every replica runs the new template, no
    old replica is left, and every new one is available.
    """
    meta, spec, status = (deployment.get(k) or {} for k in ("metadata", "spec", "status"))
    if status.get("observedGeneration", 0) < meta.get("generation", 0):
        return "the Deployment controller has not seen the latest spec yet"
    desired = spec.get("replicas", 1)
    updated, total = status.get("updatedReplicas", 0), status.get("replicas", 0)
    available = status.get("availableReplicas", 0)
    if updated < desired:
        return f"{updated} of {desired} replicas run the pinned URI"
    if total > updated:
        return f"{total - updated} old replicas are pending termination"
    if available < updated:
        return f"{available} of {updated} updated replicas are available"
    return ""


def deadline_exceeded(deployment: dict) -> str:
    """The Deployment controller's own verdict that the rollout is stuck, or ""."""
    for condition in (deployment.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Progressing" and condition.get("reason") == "ProgressDeadlineExceeded":
            return condition.get("message") or "ProgressDeadlineExceeded"
    return ""


class Kubernetes:
    """The InferenceService's conditions plus its predictor Deployment's rollout, read with the pod's service account.

    Not the InferenceService's status.observedGeneration: in Standard mode KServe
    copies the Deployment's observedGeneration there (inference_service_status.go,
    PropagateRawStatus), a counter an HPA's scaling alone moves. And not Ready
    alone: during a rolling update the old pods keep the Deployment Available,
    so Ready stays True while the previous model still answers.
    """

    def __init__(self, name: str, namespace: str, api_url: str, token: str, ca_file: str | bool = True):
        self.name = name
        self.namespace = namespace
        api = api_url.rstrip("/")
        self.isvc_url = f"{api}/apis/serving.kserve.io/v1beta1/namespaces/{namespace}/inferenceservices/{name}"
        self.deployment = name + PREDICTOR_SUFFIX
        self.deployment_url = f"{api}/apis/apps/v1/namespaces/{namespace}/deployments/{self.deployment}"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.verify = ca_file
        self.last = ""  # what the last check saw, for the timeout message

    @classmethod
    def in_cluster(cls, name: str, namespace: str | None = None) -> "Kubernetes":
        import os

        if "KUBERNETES_SERVICE_HOST" not in os.environ:
            raise StepError(
                "--readiness kubernetes",
                "not running in a Kubernetes pod",
                "use --readiness local with --server-url on one machine",
            )
        api = f"https://{os.environ['KUBERNETES_SERVICE_HOST']}:{os.environ['KUBERNETES_SERVICE_PORT']}"
        return cls(
            name,
            namespace or (SERVICE_ACCOUNT / "namespace").read_text().strip(),
            api,
            (SERVICE_ACCOUNT / "token").read_text().strip(),
            str(SERVICE_ACCOUNT / "ca.crt"),
        )

    def hint(self) -> str:
        return (
            f"kubectl -n {self.namespace} describe inferenceservice {self.name}; "
            f"kubectl -n {self.namespace} rollout status deployment {self.deployment}"
        )

    def _get(self, url: str, what: str, resource: str) -> dict | None:
        """The object, or None when it is absent or the API server did not answer (both: not yet)."""
        try:
            response = self.session.get(url, timeout=10)
        except requests.RequestException:
            self.last = f"API server unreachable reading {what}"
            return None
        if response.status_code in (401, 403):
            raise StepError(
                f"{what} {self.namespace}/{url.rsplit('/', 1)[1]}",
                f"HTTP {response.status_code} from the API server",
                f"grant the mark-deployed service account get on {resource}",
            )
        if response.status_code == 404:
            self.last = f"{what} {url.rsplit('/', 1)[1]} does not exist yet"
            return None
        response.raise_for_status()
        return response.json()

    def check(self, storage_uri: str) -> Endpoint | None:
        pinned = storage_uri.rstrip("/")
        isvc = self._get(self.isvc_url, "inferenceservice", "inferenceservices")
        if isvc is None:
            return None
        served = ((isvc.get("spec") or {}).get("predictor") or {}).get("model", {}).get("storageUri", "")
        status = isvc.get("status") or {}
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
        address = (status.get("address") or {}).get("url")
        if served.rstrip("/") != pinned:
            self.last = f"inferenceservice {self.name} has storageUri {served or '(none)'}, not the pin"
            return None
        if not ready or not address:
            self.last = f"inferenceservice {self.name} is not Ready"
            return None
        deployment = self._get(self.deployment_url, "deployment", "deployments.apps")
        if deployment is None:
            return None
        template = ((deployment.get("spec") or {}).get("template") or {}).get("metadata") or {}
        rolled = (template.get("annotations") or {}).get(SOURCE_URI_ANNOTATION, "")
        if rolled.rstrip("/") != pinned:
            self.last = f"deployment {self.deployment} still rolls out {rolled or '(no URI)'}"
            return None
        stuck = deadline_exceeded(deployment)
        if stuck:
            raise StepError(
                f"deployment {self.namespace}/{self.deployment}",
                f"the rollout of the pinned URI failed: {stuck}",
                f"kubectl -n {self.namespace} describe deployment {self.deployment}; the alias was not moved",
            )
        waiting = rollout(deployment)
        if waiting:
            self.last = f"deployment {self.deployment}: {waiting}"
            return None
        self.last = ""
        return Endpoint(address.rstrip("/"), self.name)
