"""Whether NetworkPolicies allow a flow, with Kubernetes' semantics (networking.k8s.io/v1).

- A pod is isolated for a direction when some policy of its namespace selects
  it and lists that direction in policyTypes (omitted: Ingress, plus Egress
  when the policy has egress rules). An isolated pod gets only what some rule
  of those policies allows: a default deny is simply a policy with no rules.
- A rule allows a peer when it has no `from`/`to` (every peer) or one entry
  matches: podSelector alone means pods of the policy's namespace;
  namespaceSelector alone, every pod of the matching namespaces; both, the
  matching pods of the matching namespaces; ipBlock, addresses in its CIDR but
  not in its exceptions (here: only for flows to addresses, not to pods).
- A rule allows a port when it lists none, or one entry has the protocol
  (default TCP) and no port, the port number (up to endPort), or a port name
  the destination pod declares for that number: names resolve on the
  destination, for egress and for ingress alike.
A flow between two pods of the namespace needs the sender's egress and the
receiver's ingress; a flow that leaves or enters the namespace is judged only
on this side (the other namespace's policies are not in the repo).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from gitops.core.documents import Document
from gitops.validate.policy.fields import as_dict, as_list
from gitops.validate.policy.running import Port, RunningPod, selects

METADATA_NAME = "kubernetes.io/metadata.name"


@dataclass(frozen=True)
class Endpoint:
    """One side of a flow: a pod (with its namespace's labels) or a range of addresses."""

    namespace: str = ""
    namespace_labels: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    ports: tuple[Port, ...] = ()
    cidr: str = ""  # an address range instead of a pod
    excepts: tuple[str, ...] = ()
    pod: RunningPod | None = None  # set for pods of the evaluated namespace

    @property
    def is_address(self) -> bool:
        return bool(self.cidr)


@dataclass(frozen=True)
class Grant:
    """What allowed a flow: a policy, direction, rule, peer and port entry (-1: the rule has none)."""

    policy: Document
    direction: str  # ingress or egress
    rule: int
    peer: int
    port: int


def policy_types(spec: dict) -> list[str]:
    if "policyTypes" in spec:
        return [str(t) for t in as_list(spec.get("policyTypes"))]
    return ["Ingress", "Egress"] if "egress" in spec else ["Ingress"]


def selecting(policies: list[Document], pod: RunningPod, direction: str) -> list[Document]:
    return [
        p
        for p in policies
        if (p.namespace or pod.namespace) == pod.namespace
        and selects(as_dict(p.body.get("spec")).get("podSelector"), pod.labels)
        and direction.capitalize() in policy_types(as_dict(p.body.get("spec")))
    ]


def _networks(cidr: str, excepts: tuple[str, ...] | list) -> tuple[object, list[object]] | None:
    try:
        return ipaddress.ip_network(cidr, strict=False), [ipaddress.ip_network(str(e), strict=False) for e in excepts]
    except (ValueError, TypeError):
        return None


def _covers(block: dict, other: Endpoint) -> bool:
    """The ipBlock allows every address of the flow's range (what its exceptions cut out, the flow's cut out too)."""
    theirs, wanted = (
        _networks(str(block.get("cidr")), as_list(block.get("except"))),
        _networks(other.cidr, other.excepts),
    )
    if theirs is None or wanted is None:
        return False
    (net, holes), (flow, flow_holes) = theirs, wanted
    if flow.version != net.version or not flow.subnet_of(net):
        return False
    for hole in holes:
        if hole.version == flow.version and hole.overlaps(flow):
            if not any(hole.version == h.version and hole.subnet_of(h) for h in flow_holes):
                return False
    return True


def _peer_matches(peer: dict, policy_namespace: str, other: Endpoint) -> bool:
    if "ipBlock" in peer:
        return other.is_address and _covers(as_dict(peer.get("ipBlock")), other)
    if other.is_address:
        return False
    pod_selector, ns_selector = peer.get("podSelector"), peer.get("namespaceSelector")
    if ns_selector is None:
        in_namespace = other.namespace == policy_namespace
        return in_namespace and (pod_selector is None or selects(pod_selector, other.labels))
    namespace_labels = {**other.namespace_labels, METADATA_NAME: other.namespace}
    return selects(ns_selector, namespace_labels) and (pod_selector is None or selects(pod_selector, other.labels))


def _port_matches(entry: dict, port: Port, destination: Endpoint) -> bool:
    if str(entry.get("protocol") or "TCP") != port.protocol:
        return False
    wanted = entry.get("port")
    if wanted is None:
        return True
    if isinstance(wanted, int) and not isinstance(wanted, bool):
        end = entry.get("endPort")
        return wanted == port.number or (isinstance(end, int) and wanted <= port.number <= end)
    names = {p.name for p in destination.ports if p.number == port.number and p.protocol == port.protocol}
    return str(wanted) in names - {""}


def grants(
    policies: list[Document], pod: RunningPod, direction: str, other: Endpoint, port: Port, destination: Endpoint
):
    """The grants letting `pod` send to (egress) or receive from (ingress) `other` on `port`.

    None when `pod` is not isolated for that direction (everything is allowed);
    an empty list when it is and nothing allows the flow.
    """
    chosen = selecting(policies, pod, direction)
    if not chosen:
        return None
    key = "egress" if direction == "egress" else "ingress"
    peers_key = "to" if direction == "egress" else "from"
    found = []
    for policy in chosen:
        namespace = policy.namespace or pod.namespace
        for i, rule in enumerate(as_list(as_dict(policy.body.get("spec")).get(key))):
            rule = as_dict(rule)
            peers = [as_dict(p) for p in as_list(rule.get(peers_key))]
            ports = [as_dict(p) for p in as_list(rule.get("ports"))]
            peer_hits = [j for j, p in enumerate(peers) if _peer_matches(p, namespace, other)] if peers else [-1]
            port_hits = [k for k, e in enumerate(ports) if _port_matches(e, port, destination)] if ports else [-1]
            found += [Grant(policy, key, i, j, k) for j in peer_hits for k in port_hits]
    return found


def allowances(policies: list[Document], pod: RunningPod, direction: str) -> list[tuple[Grant, str]]:
    """Every (policy, rule, peer, port entry) that opens something for `pod`, described for a reader."""
    key = "egress" if direction == "egress" else "ingress"
    peers_key = "to" if direction == "egress" else "from"
    out = []
    for policy in selecting(policies, pod, direction):
        for i, rule in enumerate(as_list(as_dict(policy.body.get("spec")).get(key))):
            rule = as_dict(rule)
            peers = [as_dict(p) for p in as_list(rule.get(peers_key))] or [None]
            ports = [as_dict(p) for p in as_list(rule.get("ports"))] or [None]
            for j, peer in enumerate(peers):
                for k, entry in enumerate(ports):
                    grant = Grant(policy, key, i, j if peer is not None else -1, k if entry is not None else -1)
                    out.append((grant, _describe(peer, entry)))
    return out


def _describe(peer: dict | None, entry: dict | None) -> str:
    if peer is None:
        who = "anywhere"
    elif "ipBlock" in peer:
        block = as_dict(peer.get("ipBlock"))
        cut = f" except {', '.join(map(str, as_list(block.get('except'))))}" if block.get("except") else ""
        who = f"{block.get('cidr')}{cut}"
    else:
        parts = []
        if "namespaceSelector" in peer:
            parts.append(f"namespaces {_selector(peer.get('namespaceSelector'))}")
        if "podSelector" in peer:
            parts.append(f"pods {_selector(peer.get('podSelector'))}")
        who = " ".join(parts) or "nothing"
    what = "every port" if entry is None else f"{entry.get('protocol') or 'TCP'} {entry.get('port', 'every port')}"
    return f"{who}, {what}"


def _selector(selector: object) -> str:
    selector = as_dict(selector)
    terms = [f"{k}={v}" for k, v in sorted(as_dict(selector.get("matchLabels")).items())]
    for e in as_list(selector.get("matchExpressions")):
        e = as_dict(e)
        values = ",".join(map(str, as_list(e.get("values"))))
        terms.append(f"{e.get('key')} {e.get('operator')}" + (f" ({values})" if values else ""))
    return "{" + ", ".join(terms) + "}"


def grant_path(grant: Grant) -> str:
    peers = "to" if grant.direction == "egress" else "from"
    path = f"spec.{grant.direction}[{grant.rule}]"
    if grant.peer >= 0:
        path += f".{peers}[{grant.peer}]"
    if grant.port >= 0:
        path += f" ports[{grant.port}]"
    return path
