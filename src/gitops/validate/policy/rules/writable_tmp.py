"""A read-only root still needs somewhere to write: an emptyDir at /tmp, and HOME pointing at it."""

# Python tooling (pip caches, matplotlib, MLflow, MLServer's metrics) writes
# under $HOME or /tmp; with readOnlyRootFilesystem both must be the emptyDir,
# or the container fails at its first write instead of at review.

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list
from gitops.validate.policy.pods import containers

ID = "writable-tmp"
DESCRIPTION = "every container with a read-only root mounts an emptyDir at /tmp and sets HOME=/tmp"
SEVERITY = ERROR


def check(overlay: Overlay) -> Iterable[Finding]:
    for pod, c in containers(overlay.docs):
        if as_dict(c.body.get("securityContext")).get("readOnlyRootFilesystem") is not True:
            continue  # pod-security reports the writable root
        empty_dirs = {str(as_dict(v).get("name")) for _, v in pod.volumes if "emptyDir" in as_dict(v)}
        tmp = [as_dict(m) for m in as_list(c.body.get("volumeMounts")) if as_dict(m).get("mountPath") == "/tmp"]
        if not tmp or str(tmp[0].get("name")) not in empty_dirs:
            yield overlay.finding(
                pod.doc,
                f"{c.path}.volumeMounts",
                "read-only root but no emptyDir mounted at /tmp",
                "add an emptyDir volume and mount it at /tmp",
            )
        home = [as_dict(e) for e in as_list(c.body.get("env")) if as_dict(e).get("name") == "HOME"]
        if not home or home[0].get("value") != "/tmp":
            yield overlay.finding(
                pod.doc,
                f"{c.path}.env",
                "read-only root but HOME is not /tmp",
                "set env HOME=/tmp, so tools that write under ~ write to the emptyDir",
            )
