"""Service ports and type.

From pkg/apis/core/validation/validation.go (ValidateService,
validateServicePort): with more than one port every port needs a name; names
are DNS-1123 labels and unique; port 1-65535; protocol TCP, UDP or SCTP;
targetPort a port number or an IANA port name; {protocol, port} unique.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitops.validate.apiserver import validation as v
from gitops.validate.apiserver.fields import (
    Problem,
    as_dict,
    as_list,
    duplicate,
    forbidden,
    invalid,
    is_int,
    required,
    unsupported,
)

ID = "services"
DESCRIPTION = "Service port names, numbers, protocols, target ports; type"
SOURCE = "pkg/apis/core/validation/validation.go (ValidateService, validateServicePort)"
KINDS = ("Service",)

_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")


def check(kind: str, body: dict) -> Iterator[Problem]:
    spec = as_dict(body.get("spec"))
    service_type = spec.get("type", "ClusterIP")
    if service_type not in _TYPES:
        yield unsupported("spec.type", service_type, _TYPES)
    ports = as_list(spec.get("ports"))
    if not ports and service_type != "ExternalName" and spec.get("clusterIP") != "None":
        yield required("spec.ports", "list the ports the Service exposes")
    names: set[str] = set()
    seen: set[tuple[str, object]] = set()
    for i, port in enumerate(ports):
        port, at = as_dict(port), f"spec.ports[{i}]"
        name = port.get("name")
        if not name and len(ports) > 1:
            yield required(f"{at}.name", "name every port of a Service with more than one")
        elif name:
            for detail in v.dns1123_label(str(name)):
                yield invalid(f"{at}.name", name, detail, f"use a DNS label such as {v.suggest_name(str(name))!r}")
            if name in names:
                yield duplicate(f"{at}.name", name, "give every port its own name")
            names.add(name)
        number = port.get("port")
        if is_int(number):
            for detail in v.port_number(number):
                yield invalid(f"{at}.port", number, detail, "use a port from 1 to 65535")
        protocol = port.get("protocol", "TCP")
        if protocol not in ("SCTP", "TCP", "UDP"):
            yield unsupported(f"{at}.protocol", protocol, ("SCTP", "TCP", "UDP"))
        if (protocol, number) in seen:
            yield duplicate(at, {"port": number, "protocol": protocol}, "expose each port and protocol once")
        seen.add((protocol, number))
        target = port.get("targetPort")
        if is_int(target):
            for detail in v.port_number(target):
                yield invalid(f"{at}.targetPort", target, detail, "use a port from 1 to 65535")
        elif isinstance(target, str):
            for detail in v.port_name(target):
                yield invalid(f"{at}.targetPort", target, detail, "use a number, or the container port's name")
        if port.get("nodePort") and service_type == "ClusterIP":
            yield forbidden(f"{at}.nodePort", "may not be used when `type` is 'ClusterIP'", "remove nodePort")
