"""Each kustomization rendered at most once per run, shared by every reader.

The validator renders every kustomization through one Renders; the rules
that follow an Application to its source path read the same object, so no
path is built twice and nothing is pushed into anyone's cache afterwards.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from gitops.core import rendercache, variants, yamlio
from gitops.core.kustomize import Rendered, RenderError, build, relative


class Renders:
    """Renders of repo-relative kustomization paths, built on first request (thread-safe)."""

    def __init__(self, root: Path, cache: Path | None = None):
        self.root = root.resolve()
        self.cache = cache  # renders on disk, content-addressed (core.rendercache); None: always build
        self._results: dict[str, Rendered | RenderError] = {}
        self._objects: dict[str, list[dict[str, Any]]] = {}
        self._keys: dict[str, str] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def source(self, directory: Path) -> str:
        """The repo-relative name every message uses for `directory`."""
        return relative(directory, self.root)

    def get(self, path: str) -> Rendered | RenderError:
        """The render of `path` (warnings kept, not raised), or why it failed."""
        with self._guard:
            lock = self._locks.setdefault(path, threading.Lock())
        with lock:
            if path not in self._results:
                try:
                    if self.cache is None:
                        self._results[path] = build(self.root / path, self.root, strict=False)
                    else:
                        self._results[path] = rendercache.build_cached(self.root / path, self.root, self.cache)
                except RenderError as err:
                    self._results[path] = err
            return self._results[path]

    def objects(self, path: str) -> list[dict[str, Any]] | RenderError:
        """The parsed objects of `path`; a render that warned counts as failed, as Argo CD's would."""
        result = self.get(path)
        if isinstance(result, RenderError):
            return result
        if result.warnings:
            message, fix = result.warnings[0]
            return RenderError(result.source, message, fix)
        if path not in self._objects:
            bodies, _ = yamlio.load_documents(result.text)
            self._objects[path] = [b for b in bodies if isinstance(b, dict)]
        return self._objects[path]

    def without(self, path: str, file: str, field: str, index: int) -> str | None:
        """The render of `path` with entry `index` of `field` left out of kustomization `file` (both
        repo-relative), or None when kustomize refuses it; cached like every render."""
        with self._guard:
            if path not in self._keys:  # one run reads each input once
                self._keys[path] = rendercache.key(self.root, self.root / path)
            base = self._keys[path]
        return variants.render_without(self.root, self.root / path, base, Path(file), field, index, self.cache)
