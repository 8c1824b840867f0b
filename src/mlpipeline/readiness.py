"""Is the pinned model being served? One small interface, two ways to answer.

- Kubernetes: the InferenceService in this namespace is Ready and its spec
  carries the pinned storage URI (read with the pod's service account).
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
    def check(self, storage_uri: str) -> Endpoint | None:
        """The endpoint when the pinned URI is served and ready; None while not yet."""


def wait(readiness: Readiness, storage_uri: str, timeout: float, interval: float = 2.0) -> Endpoint:
    deadline = time.monotonic() + timeout
    while True:
        endpoint = readiness.check(storage_uri)
        if endpoint is not None:
            return endpoint
        if time.monotonic() >= deadline:
            raise StepError(
                f"--storage-uri {storage_uri}",
                f"served model not Ready on the pinned URI after {timeout:g}s",
                f"{readiness.hint()}; the alias was not moved",
            )
        time.sleep(interval)


class LocalServer:
    def __init__(self, server_url: str, model: str, served_uri: str | None):
        self.url = server_url.rstrip("/")
        self.model = model
        self.served_uri = served_uri

    def hint(self) -> str:
        return f"check the server at {self.url} serves model {self.model} from the pinned URI"

    def check(self, storage_uri: str) -> Endpoint | None:
        if self.served_uri and self.served_uri.rstrip("/") != storage_uri.rstrip("/"):
            return None
        try:
            ready = requests.get(f"{self.url}/v2/models/{self.model}/ready", timeout=5).status_code == 200
        except requests.RequestException:
            ready = False
        return Endpoint(self.url, self.model) if ready else None


class Kubernetes:
    """serving.kserve.io/v1beta1 InferenceService status, read with the pod's own service account."""

    def __init__(self, name: str, namespace: str, api_url: str, token: str, ca_file: str | bool = True):
        self.name = name
        self.namespace = namespace
        self.url = (
            f"{api_url.rstrip('/')}/apis/serving.kserve.io/v1beta1/namespaces/{namespace}/inferenceservices/{name}"
        )
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.verify = ca_file

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
        return f"kubectl -n {self.namespace} describe inferenceservice {self.name}"

    def check(self, storage_uri: str) -> Endpoint | None:
        try:
            response = self.session.get(self.url, timeout=10)
        except requests.RequestException:
            return None  # an API server blip is "not yet"; wait() times out with the hint
        if response.status_code in (401, 403):
            raise StepError(
                f"inferenceservice {self.namespace}/{self.name}",
                f"HTTP {response.status_code} from the API server",
                "grant the mark-deployed service account get on inferenceservices",
            )
        if response.status_code == 404:
            return None
        response.raise_for_status()
        isvc = response.json()
        served = isvc.get("spec", {}).get("predictor", {}).get("model", {}).get("storageUri", "")
        status = isvc.get("status", {})
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions", []))
        address = status.get("address", {}).get("url")
        # Right after a sync the spec already has the new URI while Ready still describes the old
        # rollout: only a status the controller computed for this generation says the pin is served.
        observed = status.get("observedGeneration") == isvc.get("metadata", {}).get("generation")
        if served.rstrip("/") != storage_uri.rstrip("/") or not ready or not address or not observed:
            return None
        return Endpoint(address.rstrip("/"), self.name)
