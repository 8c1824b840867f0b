"""Pod Security `restricted` for every container the repo defines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list
from gitops.validate.policy.pods import containers

ID = "pod-security"
DESCRIPTION = "every container is non-root, read-only, unprivileged, drops ALL capabilities, RuntimeDefault seccomp"
SEVERITY = ERROR


def effective(sc: dict, psc: dict, key: str):
    """Container-level setting, else the pod's: the kubelet's precedence."""
    return sc[key] if key in sc else psc.get(key)


def problems(sc: dict, psc: dict) -> Iterator[tuple[str, str, str]]:
    """(securityContext field, message, fix) for each restricted-profile control a container misses."""
    if effective(sc, psc, "runAsNonRoot") is not True:
        yield "runAsNonRoot", "may run as root", "set runAsNonRoot: true (pod or container securityContext)"
    if effective(sc, psc, "runAsUser") == 0:
        yield "runAsUser", "runs as UID 0", "use a non-zero runAsUser"
    if sc.get("privileged") is True:
        yield "privileged", "is privileged", "remove privileged: true"
    if sc.get("allowPrivilegeEscalation") is not False:
        yield "allowPrivilegeEscalation", "allows privilege escalation", "set allowPrivilegeEscalation: false"
    caps = as_dict(sc.get("capabilities"))
    if "ALL" not in as_list(caps.get("drop")):
        yield "capabilities.drop", "does not drop ALL capabilities", "set capabilities.drop: [ALL]"
    added = [str(cap) for cap in as_list(caps.get("add")) if cap != "NET_BIND_SERVICE"]
    if added:
        yield "capabilities.add", f"adds {', '.join(added)}", "add no capability except NET_BIND_SERVICE"
    seccomp = as_dict(effective(sc, psc, "seccompProfile")).get("type")
    if seccomp not in ("RuntimeDefault", "Localhost"):
        yield (
            "seccompProfile.type",
            f"seccomp profile is {seccomp or 'unset'}",
            "set seccompProfile.type: RuntimeDefault",
        )
    if sc.get("readOnlyRootFilesystem") is not True:
        yield (
            "readOnlyRootFilesystem",
            "root filesystem is writable",
            "set readOnlyRootFilesystem: true and mount an emptyDir at /tmp",
        )


def check(overlay: Overlay) -> Iterable[Finding]:
    for pod, c in containers(overlay.docs):
        sc, psc = as_dict(c.body.get("securityContext")), as_dict(pod.spec.get("securityContext"))
        for field, message, fix in problems(sc, psc):
            yield overlay.finding(pod.doc, f"{c.path}.securityContext.{field}", message, fix)
