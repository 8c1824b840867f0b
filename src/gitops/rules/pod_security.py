"""Pod Security `restricted` for every container the repo defines."""
from __future__ import annotations

from typing import Iterable

from gitops.findings import ERROR, Finding
from gitops.rules.fields import as_dict, as_list
from gitops.rules.overlay import Overlay
from gitops.rules.pods import containers

ID = "pod-security"
DESCRIPTION = "every container is non-root, read-only, unprivileged, drops ALL capabilities, RuntimeDefault seccomp"
SEVERITY = ERROR


def check(overlay: Overlay) -> Iterable[Finding]:
    for pod, c in containers(overlay.docs):
        psc = as_dict(pod.spec.get("securityContext"))
        sc = as_dict(c.body.get("securityContext"))
        here = f"{c.path}.securityContext"

        def both(key):  # container-level wins over pod-level, as in the kubelet
            return sc[key] if key in sc else psc.get(key)

        if both("runAsNonRoot") is not True:
            yield overlay.finding(pod.doc, f"{here}.runAsNonRoot", "may run as root", "set runAsNonRoot: true (pod or container securityContext)")
        if both("runAsUser") == 0:
            yield overlay.finding(pod.doc, f"{here}.runAsUser", "runs as UID 0", "use a non-zero runAsUser")
        if sc.get("privileged") is True:
            yield overlay.finding(pod.doc, f"{here}.privileged", "is privileged", "remove privileged: true")
        if sc.get("allowPrivilegeEscalation") is not False:
            yield overlay.finding(pod.doc, f"{here}.allowPrivilegeEscalation", "allows privilege escalation", "set allowPrivilegeEscalation: false")
        caps = as_dict(sc.get("capabilities"))
        if "ALL" not in as_list(caps.get("drop")):
            yield overlay.finding(pod.doc, f"{here}.capabilities.drop", "does not drop ALL capabilities", "set capabilities.drop: [ALL]")
        added = [cap for cap in as_list(caps.get("add")) if cap != "NET_BIND_SERVICE"]
        if added:
            yield overlay.finding(pod.doc, f"{here}.capabilities.add", f"adds {', '.join(map(str, added))}", "add no capability except NET_BIND_SERVICE")
        seccomp = as_dict(both("seccompProfile")).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            yield overlay.finding(pod.doc, f"{here}.seccompProfile.type", f"seccomp profile is {seccomp or 'unset'}", "set seccompProfile.type: RuntimeDefault")
        if sc.get("readOnlyRootFilesystem") is not True:
            yield overlay.finding(pod.doc, f"{here}.readOnlyRootFilesystem", "root filesystem is writable", "set readOnlyRootFilesystem: true and mount an emptyDir at /tmp")
