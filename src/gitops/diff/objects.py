"""Semantic diff of two renders: which objects were added, removed or changed, and where.

Objects are matched by identity (group, kind, namespace, name), or without
the namespace when two environments are compared (each has its own). Changes
are reported per field path with old and new values, never as text lines,
so a reordered map or a re-hashed generator name is not a change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from gitops.core.documents import Document
from gitops.core.kustomize import Rendered
from gitops.diff import hashsuffix

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


class _Missing:
    """A field that does not exist on one side (not the same as `null`)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class DiffError(Exception):
    """The renders cannot be compared; the message says which object and why."""


@dataclass(frozen=True, order=True)
class ObjectKey:
    group: str
    kind: str
    namespace: str | None  # None: namespaces were not compared
    name: str

    @property
    def label(self) -> str:
        """`Kind[.group]/[namespace/]name`, e.g. `Deployment.apps/iris-dev/iris`."""
        kind = f"{self.kind}.{self.group}" if self.group else self.kind
        return "/".join(part for part in (kind, self.namespace, self.name) if part)


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any  # MISSING when the field was added
    new: Any  # MISSING when the field was removed


@dataclass(frozen=True)
class ObjectChange:
    key: ObjectKey
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class RenderDiff:
    left: str
    right: str
    added: tuple[ObjectKey, ...] = ()
    removed: tuple[ObjectKey, ...] = ()
    changed: tuple[ObjectChange, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_renders(left: Rendered, right: Rendered, compare_namespace: bool = True) -> RenderDiff:
    """What changes when `left` is replaced by `right`."""
    old = _objects(left, compare_namespace)
    new = _objects(right, compare_namespace)
    changed = []
    for key in sorted(old.keys() & new.keys()):
        fields: list[FieldChange] = []
        _walk("", old[key], new[key], fields)
        if fields:
            changed.append(ObjectChange(key, tuple(fields)))
    return RenderDiff(
        left=left.source,
        right=right.source,
        added=tuple(sorted(new.keys() - old.keys())),
        removed=tuple(sorted(old.keys() - new.keys())),
        changed=tuple(changed),
    )


def _objects(rendered: Rendered, compare_namespace: bool) -> dict[ObjectKey, dict[str, Any]]:
    bodies = [body for body in yaml.load_all(rendered.text, Loader=_Loader) if isinstance(body, dict)]
    objects: dict[ObjectKey, dict[str, Any]] = {}
    for index, body in enumerate(hashsuffix.normalise(bodies)):
        doc = Document(rendered.source, index, body)
        key = ObjectKey(doc.group, doc.kind, doc.namespace if compare_namespace else None, doc.name)
        if not compare_namespace:
            # Each environment has its own namespace; that difference is the point, not a change.
            body = {**body, "metadata": {k: v for k, v in doc.metadata.items() if k != "namespace"}}
        if key in objects:
            raise DiffError(
                f"{rendered.source}: {key.label} appears twice once namespaces are ignored "
                f"(fix: compare the overlay against a git ref instead, which keeps namespaces)"
            )
        objects[key] = body
    return objects


def _walk(path: str, old: Any, new: Any, out: list[FieldChange]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys(), key=str):
            _walk(_child(path, key), old.get(key, MISSING), new.get(key, MISSING), out)
    elif isinstance(old, list) and isinstance(new, list) and _named(old) and _named(new):
        # Containers, env, volumes, ports: matched by name, so inserting one
        # entry does not show every later entry as changed.
        old_by, new_by = {i["name"]: i for i in old}, {i["name"]: i for i in new}
        for name in [*old_by, *(n for n in new_by if n not in old_by)]:
            _walk(f"{path}[name={name}]", old_by.get(name, MISSING), new_by.get(name, MISSING), out)
    elif isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            _walk(
                f"{path}[{index}]",
                old[index] if index < len(old) else MISSING,
                new[index] if index < len(new) else MISSING,
                out,
            )
    else:
        out.append(FieldChange(path, old, new))


def _named(items: list[Any]) -> bool:
    names = [item.get("name") for item in items if isinstance(item, dict)]
    return (
        bool(items)
        and len(names) == len(items)
        and all(isinstance(n, str) for n in names)
        and len(set(names)) == len(names)
    )


def _child(path: str, key: Any) -> str:
    key = str(key)
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}" if path else key
    return f'{path}["{key}"]'
