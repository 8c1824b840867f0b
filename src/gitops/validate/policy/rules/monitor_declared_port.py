"""A PodMonitor scrapes a port that every pod it selects declares."""

# The Prometheus Operator keeps a PodMonitor's targets by the container port's
# name (`port`) or number (`portNumber`, or the deprecated `targetPort`)
# (prometheus-operator pkg/prometheus/promcfg.go, v0.93.0), and Prometheus'
# pod discovery makes targets only from declared container ports: a port the
# containers do not declare is never scraped, silently. The PodMonitor lives in
# the environment's namespace folder and the pods in each model's, so the
# environment's folders are read together (flows.py), as the connectivity rule does.

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import flows
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list
from gitops.validate.policy.running import running_pods, selects

ID = "monitor-declared-port"
DESCRIPTION = "every PodMonitor endpoint names a port its selected pods declare"
SEVERITY = ERROR


def _wanted(endpoint: dict) -> tuple[str, str, object] | None:
    """(field, kind, value): which port the operator keeps, by name or by number, as it picks them."""
    if endpoint.get("port"):
        return "port", "name", str(endpoint["port"])
    if isinstance(endpoint.get("portNumber"), int) and endpoint["portNumber"]:
        return "portNumber", "number", endpoint["portNumber"]
    target = endpoint.get("targetPort")
    if isinstance(target, int) and not isinstance(target, bool) and target:
        return "targetPort", "number", target
    if isinstance(target, str) and target:
        return "targetPort", "name", target
    return None


def check(overlay: Overlay) -> Iterable[Finding]:
    monitors = overlay.of_kind("PodMonitor")
    if not monitors:
        return
    docs = list(overlay.docs)
    try:
        env = flows.contract(overlay.context.root).environment_of(overlay.source)
    except flows.ContractError:
        env = None  # the connectivity rule reports the contract
    if env is not None:
        docs = flows.environment_docs(overlay, env)
    pods = list(running_pods(docs))
    for monitor in monitors:
        spec = as_dict(monitor.body.get("spec"))
        selected = [
            p
            for p in pods
            if selects(spec.get("selector"), p.labels)
            and (p.namespace or monitor.namespace) == monitor.namespace  # namespaceSelector unset: its own namespace
        ]
        for i, endpoint in enumerate(as_list(spec.get("podMetricsEndpoints"))):
            wanted = _wanted(as_dict(endpoint))
            if wanted is None:
                continue
            field, kind, value = wanted
            for pod in selected:
                declared = {p.name for p in pod.ports} if kind == "name" else {p.number for p in pod.ports}
                if value not in declared:
                    shown = ", ".join(f"{p.name or '-'}/{p.number}" for p in pod.ports) or "none"
                    yield overlay.finding(
                        monitor,
                        f"spec.podMetricsEndpoints[{i}].{field}",
                        f"port {value} is declared by no container of {pod.name} (its ports: {shown}); "
                        "Prometheus builds no target for it",
                        "declare the port on the pod's container (a predictor's: in its ServingRuntime) "
                        "and select it by name",
                    )
