"""The kustomization files a render reads, and what kustomize v5.8.1 matches their entries against.

kustomize applies an entry of a kustomization (a Component's included) to the
objects accumulated when that kustomization's transformers run: its own
resources and bases, its generators, the Components listed before it and, for a
Component, what its parent accumulated. This module does not replay that order.
It answers "can this entry match anything?" against a superset of those objects:
every object of the final render, and every object as written in the resource
files (and generators) of the render's kustomizations. An entry that matches
nothing in the superset matches nothing in kustomize either, so a rule built on
it reports only certain no-ops (and misses an entry that only an object added
later would match).

Selectors: api/types/selector.go (anchored regexes on group, version, kind, name,
namespace), matched against current and previous ids (api/internal/utils/makeResIds.go).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from gitops.core import dependencies
from gitops.validate.policy.fields import as_dict, as_list

FILES = dependencies.KUSTOMIZATION_FILES


@dataclass(frozen=True)
class Kustomization:
    directory: str  # repo-relative
    file: str  # repo-relative path of the kustomization file
    data: dict


@dataclass(frozen=True)
class Obj:
    """One object kustomize may hold: its id, labels and annotations, and its body."""

    group: str
    version: str
    kind: str
    name: str
    namespace: str
    body: dict
    written: bool  # as written in a resource file (its id is an original id), not as rendered

    @property
    def labels(self) -> dict:
        return as_dict(as_dict(self.body.get("metadata")).get("labels"))

    @property
    def annotations(self) -> dict:
        return as_dict(as_dict(self.body.get("metadata")).get("annotations"))


@lru_cache(maxsize=1024)
def _yaml(path: str, _mtime_ns: int) -> tuple[Any, ...]:
    try:
        return tuple(yaml.load_all(Path(path).read_text(), Loader=yaml.CSafeLoader))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return ()


def load(path: Path) -> list[Any]:
    """The YAML documents of a file (cached while the file is unchanged); [] when unreadable."""
    try:
        return list(_yaml(str(path), path.stat().st_mtime_ns))
    except OSError:
        return []


def _kustomization(root: Path, directory: Path) -> Kustomization | None:
    file = next((directory / n for n in FILES if (root / directory / n).is_file()), None)
    if file is None:
        return None
    docs = load(root / file)
    return Kustomization(str(directory), str(file), docs[0] if docs and isinstance(docs[0], dict) else {})


def tree(root: Path, source: str) -> list[Kustomization]:
    """Every kustomization the render of `source` reads (itself, its bases and components), by path."""
    root = root.resolve()
    found: dict[Path, Kustomization] = {}
    todo = [Path(source)]
    while todo:
        directory = todo.pop()
        if directory in found or (k := _kustomization(root, directory)) is None:
            continue
        found[directory] = k
        for entry in [*as_list(k.data.get("resources")), *as_list(k.data.get("components"))]:
            target = (root / directory / str(entry)).resolve()
            if "://" not in str(entry) and target.is_dir() and target.is_relative_to(root):
                todo.append(target.relative_to(root))
    return [found[d] for d in sorted(found)]


def obj(body: dict, written: bool) -> Obj:
    group, _, version = str(body.get("apiVersion") or "").rpartition("/")
    meta = as_dict(body.get("metadata"))
    name, namespace = str(meta.get("name") or ""), str(meta.get("namespace") or "")
    return Obj(group, version, str(body.get("kind") or ""), name, namespace, body, written)


def written_objects(root: Path, k: Kustomization, generated: bool = True) -> Iterator[Obj]:
    """The objects of k's resource files, and (unless not `generated`) the ConfigMaps and Secrets
    its generators create."""
    for entry in as_list(k.data.get("resources")):
        path = root / k.directory / str(entry)
        if "://" not in str(entry) and path.is_file():
            yield from (obj(doc, True) for doc in load(path) if isinstance(doc, dict))
    if not generated:
        return
    for field, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
        for gen in map(as_dict, as_list(k.data.get(field))):
            meta = {"name": gen.get("name"), "namespace": gen.get("namespace")}
            yield obj({"apiVersion": "v1", "kind": kind, "metadata": meta}, True)


def universe(root: Path, renders: Iterable[list[dict]], trees: Iterable[list[Kustomization]]) -> list[Obj]:
    """The superset an entry is matched against: rendered objects and written ones."""
    out = [obj(body, False) for rendered in renders for body in rendered if isinstance(body, dict)]
    seen: set[str] = set()
    for ks in trees:
        for k in ks:
            if k.directory not in seen:
                seen.add(k.directory)
                out += written_objects(root, k)
    return out


def _anchored(pattern: Any) -> re.Pattern | None:
    try:
        return re.compile(f"^(?:{pattern})$")
    except re.error:
        return None


def selects(selector: dict, o: Obj) -> bool:
    """api/types/selector.go SelectorRegex: every non-empty field is an anchored regex on the id."""
    for key, value in (
        ("group", o.group),
        ("version", o.version),
        ("kind", o.kind),
        ("name", o.name),
        ("namespace", o.namespace),
    ):
        wanted = selector.get(key)
        if wanted not in (None, ""):
            pattern = _anchored(wanted)
            if pattern is None or not pattern.match(value):
                return False
    return _label_selector(selector.get("labelSelector"), o.labels) and _label_selector(
        selector.get("annotationSelector"), o.annotations
    )


def _label_selector(text: Any, values: dict) -> bool:
    """A Kubernetes label selector string (k8s.io/apimachinery labels.Parse): k=v, k!=v, k, !k, k in (a,b)."""
    if not text:
        return True
    for term in re.split(r",(?![^(]*\))", str(text)):
        term = term.strip()
        if m := re.fullmatch(r"(\S+?)\s+(in|notin)\s+\((.*)\)", term):
            key, op, options = m.group(1), m.group(2), {x.strip() for x in m.group(3).split(",")}
            if (str(values.get(key)) in options and key in values) != (op == "in"):
                return False
        elif m := re.fullmatch(r"(\S+?)\s*(==|!=|=)\s*(\S*)", term):
            key, op, value = m.groups()
            if (str(values.get(key)) == value and key in values) != (op != "!="):
                return False
        elif term.startswith("!"):
            if term[1:].strip() in values:
                return False
        elif term not in values:
            return False
    return True
