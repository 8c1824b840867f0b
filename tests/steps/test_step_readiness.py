"""Kubernetes readiness: the InferenceService's conditions plus its predictor Deployment's rollout of the pin.

The API server here is a few lines of http.server standing in for the
cluster (no cluster runs on this machine); the class under test is the real
one mark_deployed uses in a pod, pointed at that address. The documents are
shaped as KServe v0.20.0 writes them in Standard mode
(pkg/apis/serving/v1beta1/inference_service_status.go, PropagateRawStatus:
status.observedGeneration is the Deployment's, not the InferenceService's;
components/predictor.go: the storage URI goes into the Deployment's pod
template annotation internal.serving.kserve.io/storage-initializer-sourceuri).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from mlpipeline import readiness
from mlpipeline.errors import StepError
from mlpipeline.readiness import Endpoint, Kubernetes
from tests.manifests.rendering import MATRIX, find, model_docs

ISVC_PATH = "/apis/serving.kserve.io/v1beta1/namespaces/ml-prod/inferenceservices/iris"
DEPLOYMENT_PATH = "/apis/apps/v1/namespaces/ml-prod/deployments/iris-predictor"
URI = "s3://mlflow/1/models/m-1/artifacts"
OLD_URI = "s3://mlflow/1/models/m-0/artifacts"
ADDRESS = "http://iris-predictor.ml-prod.svc.cluster.local"


def isvc(uri=URI, ready="True", address=ADDRESS, generation=2, observed=7):
    status = {
        "conditions": [{"type": "PredictorReady", "status": ready}, {"type": "Ready", "status": ready}],
        # KServe copies the Deployment's observedGeneration here: unrelated to metadata.generation.
        "observedGeneration": observed,
    }
    if address:
        status["address"] = {"url": address}
    return {
        "metadata": {"generation": generation},
        "spec": {"predictor": {"model": {"modelFormat": {"name": "mlflow"}, "storageUri": uri}}},
        "status": status,
    }


def deployment(uri=URI, generation=7, observed=7, replicas=3, updated=3, total=3, available=3, conditions=()):
    return {
        "metadata": {"generation": generation},
        "spec": {
            "replicas": replicas,
            "template": {"metadata": {"annotations": {readiness.SOURCE_URI_ANNOTATION: uri}}},
        },
        "status": {
            "observedGeneration": observed,
            "replicas": total,
            "updatedReplicas": updated,
            "availableReplicas": available,
            "conditions": list(conditions),
        },
    }


@pytest.fixture
def api_server():
    state = {"objects": {}, "forbidden": "", "requests": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state["requests"].append((self.command, self.path, self.headers.get("Authorization")))
            body = state["objects"].get(self.path)
            code = 403 if self.path == state["forbidden"] else 200 if body is not None else 404
            payload = json.dumps(body or {"kind": "Status"}).encode()
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


def check(api_server, isvc_doc, deployment_doc):
    url, state = api_server
    state["objects"] = {ISVC_PATH: isvc_doc, DEPLOYMENT_PATH: deployment_doc}
    kube = Kubernetes("iris", "ml-prod", url, "sa-token", False)
    return kube.check(URI), kube.last


@pytest.mark.parametrize(
    "isvc_doc,deployment_doc,expected",
    [
        (isvc(), deployment(), (Endpoint(ADDRESS, "iris"), "")),
        (
            isvc(generation=2, observed=9),
            deployment(generation=9, observed=9),
            (Endpoint(ADDRESS, "iris"), ""),
        ),
        (isvc(ready="False"), deployment(), (None, "inferenceservice iris is not Ready")),
        (isvc(uri=OLD_URI), deployment(), (None, f"inferenceservice iris has storageUri {OLD_URI}, not the pin")),
        (isvc(address=None), deployment(), (None, "inferenceservice iris is not Ready")),
        (isvc(), deployment(uri=OLD_URI), (None, f"deployment iris-predictor still rolls out {OLD_URI}")),
        (
            isvc(),
            deployment(generation=8, observed=7),
            (None, "deployment iris-predictor: the Deployment controller has not seen the latest spec yet"),
        ),
        (
            isvc(),
            deployment(updated=1, total=4),
            (None, "deployment iris-predictor: 1 of 3 replicas run the pinned URI"),
        ),
        (
            isvc(),
            deployment(updated=3, total=4),
            (None, "deployment iris-predictor: 1 old replicas are pending termination"),
        ),
        (
            isvc(),
            deployment(available=2),
            (None, "deployment iris-predictor: 2 of 3 updated replicas are available"),
        ),
        (isvc(), None, (None, "deployment iris-predictor does not exist yet")),
    ],
    ids=[
        "ready-on-the-pinned-uri",
        "an-hpa-scaled-the-deployment-isvc-generation-differs",
        "not-ready",
        "still-on-the-old-uri",
        "no-address-yet",
        "ready-but-the-deployment-still-rolls-out-the-old-uri",
        "deployment-spec-not-observed-yet",
        "new-replicas-not-all-updated",
        "old-replicas-still-running",
        "new-replicas-not-all-available",
        "no-deployment-yet",
    ],
)
def test_ready_only_when_the_predictor_has_rolled_out_the_pin(api_server, isvc_doc, deployment_doc, expected):
    assert check(api_server, isvc_doc, deployment_doc) == expected


def test_a_rollout_past_its_progress_deadline_fails_with_the_controllers_message(api_server):
    stuck = {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "RS timed out"}
    with pytest.raises(StepError) as err:
        check(api_server, isvc(), deployment(updated=1, total=4, conditions=[stuck]))
    assert err.value.line("mark_deployed") == (
        "mark_deployed: deployment ml-prod/iris-predictor: the rollout of the pinned URI failed: RS timed out "
        "(fix: kubectl -n ml-prod describe deployment iris-predictor; the alias was not moved)"
    )


def test_every_request_is_one_the_role_grants_with_the_pods_token(api_server):
    check(api_server, isvc(), deployment())
    _, state = api_server
    assert [(verb, path) for verb, path, _ in state["requests"]] == [("GET", ISVC_PATH), ("GET", DEPLOYMENT_PATH)]
    assert {auth for _, _, auth in state["requests"]} == {"Bearer sa-token"}


def test_missing_inferenceservice_is_not_ready_yet(api_server):
    url, _ = api_server
    kube = Kubernetes("other", "ml-prod", url, "sa-token", False)
    assert (kube.check(URI), kube.last) == (None, "inferenceservice other does not exist yet")


@pytest.mark.parametrize(
    "forbidden,line",
    [
        (
            ISVC_PATH,
            "mark_deployed: inferenceservice ml-prod/iris: HTTP 403 from the API server "
            "(fix: grant the mark-deployed service account get on inferenceservices)",
        ),
        (
            DEPLOYMENT_PATH,
            "mark_deployed: deployment ml-prod/iris-predictor: HTTP 403 from the API server "
            "(fix: grant the mark-deployed service account get on deployments.apps)",
        ),
    ],
    ids=["inferenceservice", "deployment"],
)
def test_forbidden_says_which_permission_is_missing(api_server, forbidden, line):
    url, state = api_server
    state.update(objects={ISVC_PATH: isvc(), DEPLOYMENT_PATH: deployment()}, forbidden=forbidden)
    with pytest.raises(StepError) as err:
        Kubernetes("iris", "ml-prod", url, "sa-token", False).check(URI)
    assert err.value.line("mark_deployed") == line


def test_waiting_times_out_saying_what_it_last_saw(api_server):
    url, state = api_server
    state["objects"] = {ISVC_PATH: isvc(), DEPLOYMENT_PATH: deployment(uri=OLD_URI)}
    with pytest.raises(StepError) as err:
        readiness.wait(Kubernetes("iris", "ml-prod", url, "sa-token", False), URI, timeout=0, interval=0)
    assert err.value.line("mark_deployed") == (
        f"mark_deployed: --storage-uri {URI}: served model not Ready on the pinned URI after 0s "
        f"(deployment iris-predictor still rolls out {OLD_URI}) "
        "(fix: kubectl -n ml-prod describe inferenceservice iris; "
        "kubectl -n ml-prod rollout status deployment iris-predictor; the alias was not moved)"
    )


def test_outside_a_pod_points_at_local_readiness(monkeypatch):
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(StepError) as err:
        Kubernetes.in_cluster("iris")
    assert err.value.line("mark_deployed") == (
        "mark_deployed: --readiness kubernetes: not running in a Kubernetes pod "
        "(fix: use --readiness local with --server-url on one machine)"
    )


@pytest.mark.parametrize(("env", "model"), MATRIX, ids=[f"{m}-{e}" for e, m in MATRIX])
def test_the_post_sync_role_grants_exactly_the_calls_readiness_makes_on_the_model_s_objects(env, model):
    (role,) = find(model_docs(env, model), "Role", f"{model}-mark-deployed")
    granted = [
        (verb, group, resource, name)
        for rule in role["rules"]
        for verb in rule["verbs"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for name in rule.get("resourceNames") or ["*"]
    ]
    names = {"inferenceservices": model, "deployments": model + readiness.PREDICTOR_SUFFIX}
    assert granted == [(verb, group, resource, names[resource]) for verb, group, resource in readiness.API_CALLS]
