"""Images pinned by a published tag or digest: `latest` or no tag makes a render mean nothing."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import templated
from gitops.validate.policy.pods import containers

ID = "image-pinned"
DESCRIPTION = "every image has a tag other than latest (or a digest)"
SEVERITY = ERROR


def tag_of(image: str) -> str | None:
    """The tag, "" for a digest-only pin, None when there is neither."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]  # a registry port (host:5000/x) is not a tag
    if ":" in last:
        return last.split(":", 1)[1]
    return "" if digest else None


def check(overlay: Overlay) -> Iterable[Finding]:
    for pod, c in containers(overlay.docs):
        image = c.body.get("image")
        if not isinstance(image, str) or templated(image):
            continue  # the runtime picks it (KServe model) or Argo fills it in
        tag = tag_of(image)
        if tag is None:
            yield overlay.finding(
                pod.doc,
                f"{c.path}.image",
                f"image {image} has no tag",
                "pin a published tag (kustomize `images:` in the overlay)",
            )
        elif tag == "latest":
            yield overlay.finding(
                pod.doc, f"{c.path}.image", f"image {image} uses the tag latest", "pin a published version tag"
            )
