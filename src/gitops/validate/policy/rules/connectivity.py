"""Every flow the connectivity contract requires is allowed, and every allowed flow is one it declares."""

# A default-deny namespace works only if each needed connection has its allow:
# the PostSync probe could not reach the predictor (KServe's logger agent on
# 9081, not 8080), the backup could not reach S3. And an allow nobody declared
# is an opening nobody reviewed. policy/connectivity.yaml lists the flows per
# environment; this evaluates the environment's rendered NetworkPolicies
# against the pods its folders render (netpol.py has the semantics).

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import flows, netpol
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict
from gitops.validate.policy.running import Port, RunningPod, running_pods, selects

ID = "connectivity"
DESCRIPTION = "NetworkPolicies allow exactly the flows policy/connectivity.yaml declares for the environment"
SEVERITY = ERROR
OVERLAYS = "k8s/overlays/"


def _grant_key(grant: netpol.Grant, pod: RunningPod) -> tuple:
    return (grant.policy.source, grant.policy.index, grant.direction, grant.rule, grant.peer, grant.port, _pod_key(pod))


def _pod_key(pod: RunningPod) -> tuple:
    return (pod.doc.source, pod.doc.index, pod.path)


def _endpoints(side: flows.Side, flow: flows.Flow, env: flows.Environment, pods, ns_labels) -> list[netpol.Endpoint]:
    if side.pods is not None:
        return [
            netpol.Endpoint(env.namespace, ns_labels, pod.labels, pod.ports, pod=pod)
            for pod in pods
            if selects(side.pods, pod.labels)
        ]
    if side.cidr:
        return [netpol.Endpoint(cidr=side.cidr, excepts=side.excepts)]
    named = tuple(Port(p.port, p.name, p.protocol) for p in flow.ports if p.name)
    return [netpol.Endpoint(side.namespace, {}, side.labels, named)]


def _describe(end: netpol.Endpoint) -> str:
    if end.pod is not None:
        return end.pod.name
    if end.is_address:
        return end.cidr + (f" except {', '.join(end.excepts)}" if end.excepts else "")
    labels = ",".join(f"{k}={v}" for k, v in sorted(end.labels.items()))
    return f"namespace {end.namespace}" + (f" pods {labels}" if labels else "")


def check(overlay: Overlay) -> Iterable[Finding]:
    if not overlay.of_kind("NetworkPolicy"):
        return
    try:
        contract = flows.contract(overlay.context.root)
    except flows.ContractError as err:
        yield overlay.finding(None, "", str(err), f"fix {flows.CONTRACT_FILE}")
        return
    env = contract.environment_of(overlay.source)
    if env is None:
        if overlay.source.startswith(OVERLAYS):
            yield overlay.finding(
                None,
                "",
                f"NetworkPolicies of an environment {flows.CONTRACT_FILE} does not list",
                f"add the environment (name, folder, namespace) and its flows to {flows.CONTRACT_FILE}",
            )
        return
    docs = flows.environment_docs(overlay, env)
    policies = [d for d in docs if d.kind == "NetworkPolicy" and (d.namespace or env.namespace) == env.namespace]
    pods = [p for p in running_pods(docs) if p.namespace in ("", env.namespace)]
    namespace = next((d for d in docs if d.kind == "Namespace" and d.name == env.namespace), None)
    ns_labels = {str(k): str(v) for k, v in as_dict(namespace.metadata.get("labels") if namespace else {}).items()}

    used: set[tuple] = set()
    for flow in contract.flows:
        if not flow.applies(env.name):
            continue
        sources = _endpoints(flow.source, flow, env, pods, ns_labels)
        targets = _endpoints(flow.destination, flow, env, pods, ns_labels)
        for side, ends in (("from", sources), ("to", targets)):
            if not ends:
                yield overlay.finding(
                    None,
                    f"{flows.CONTRACT_FILE} flows[{flow.index}].{side}.pods",
                    f'environment {env.name}: flow "{flow.name}" selects no pod the environment renders',
                    "fix the flow's selector, or drop the flow if nothing needs it any more",
                )
        denied: dict[str, list[str]] = {"egress": [], "ingress": []}
        for source in sources:
            for target in targets:
                for fp in flow.ports:
                    port = Port(fp.port, fp.name, fp.protocol)
                    what = f"{_describe(source)} -> {_describe(target)} {fp.protocol} {fp.port}"
                    for direction, pod, other in (("egress", source.pod, target), ("ingress", target.pod, source)):
                        if pod is None:
                            continue
                        found = netpol.grants(policies, pod, direction, other, port, target)
                        if found == []:
                            denied[direction].append(what)
                        for grant in found or []:
                            used.add(_grant_key(grant, pod))
        for direction, misses in denied.items():
            if misses:
                more = f" (and {len(misses) - 1} more)" if len(misses) > 1 else ""
                side = "sender's egress" if direction == "egress" else "receiver's ingress"
                yield overlay.finding(
                    None,
                    f"{flows.CONTRACT_FILE} flows[{flow.index}]",
                    f'environment {env.name}: flow "{flow.name}" is denied by the {side}: {misses[0]}{more}',
                    f"allow it in a NetworkPolicy selecting those pods, or remove the flow from {flows.CONTRACT_FILE}",
                )

    undeclared: dict[tuple, tuple[netpol.Grant, str, list[RunningPod]]] = {}
    for pod in pods:
        for direction in ("egress", "ingress"):
            for grant, text in netpol.allowances(policies, pod, direction):
                if _grant_key(grant, pod) not in used:
                    key = _grant_key(grant, pod)[:-1]
                    undeclared.setdefault(key, (grant, text, []))[2].append(pod)
    for grant, text, unused in undeclared.values():
        more = f" and {len(unused) - 1} more" if len(unused) > 1 else ""
        way = "to" if grant.direction == "egress" else "from"
        yield overlay.finding(
            grant.policy,
            netpol.grant_path(grant),
            f"allows {grant.direction} {way} {text} for {unused[0].name}{more}, which no flow in "
            f"{flows.CONTRACT_FILE} declares for environment {env.name}",
            f"declare the flow (with why) in {flows.CONTRACT_FILE}, or narrow the policy",
        )
