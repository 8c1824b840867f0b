"""NetworkPolicy ports, peers, IP blocks and policy types.

From pkg/apis/networking/validation/validation.go (ValidateNetworkPolicyPort,
ValidateNetworkPolicyPeer, ValidateIPBlock, ValidateNetworkPolicySpec). CIDRs
are parsed as 1.37 does (StrictIPCIDRValidation on): no host bits, no leading zeros.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from gitops.validate.apiserver import validation as v
from gitops.validate.apiserver.fields import (
    Problem,
    as_dict,
    as_list,
    forbidden,
    invalid,
    is_int,
    required,
    unsupported,
)

ID = "networking"
DESCRIPTION = "NetworkPolicy port ranges and protocols, peers, ipBlock CIDRs, policyTypes"
SOURCE = "pkg/apis/networking/validation/validation.go"
KINDS = ("NetworkPolicy",)


def check(kind: str, body: dict) -> Iterator[Problem]:
    spec = as_dict(body.get("spec"))
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(as_list(spec.get(direction))):
            rule, at = as_dict(rule), f"spec.{direction}[{i}]"
            for j, port in enumerate(as_list(rule.get("ports"))):
                yield from _port(as_dict(port), f"{at}.ports[{j}]")
            for j, peer in enumerate(as_list(rule.get(peers))):
                yield from _peer(as_dict(peer), f"{at}.{peers}[{j}]")
    types = as_list(spec.get("policyTypes"))
    if len(types) > 2:
        yield invalid("spec.policyTypes", types, "may not specify more than two policyTypes", "list Ingress, Egress")
    for i, kind_ in enumerate(types):
        if kind_ not in ("Ingress", "Egress"):
            yield unsupported(f"spec.policyTypes[{i}]", kind_, ("Ingress", "Egress"))


def _port(port: dict, at: str) -> Iterator[Problem]:
    protocol = port.get("protocol")
    if protocol is not None and protocol not in ("TCP", "UDP", "SCTP"):
        yield unsupported(f"{at}.protocol", protocol, ("TCP", "UDP", "SCTP"))
    number, end = port.get("port"), port.get("endPort")
    if is_int(number):
        for detail in v.port_number(number):
            yield invalid(f"{at}.port", number, detail, "use a port from 1 to 65535")
    elif isinstance(number, str):
        for detail in v.port_name(number):
            yield invalid(f"{at}.port", number, detail, "use a port number or a container port's name")
    if end is None:
        return
    if number is None:
        yield invalid(f"{at}.endPort", end, "may not be specified when `port` is not specified", "set port too")
    elif not is_int(number):
        yield invalid(f"{at}.endPort", end, "may not be specified when `port` is non-numeric", "use a numeric port")
    elif is_int(end):
        if end < number:
            yield invalid(f"{at}.endPort", end, "must be greater than or equal to `port`", "raise endPort")
        for detail in v.port_number(end):
            yield invalid(f"{at}.endPort", end, detail, "use a port from 1 to 65535")


def _peer(peer: dict, at: str) -> Iterator[Problem]:
    kinds = [k for k in ("podSelector", "namespaceSelector", "ipBlock") if peer.get(k) is not None]
    if not kinds:
        yield required(at, "add podSelector, namespaceSelector or ipBlock", "must specify a peer")
    elif "ipBlock" in kinds and len(kinds) > 1:
        yield forbidden(at, "may not specify both ipBlock and another peer", "split them into two peers")
    if peer.get("ipBlock") is not None:
        block = as_dict(peer["ipBlock"])
        cidr = block.get("cidr")
        if not cidr:
            yield required(f"{at}.ipBlock.cidr", "set a CIDR such as 10.0.0.0/8")
            return
        network = yield from _cidr(str(cidr), f"{at}.ipBlock.cidr")
        for i, text in enumerate(as_list(block.get("except"))):
            inner = yield from _cidr(str(text), f"{at}.ipBlock.except[{i}]")
            if (
                network
                and inner
                and not (
                    inner.version == network.version
                    and inner.subnet_of(network)
                    and inner.prefixlen > network.prefixlen
                )
            ):
                yield invalid(f"{at}.ipBlock.except[{i}]", text, "must be a strict subset of `cidr`", "narrow it")


def _cidr(text: str, at: str) -> Iterator[Problem]:
    hint = "write the network address and prefix, e.g. 10.0.0.0/8"
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        yield invalid(at, text, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)", hint)
        return None
    if (
        str(network) != text
        and ipaddress.ip_network(text, strict=False).network_address != ipaddress.ip_interface(text).ip
    ):
        yield invalid(at, text, "must not have bits set beyond the prefix length (Kubernetes 1.37)", hint)
    return network
