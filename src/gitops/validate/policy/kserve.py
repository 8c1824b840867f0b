"""The predictor pod KServe (v0.20.0, Standard mode) builds from an InferenceService and its ServingRuntime.

Rules about what runs (its labels, ports, user, mounts) read this model instead
of the InferenceService alone, because the runtime supplies the image and ports
and KServe's webhook injects the logger agent. Facts from kserve/kserve v0.20.0:

- labels: the runtime's pod labels, then the InferenceService's, then the
  predictor's, then serving.kserve.io/inferenceservice=<name> and
  component=predictor (components/predictor.go, buildObjectMeta), and
  app=isvc.<name>-predictor (reconcilers/deployment/deployment_reconciler.go);
- kserve-container: the runtime container of that name with the
  InferenceService's model container merged over it (utils/utils.go,
  MergeServingRuntimeAndInferenceServiceSpecs; env and mounts by key, other
  fields replaced when set);
- with spec.predictor.logger, the pod webhook adds a container `agent` with
  port agent-port 9081 and a copy of kserve-container's securityContext
  (pkg/webhook/admission/pod/agent_injector.go), and the predictor Service
  sends its port 80 there (reconcilers/service/service_reconciler.go).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from gitops.core.documents import Document
from gitops.validate.policy.fields import as_dict, as_list

CONTAINER = "kserve-container"
AGENT = "agent"
AGENT_PORT = {"name": "agent-port", "containerPort": 9081, "protocol": "TCP"}
RUNTIME_KINDS = ("ServingRuntime", "ClusterServingRuntime")


@dataclass(frozen=True)
class PredictorPod:
    isvc: Document
    runtime: Document | None
    labels: dict[str, str]
    spec: dict[str, Any]  # pod-level fields: securityContext, volumes
    containers: list[dict[str, Any]] = field(default_factory=list)

    def container(self, name: str) -> dict[str, Any]:
        return next((c for c in self.containers if c.get("name") == name), {})


def runtime_name(isvc: Document) -> str:
    model = as_dict(as_dict(as_dict(isvc.body.get("spec")).get("predictor")).get("model"))
    return str(model.get("runtime") or "")


def runtime_of(isvc: Document, docs: Iterable[Document]) -> Document | None:
    """The runtime the InferenceService names: a ServingRuntime of its namespace first, as KServe looks it up
    (utils/utils.go, GetServingRuntime), then a ClusterServingRuntime."""
    name = runtime_name(isvc)
    if not name:
        return None
    found = {d.kind: d for d in docs if d.kind in RUNTIME_KINDS and d.name == name}
    namespaced = found.get("ServingRuntime")
    if namespaced is not None and (
        not namespaced.namespace or not isvc.namespace or namespaced.namespace == isvc.namespace
    ):
        return namespaced
    return found.get("ClusterServingRuntime")


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = {**base, **{k: v for k, v in over.items() if v not in (None, [], {})}}
    for key, ident in (("env", "name"), ("volumeMounts", "mountPath"), ("ports", "containerPort")):
        items = {str(as_dict(i).get(ident)): i for i in as_list(base.get(key)) + as_list(over.get(key))}
        if items:
            out[key] = list(items.values())
    sc = {**as_dict(base.get("securityContext")), **as_dict(over.get("securityContext"))}
    if sc:
        out["securityContext"] = sc
    return out


def predictor_pod(isvc: Document, docs: Iterable[Document]) -> PredictorPod:
    spec = as_dict(isvc.body.get("spec"))
    predictor = as_dict(spec.get("predictor"))
    runtime = runtime_of(isvc, docs)
    rspec = as_dict(runtime.body.get("spec")) if runtime is not None else {}
    runtime_containers = [as_dict(c) for c in as_list(rspec.get("containers"))]
    base = next((c for c in runtime_containers if c.get("name") == CONTAINER), {})
    model = {**as_dict(predictor.get("model")), "name": CONTAINER}
    main = _merged(
        base, {k: v for k, v in model.items() if k not in ("modelFormat", "runtime", "storageUri", "protocolVersion")}
    )
    containers = [main] + [c for c in runtime_containers if c.get("name") != CONTAINER]
    if predictor.get("logger") or predictor.get("batcher"):
        containers.append({"name": AGENT, "ports": [AGENT_PORT], "securityContext": main.get("securityContext")})
    name = isvc.name
    labels = {
        **{str(k): str(v) for k, v in as_dict(rspec.get("labels")).items()},
        **{str(k): str(v) for k, v in as_dict(isvc.metadata.get("labels")).items()},
        **{str(k): str(v) for k, v in as_dict(predictor.get("labels")).items()},
        "serving.kserve.io/inferenceservice": name,
        "component": "predictor",
        "app": f"isvc.{name}-predictor",
    }
    volumes = as_list(rspec.get("volumes")) + as_list(predictor.get("volumes"))
    pod = {"securityContext": as_dict(predictor.get("securityContext")), "volumes": volumes}
    return PredictorPod(isvc, runtime, labels, pod, containers)


def predictor_pods(docs: Iterable[Document]) -> Iterator[PredictorPod]:
    docs = list(docs)
    for doc in docs:
        if doc.kind == "InferenceService" and as_dict(as_dict(doc.body.get("spec")).get("predictor")):
            yield predictor_pod(doc, docs)
