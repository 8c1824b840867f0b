"""The pods rendered objects become once their controllers run them: labels and declared ports.

NetworkPolicies and monitors select running pods, which carry labels the
templates do not: Argo Workflows labels every workflow pod with
workflows.argoproj.io/workflow and workflows.argoproj.io/completed
(workflow/controller/workflowpod.go, v4.0.6), and KServe builds predictor pods
from an InferenceService and its runtime (kserve.py). Everything else runs its
pod template as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from gitops.core.documents import Document
from gitops.validate.policy import argo, kserve
from gitops.validate.policy.fields import as_dict, as_list
from gitops.validate.policy.pods import pods

ARGO_LABELS = {"workflows.argoproj.io/workflow": "<workflow>", "workflows.argoproj.io/completed": "false"}


@dataclass(frozen=True)
class Port:
    number: int
    name: str = ""
    protocol: str = "TCP"


@dataclass(frozen=True)
class RunningPod:
    doc: Document
    path: str  # the pod template's field path, or the predictor's
    labels: dict[str, str] = field(default_factory=dict)
    ports: tuple[Port, ...] = ()

    @property
    def namespace(self) -> str:
        return self.doc.namespace

    @property
    def name(self) -> str:
        """How messages name the pod: its object and, when the object runs several, the template."""
        return f"{self.doc.resource} {self.path}" if "templates[" in self.path else self.doc.resource


def _ports(containers: Iterable[dict]) -> tuple[Port, ...]:
    out = []
    for container in containers:
        for port in as_list(as_dict(container).get("ports")):
            port = as_dict(port)
            number = port.get("containerPort")
            if isinstance(number, int):
                out.append(Port(number, str(port.get("name") or ""), str(port.get("protocol") or "TCP")))
    return tuple(out)


def running_pods(docs: Iterable[Document]) -> Iterator[RunningPod]:
    docs = list(docs)
    for pod in pods(docs):
        if pod.doc.kind == "InferenceService":
            continue  # built below, from the runtime
        labels = {str(k): str(v) for k, v in pod.labels.items()}
        if pod.doc.kind in argo.KINDS or pod.doc.kind == "CronWorkflow":
            labels = {**labels, **ARGO_LABELS}
        yield RunningPod(pod.doc, pod.path, labels, _ports(c.body for c in pod.containers))
    for predictor in kserve.predictor_pods(docs):
        yield RunningPod(predictor.isvc, "spec.predictor", predictor.labels, _ports(predictor.containers))


def selects(selector: object, labels: dict[str, str]) -> bool:
    """A Kubernetes label selector (matchLabels and matchExpressions); {} selects everything, None nothing."""
    if not isinstance(selector, dict):
        return False
    for key, value in as_dict(selector.get("matchLabels")).items():
        if labels.get(str(key)) != str(value):
            return False
    for expression in as_list(selector.get("matchExpressions")):
        expression = as_dict(expression)
        key, operator = str(expression.get("key")), expression.get("operator")
        values = [str(v) for v in as_list(expression.get("values"))]
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True
