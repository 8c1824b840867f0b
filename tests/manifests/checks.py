"""Checks over rendered documents. Each returns the messages a person would
read (empty when all is well), so tests can assert them exactly."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from .rendering import label

# Kinds that have no namespace; the overlays may create only their Namespace.
CLUSTER_SCOPED = {"Namespace"}


def _walk(node, path: str = "") -> Iterator[tuple[str, str, object]]:
    """Yield (path, key, value) for every mapping entry below node."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from _walk(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, f"{path}[{i}]")


def container_images(doc: dict) -> list[tuple[str, str]]:
    """(field path, image) for every container-like `image:` in a document."""
    return [(f"{p}.image", v) for p, k, v in _walk(doc) if k == "image" and isinstance(v, str)]


def unpinned_images(source: str, docs: Iterable[dict]) -> list[str]:
    messages = []
    for doc in docs:
        for path, image in container_images(doc):
            name, _, tag = image.rpartition(":")
            if "@" in image:
                problem = "is pinned by digest; pin a published tag (Renovate adds digests it can verify)"
            elif not name or "/" in tag:
                problem = "has no tag; pin a published tag"
            elif tag == "latest":
                problem = "uses `latest`; pin a published tag"
            else:
                continue
            messages.append(f"{source}: {label(doc)}: {path}: image {image!r} {problem}")
    return messages


def outside_namespace(source: str, docs: Iterable[dict], namespace: str) -> list[str]:
    messages = []
    for doc in docs:
        meta = doc["metadata"]
        if doc["kind"] in CLUSTER_SCOPED:
            if meta["name"] != namespace:
                messages.append(f"{source}: {label(doc)}: only the Namespace {namespace} may be created here")
        elif meta.get("namespace") != namespace:
            messages.append(
                f"{source}: {label(doc)}: namespace is {meta.get('namespace')!r}, expected {namespace!r}"
            )
    return messages


def unresolved_configmap_refs(source: str, docs: Iterable[dict]) -> list[str]:
    """Every configMapRef/configMapKeyRef/configMap volume names a ConfigMap in the render."""
    docs = list(docs)
    present = {d["metadata"]["name"] for d in docs if d["kind"] == "ConfigMap"}
    messages = []
    for doc in docs:
        for path, key, value in _walk(doc):
            if key in ("configMapRef", "configMapKeyRef", "configMap") and isinstance(value, dict):
                name = value.get("name")
                if name not in present:
                    messages.append(
                        f"{source}: {label(doc)}: {path}.{key}.name {name!r} is not a ConfigMap in this "
                        f"build (a generated name needs a kustomizeconfig nameReference entry)"
                    )
    return messages
