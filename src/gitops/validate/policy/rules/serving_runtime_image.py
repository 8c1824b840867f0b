"""A predictor runs its runtime's image as a user that image allows, and its writable paths are emptyDirs."""

# The stock MLServer image owns /opt/mlserver as 1000:0 mode 776 and creates its
# metrics and environments directories there at start: under the pods' usual
# runAsUser 10001 and a read-only root it cannot start. What an image needs is a
# reviewed fact (policy/serving-images.yaml); this holds every predictor to it.

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import kserve
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list
from gitops.validate.policy.images import SERVING_IMAGES_FILE, RecordError, repository, serving_images

ID = "serving-runtime-image"
DESCRIPTION = "a predictor runs its image as a user the image allows and writes only to emptyDir mounts"
SEVERITY = ERROR


def _ids(pod: kserve.PredictorPod, container: dict, default_user: int) -> tuple[int, set[int]]:
    """The uid and the gids the container's process gets (the image's USER when the pod sets none)."""
    pod_sc, sc = as_dict(pod.spec.get("securityContext")), as_dict(container.get("securityContext"))
    uid = sc.get("runAsUser", pod_sc.get("runAsUser", default_user))
    gid = sc.get("runAsGroup", pod_sc.get("runAsGroup"))
    extra = [g for g in as_list(pod_sc.get("supplementalGroups"))] + [pod_sc.get("fsGroup")]
    return uid, {g for g in [gid, *extra] if isinstance(g, int)}


def _under(path: str, mount: str) -> bool:
    path, mount = posixpath.normpath(path), posixpath.normpath(mount)
    return path == mount or path.startswith(mount.rstrip("/") + "/")


def check(overlay: Overlay) -> Iterable[Finding]:
    pods = list(kserve.predictor_pods(overlay.docs))
    if not pods:
        return
    try:
        record = serving_images(overlay.context.root)
    except RecordError as err:
        yield overlay.finding(None, "", str(err), f"fix {SERVING_IMAGES_FILE}")
        return
    for pod in pods:
        if pod.runtime is None:
            continue  # inferenceservice-runtime reports a missing runtime
        main = pod.container(kserve.CONTAINER)
        image = str(main.get("image") or "")
        where = f"spec.predictor.model (runtime {pod.runtime.name} image {image})"
        needs = record.get(repository(image)) if image else None
        if needs is None:
            yield overlay.finding(
                pod.isvc,
                where,
                f"image {image or '(none)'} has no entry in {SERVING_IMAGES_FILE}",
                "record the user it runs as and the paths it writes, from its Dockerfile",
            )
            continue
        uid, gids = _ids(pod, main, needs.user)
        if not needs.any_user and uid != needs.user and needs.group not in gids:
            yield overlay.finding(
                pod.isvc,
                where,
                f"runs as uid {uid} (groups {', '.join(map(str, sorted(gids))) or 'none'}) but {needs.image} "
                f"needs uid {needs.user} or group {needs.group}: {needs.why}",
                f"serve with an image that allows any user ({SERVING_IMAGES_FILE}), or run as that user or group",
            )
        if as_dict(main.get("securityContext")).get("readOnlyRootFilesystem") is not True:
            continue  # pod-security reports the writable root
        volumes = {str(as_dict(v).get("name")): as_dict(v) for v in as_list(pod.spec.get("volumes"))}
        mounts = [
            str(as_dict(m).get("mountPath"))
            for m in as_list(main.get("volumeMounts"))
            if "emptyDir" in volumes.get(str(as_dict(m).get("name")), {})
        ]
        env = {str(as_dict(e).get("name")): as_dict(e).get("value") for e in as_list(main.get("env"))}
        for write in needs.writes:
            path = str(env.get(write.env) or write.path) if write.env else write.path
            if not any(_under(path, mount) for mount in mounts):
                moved = f" ({write.env})" if write.env else ""
                yield overlay.finding(
                    pod.isvc,
                    where,
                    f"read-only root, but {needs.image} writes {path}{moved}, under no emptyDir mount",
                    f"set {write.env} under a mounted emptyDir such as /tmp"
                    if write.env
                    else "mount an emptyDir there",
                )
