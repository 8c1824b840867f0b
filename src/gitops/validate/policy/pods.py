"""Every pod an object will create, as (pod-level spec, containers), so rules stay tiny."""

# Covers core workloads, Argo Workflows kinds (each template is its own pod) and
# KServe's InferenceService predictor. Fields a controller injects at run time
# (Argo's wait/init executor, KServe's storage initializer) are the platform's.

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from gitops.argo.defaults import merged
from gitops.core.documents import Document
from gitops.validate.policy import argo
from gitops.validate.policy.fields import as_dict as _dict
from gitops.validate.policy.fields import as_list as _list

_POD_TEMPLATE_KEYS = ("container", "script", "containerSet")
_TEMPLATED = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job")


@dataclass(frozen=True)
class Container:
    path: str  # field path of the container, e.g. spec.templates[0].container
    body: dict[str, Any]


@dataclass(frozen=True)
class Pod:
    """One pod template: `spec` holds pod-level fields (securityContext, volumes, serviceAccountName)."""

    doc: Document
    path: str
    spec: dict[str, Any]
    containers: list[Container]
    labels: dict[str, str] = field(default_factory=dict)
    volumes: list[tuple[str, dict]] = field(default_factory=list)  # (field path, volume)
    account_path: str = ""  # where serviceAccountName is (or would be) set


def pods(docs: list[Document] | tuple[Document, ...]) -> Iterator[Pod]:
    for doc in docs:
        yield from _pods_of(doc)


def containers(docs) -> Iterator[tuple[Pod, Container]]:
    for pod in pods(docs):
        for container in pod.containers:
            yield pod, container


def _pods_of(doc: Document) -> Iterator[Pod]:
    spec = _dict(doc.body.get("spec"))
    if doc.kind == "Pod":
        yield _core(doc, "spec", spec, _dict(doc.metadata.get("labels")))
    elif doc.kind in _TEMPLATED:
        template = _dict(spec.get("template"))
        yield _core(doc, "spec.template.spec", _dict(template.get("spec")), _labels(template))
    elif doc.kind == "CronJob":
        template = _dict(_dict(_dict(spec.get("jobTemplate")).get("spec")).get("template"))
        yield _core(doc, "spec.jobTemplate.spec.template.spec", _dict(template.get("spec")), _labels(template))
    elif doc.kind == "CronWorkflow":
        yield from _argo(doc, "spec.workflowSpec", _dict(spec.get("workflowSpec")))
    elif doc.kind in argo.KINDS:
        yield from _argo(doc, "spec", spec)
    elif doc.kind == "InferenceService":
        yield from _kserve(doc, spec)


def _core(doc: Document, path: str, spec: dict, labels: dict) -> Pod:
    found = [
        Container(f"{path}.{key}[{i}]", c)
        for key in ("initContainers", "containers")
        for i, c in enumerate(_list(spec.get(key)))
        if isinstance(c, dict)
    ]
    volumes = [(f"{path}.volumes[{i}]", v) for i, v in enumerate(_list(spec.get("volumes"))) if isinstance(v, dict)]
    return Pod(doc, path, spec, found, labels, volumes, f"{path}.serviceAccountName")


def _argo(doc: Document, path: str, wf: dict) -> Iterator[Pod]:
    defaults = _dict(wf.get("templateDefaults"))
    pod_meta = _dict(wf.get("podMetadata"))
    for i, raw in enumerate(_list(wf.get("templates"))):
        if not isinstance(raw, dict) or not any(k in raw for k in _POD_TEMPLATE_KEYS):
            continue  # steps, dag, suspend templates run no pod; resource templates run only Argo's
        # The controller merges templateDefaults into every template; a container default
        # does not turn a script template into a two-container one, so keep the template's type.
        tpl = {k: v for k, v in merged(defaults, raw).items() if k in raw or k not in _POD_TEMPLATE_KEYS}
        tpath = f"{path}.templates[{i}]"
        # Workflow-level fields apply to every template's pod unless the template overrides them.
        pod_spec = {
            "securityContext": tpl.get("securityContext", wf.get("securityContext")),
            "serviceAccountName": tpl.get("serviceAccountName", wf.get("serviceAccountName")),
            "imagePullSecrets": _list(wf.get("imagePullSecrets")),
        }
        volumes = [(f"{path}.volumes[{j}]", v) for j, v in enumerate(_list(wf.get("volumes")))]
        volumes += [(f"{tpath}.volumes[{j}]", v) for j, v in enumerate(_list(tpl.get("volumes")))]
        account = f"{tpath}.serviceAccountName" if "serviceAccountName" in tpl else f"{path}.serviceAccountName"
        labels = {**_dict(pod_meta.get("labels")), **_dict(_dict(tpl.get("metadata")).get("labels"))}
        volumes = [(p, v) for p, v in volumes if isinstance(v, dict)]
        yield Pod(doc, tpath, pod_spec, _argo_containers(tpath, tpl), labels, volumes, account)


def _argo_containers(tpath: str, tpl: dict) -> list[Container]:
    """main (container or script), init containers, sidecars and a containerSet's containers."""
    found = [Container(f"{tpath}.{key}", tpl[key]) for key in ("container", "script") if isinstance(tpl.get(key), dict)]
    lists = [(f"{tpath}.{key}", tpl.get(key)) for key in ("initContainers", "sidecars")]
    lists.append((f"{tpath}.containerSet.containers", _dict(tpl.get("containerSet")).get("containers")))
    for where, items in lists:
        found += [Container(f"{where}[{j}]", c) for j, c in enumerate(_list(items)) if isinstance(c, dict)]
    return found


def _kserve(doc: Document, spec: dict) -> Iterator[Pod]:
    for component in ("predictor", "transformer", "explainer"):
        comp = _dict(spec.get(component))
        if not comp:
            continue
        path = f"spec.{component}"
        pod = _core(doc, path, comp, {})
        # The model container is the predictor's main container (image chosen by the runtime).
        model = [Container(f"{path}.model", comp["model"])] if isinstance(comp.get("model"), dict) else []
        labels = {"serving.kserve.io/inferenceservice": doc.name, "component": component}
        labels = {**_dict(doc.metadata.get("labels")), **labels}
        yield Pod(doc, path, comp, model + pod.containers, labels, pod.volumes, pod.account_path)


def _labels(template: dict) -> dict:
    return _dict(_dict(template.get("metadata")).get("labels"))
