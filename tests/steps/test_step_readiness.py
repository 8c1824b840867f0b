"""Kubernetes readiness read from an InferenceService document.

The API server here is a few lines of http.server standing in for the
cluster (no cluster runs on this machine); the class under test is the real
one mark_deployed uses in a pod, pointed at that address.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from mlpipeline.errors import StepError
from mlpipeline.readiness import Endpoint, Kubernetes

PATH = "/apis/serving.kserve.io/v1beta1/namespaces/iris-dev/inferenceservices/iris"
URI = "s3://mlflow/1/models/m-1/artifacts"


def isvc(
    uri: str = URI,
    ready: str = "True",
    address: str | None = "http://iris-predictor.iris-dev.svc.cluster.local",
    observed: int = 2,
):
    status = {
        "conditions": [{"type": "PredictorReady", "status": ready}, {"type": "Ready", "status": ready}],
        "observedGeneration": observed,
    }
    if address:
        status["address"] = {"url": address}
    return {
        "metadata": {"generation": 2},
        "spec": {"predictor": {"model": {"modelFormat": {"name": "mlflow"}, "storageUri": uri}}},
        "status": status,
    }


@pytest.fixture(scope="module")
def api_server():
    state = {"code": 200, "body": {}, "auth": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state["auth"].append(self.headers.get("Authorization"))
            code = state["code"] if self.path == PATH else 404
            payload = json.dumps(state["body"]).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", state
    server.shutdown()


@pytest.mark.parametrize(
    "document,expected",
    [
        (isvc(), Endpoint("http://iris-predictor.iris-dev.svc.cluster.local", "iris")),
        (isvc(ready="False"), None),
        (isvc(uri="s3://mlflow/1/models/m-0/artifacts"), None),
        (isvc(address=None), None),
        (isvc(observed=1), None),
    ],
    ids=["ready-on-pinned-uri", "not-ready", "still-on-the-old-uri", "no-address-yet", "ready-is-the-old-rollouts"],
)
def test_ready_only_on_the_pinned_uri(api_server, document, expected):
    url, state = api_server
    state.update(code=200, body=document)
    assert Kubernetes("iris", "iris-dev", url, "sa-token", False).check(URI) == expected
    assert state["auth"][-1] == "Bearer sa-token"


def test_missing_inferenceservice_is_not_ready_yet(api_server):
    url, state = api_server
    assert Kubernetes("other", "iris-dev", url, "sa-token", False).check(URI) is None


def test_forbidden_says_which_permission_is_missing(api_server):
    url, state = api_server
    state.update(code=403, body={"kind": "Status"})
    with pytest.raises(StepError) as err:
        Kubernetes("iris", "iris-dev", url, "sa-token", False).check(URI)
    assert err.value.line("mark_deployed") == (
        "mark_deployed: inferenceservice iris-dev/iris: HTTP 403 from the API server "
        "(fix: grant the mark-deployed service account get on inferenceservices)"
    )


def test_outside_a_pod_points_at_local_readiness(monkeypatch):
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(StepError) as err:
        Kubernetes.in_cluster("iris")
    assert err.value.line("mark_deployed") == (
        "mark_deployed: --readiness kubernetes: not running in a Kubernetes pod "
        "(fix: use --readiness local with --server-url on one machine)"
    )
