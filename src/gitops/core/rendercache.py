"""Renders kept on disk, keyed by everything kustomize could read: a warm `make validate` builds nothing twice.

The key is a sha256 over the kustomize binary (path, size, mtime), the build
options, the code that explains kustomize's errors, and the path and bytes of every file in every directory the render
visits (core.dependencies: the kustomization directories it walks, however a
file there is named or referenced) and of every file it names outside them.
Any edit there is a new key; an unchanged input set gives kustomize's own
earlier answer (its output, its warnings, or its error), byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from gitops.core import dependencies, kustomize_errors
from gitops.core.kustomize import BUILD_OPTIONS, Rendered, RenderError, build, kubectl_path, relative
from mlpipeline import yamlerrors
from mlpipeline.atomicfile import write_atomic

DIRECTORY = Path(".cache/renders")  # under the repo, git-ignored: the validator's and the runner's
FORMAT = "2"  # bump when what is stored changes (2: a render stopped by a signal is not kept)
# A stored error is kustomize's words as these modules explain them: a change to them is a new key.
EXPLAINERS = (Path(kustomize_errors.__file__), Path(yamlerrors.__file__))


def key(root: Path, directory: Path) -> str:
    digest = hashlib.sha256()
    binary = Path(kubectl_path()).stat()
    digest.update(f"{FORMAT}\0{kubectl_path()}\0{binary.st_size}\0{binary.st_mtime_ns}\0{BUILD_OPTIONS}".encode())
    for explainer in EXPLAINERS:
        digest.update(explainer.read_bytes())
    directories, named = dependencies.files(root, directory.relative_to(root))
    inputs = {f for d in directories for f in (root / d).iterdir() if f.is_file()} | {root / f for f in named}
    for file in sorted(inputs):
        digest.update(f"\0{file.relative_to(root)}\0".encode())
        digest.update(file.read_bytes() if file.is_file() else b"<missing>")
    return digest.hexdigest()


def build_cached(directory: Path, root: Path, cache: Path, strict: bool = False) -> Rendered:
    """`build(directory, root, strict)`, from `cache` when the same inputs were built before (the entry keeps
    the warnings, so a strict read of it raises as a strict build would)."""
    rendered = _cached(directory, root, cache)
    if strict and rendered.warnings:
        raise RenderError(rendered.source, *rendered.warnings[0])
    return rendered


def _cached(directory: Path, root: Path, cache: Path) -> Rendered:
    entry = cache / f"{key(root, directory)}.json"
    if entry.is_file():
        stored = json.loads(entry.read_text())
        if "error" in stored:
            raise RenderError(relative(directory, root), *stored["error"])
        return Rendered(relative(directory, root), stored["text"], tuple(tuple(w) for w in stored["warnings"]))
    try:
        rendered = build(directory, root, strict=False)
    except RenderError as err:
        if not err.lasting:
            raise
        write_atomic(entry, json.dumps({"error": [err.cause, err.fix]}))
        raise
    write_atomic(entry, json.dumps({"text": rendered.text, "warnings": [list(w) for w in rendered.warnings]}))
    return rendered
