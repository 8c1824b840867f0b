"""Pod specs, in every kind that carries one: containers, ports, environment, volumes and mounts.

From pkg/apis/core/validation/validation.go (ValidatePodSpec, validateContainers,
validateContainerPorts, ValidateEnv, ValidateEnvFrom, ValidateVolumes,
ValidateVolumeMounts, validateProbe, ValidateSecurityContext), the 1.33-era
tree. Workload-specific narrowing (restartPolicy per kind) lives in workloads.py
and batch.py; resource quantities in quantities.py.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitops.validate.apiserver import validation as v
from gitops.validate.apiserver.fields import (
    POD_TEMPLATES,
    Problem,
    as_dict,
    as_list,
    containers,
    duplicate,
    forbidden,
    invalid,
    is_int,
    not_found,
    pod_spec,
    required,
    unsupported,
)

ID = "podspec"
DESCRIPTION = "container, port, env, volume and mount names and references; pod-level enums and ranges"
SOURCE = "pkg/apis/core/validation/validation.go (ValidatePodSpec and what it calls)"
KINDS = tuple(POD_TEMPLATES)

_VOLUME_SOURCES = (
    "hostPath emptyDir gcePersistentDisk awsElasticBlockStore gitRepo secret nfs iscsi glusterfs "
    "persistentVolumeClaim rbd flexVolume cinder cephfs flocker downwardAPI fc azureFile configMap vsphereVolume "
    "quobyte azureDisk photonPersistentDisk projected portworxVolume scaleIO storageos csi ephemeral image"
).split()
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_MAX_ID = 2147483647


def check(kind: str, body: dict) -> Iterator[Problem]:
    found = pod_spec(kind, body)
    if found is None:
        return
    path, spec = found
    if not spec and kind != "Pod":
        return
    volumes = yield from _volumes(spec, path)
    if not as_list(spec.get("containers")):
        yield required(f"{path}.containers", "add at least one container")
    yield from _containers(spec, path, volumes)
    policy = spec.get("restartPolicy")
    if policy is not None and policy not in ("Always", "OnFailure", "Never"):
        yield unsupported(f"{path}.restartPolicy", policy, ("Always", "OnFailure", "Never"))
    dns = spec.get("dnsPolicy")
    if dns is not None and dns not in ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"):
        yield unsupported(f"{path}.dnsPolicy", dns, ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"))
    deadline = spec.get("activeDeadlineSeconds")
    if is_int(deadline) and not 1 <= deadline <= _MAX_ID:
        yield invalid(
            f"{path}.activeDeadlineSeconds", deadline, f"must be between 1 and {_MAX_ID}, inclusive", "use 1 or more"
        )
    account = spec.get("serviceAccountName")
    if isinstance(account, str) and account:
        for detail in v.dns1123_subdomain(account):
            yield invalid(f"{path}.serviceAccountName", account, detail, "name an existing ServiceAccount")
    yield from _ids(as_dict(spec.get("securityContext")), f"{path}.securityContext", pod=True)


def _volumes(spec: dict, path: str) -> Iterator[Problem]:
    names: set[str] = set()
    for i, volume in enumerate(as_list(spec.get("volumes"))):
        volume = as_dict(volume)
        where = f"{path}.volumes[{i}]"
        name = volume.get("name")
        if not name:
            yield required(f"{where}.name", "name the volume")
        else:
            for detail in v.dns1123_label(str(name)):
                yield invalid(f"{where}.name", name, detail, f"use a DNS label such as {v.suggest_name(str(name))!r}")
            if name in names:
                yield duplicate(f"{where}.name", name, "give every volume its own name")
            names.add(name)
        sources = [s for s in _VOLUME_SOURCES if volume.get(s) is not None]
        if not sources:
            yield required(where, "add one volume source, e.g. emptyDir: {}", "must specify a volume type")
        elif len(sources) > 1:
            yield forbidden(
                f"{where}.{sources[1]}", "may not specify more than 1 volume type", f"keep only {sources[0]}"
            )
    return names


def _containers(spec: dict, path: str, volumes: set[str]) -> Iterator[Problem]:
    names: set[str] = set()
    host_ports: set[str] = set()
    for where, container in containers(spec, path):
        name = container.get("name")
        if not name:
            yield required(f"{where}.name", "name the container")
        else:
            for detail in v.dns1123_label(str(name)):
                yield invalid(f"{where}.name", name, detail, f"use a DNS label such as {v.suggest_name(str(name))!r}")
            if name in names:
                yield duplicate(f"{where}.name", name, "give every container (init ones included) its own name")
            names.add(name)
        if not container.get("image"):
            yield required(f"{where}.image", "set the container image")
        pull = container.get("imagePullPolicy")
        if pull is not None and pull not in ("Always", "IfNotPresent", "Never"):
            yield unsupported(f"{where}.imagePullPolicy", pull, ("Always", "IfNotPresent", "Never"))
        yield from _ports(container, where, host_ports)
        yield from _env(container, where)
        yield from _mounts(container, where, volumes)
        for probe in _PROBES:
            if container.get(probe) is not None:
                yield from _probe(as_dict(container[probe]), f"{where}.{probe}", probe)
        yield from _ids(as_dict(container.get("securityContext")), f"{where}.securityContext", pod=False)


def _ports(container: dict, where: str, host_ports: set[str]) -> Iterator[Problem]:
    names: set[str] = set()  # unique within one container only
    for i, port in enumerate(as_list(container.get("ports"))):
        port, at = as_dict(port), f"{where}.ports[{i}]"
        name = port.get("name")
        if name:
            for detail in v.port_name(str(name)):
                yield invalid(f"{at}.name", name, detail, "use at most 15 lower-case letters, digits and '-'")
            if name in names:
                yield duplicate(f"{at}.name", name, "give every port of the container its own name")
            names.add(name)
        number = port.get("containerPort")
        if not number:
            yield required(f"{at}.containerPort", "set the port the container listens on")
        elif is_int(number):
            for detail in v.port_number(number):
                yield invalid(f"{at}.containerPort", number, detail, "use a port from 1 to 65535")
        host = port.get("hostPort")
        if is_int(host) and host != 0:
            for detail in v.port_number(host):
                yield invalid(f"{at}.hostPort", host, detail, "use a port from 1 to 65535, or none")
        protocol = port.get("protocol", "TCP")
        if protocol not in ("SCTP", "TCP", "UDP"):
            yield unsupported(f"{at}.protocol", protocol, ("SCTP", "TCP", "UDP"))
        if is_int(host) and host:
            key = f"{protocol}/{port.get('hostIP', '')}/{host}"
            if key in host_ports:
                yield duplicate(f"{at}.hostPort", key, "one host port can be bound once per pod")
            host_ports.add(key)


def _env(container: dict, where: str) -> Iterator[Problem]:
    for i, entry in enumerate(as_list(container.get("env"))):
        entry, at = as_dict(entry), f"{where}.env[{i}]"
        name = entry.get("name")
        if not name:
            yield required(f"{at}.name", "name the variable")
        else:
            for detail in v.relaxed_env_var_name(str(name)):
                yield invalid(f"{at}.name", name, detail, "use printable ASCII without '='")
        source = as_dict(entry.get("valueFrom"))
        if entry.get("valueFrom") is not None:
            kinds = [k for k in ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef") if k in source]
            if entry.get("value"):
                yield invalid(
                    f"{at}.valueFrom", "", "may not be specified when `value` is not empty", "keep value or valueFrom"
                )
            if not kinds:
                yield invalid(
                    f"{at}.valueFrom",
                    "",
                    "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
                    "say where the value comes from",
                )
            elif len(kinds) > 1:
                yield invalid(
                    f"{at}.valueFrom", "", "may not have more than one field specified at a time", f"keep {kinds[0]}"
                )
            for ref in ("configMapKeyRef", "secretKeyRef"):
                key = as_dict(source.get(ref)).get("key")
                if ref in source and not key:
                    yield required(f"{at}.valueFrom.{ref}.key", "name the key to read")
                elif ref in source:
                    for detail in v.config_key(str(key)):
                        yield invalid(f"{at}.valueFrom.{ref}.key", key, detail, "use letters, digits, '-', '_', '.'")
    for i, entry in enumerate(as_list(container.get("envFrom"))):
        entry, at = as_dict(entry), f"{where}.envFrom[{i}]"
        refs = [r for r in ("configMapRef", "secretRef") if r in entry]
        if len(refs) != 1:
            yield invalid(
                at,
                "",
                "must specify one of: `configMapRef` or `secretRef`"
                if not refs
                else "may not have more than one field specified at a time",
                "use one envFrom entry per ConfigMap or Secret",
            )
        prefix = entry.get("prefix")
        if prefix:
            for detail in v.relaxed_env_var_name(str(prefix)):
                yield invalid(f"{at}.prefix", prefix, detail, "use printable ASCII without '='")


def _mounts(container: dict, where: str, volumes: set[str]) -> Iterator[Problem]:
    paths: set[str] = set()
    for i, mount in enumerate(as_list(container.get("volumeMounts"))):
        mount, at = as_dict(mount), f"{where}.volumeMounts[{i}]"
        name = mount.get("name")
        if not name:
            yield required(f"{at}.name", "name the volume to mount")
        elif name not in volumes:
            yield not_found(f"{at}.name", name, f"declare a volume named {name!r} in the pod's volumes")
        path = mount.get("mountPath")
        if not path:
            yield required(f"{at}.mountPath", "set where the volume is mounted")
        elif path in paths:
            yield invalid(f"{at}.mountPath", path, "must be unique", "mount each path once per container")
        paths.add(path)
        sub = mount.get("subPath")
        if isinstance(sub, str) and sub and (sub.startswith("/") or ".." in sub.split("/")):
            yield invalid(f"{at}.subPath", sub, "must be a relative path without '..'", "use a relative path")


def _probe(probe: dict, at: str, which: str) -> Iterator[Problem]:
    handlers = [h for h in _HANDLERS if probe.get(h) is not None]
    if not handlers:
        yield required(at, "add exec, httpGet, tcpSocket or grpc", "must specify a handler type")
    elif len(handlers) > 1:
        yield forbidden(f"{at}.{handlers[1]}", "may not specify more than 1 handler type", f"keep {handlers[0]}")
    for field in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
        value = probe.get(field)
        if is_int(value) and value < 0:
            yield invalid(f"{at}.{field}", value, "must be greater than or equal to 0", "use 0 or more")
    success = probe.get("successThreshold")
    if which != "readinessProbe" and is_int(success) and success != 1:
        yield invalid(f"{at}.successThreshold", success, "must be 1", "liveness and startup probes succeed once")


def _ids(context: dict, at: str, pod: bool) -> Iterator[Problem]:
    for field in ("runAsUser", "runAsGroup", *(("fsGroup",) if pod else ())):
        value = context.get(field)
        if is_int(value) and not 0 <= value <= _MAX_ID:
            yield invalid(f"{at}.{field}", value, f"must be between 0 and {_MAX_ID}, inclusive", "use 0 or more")
