"""An Application pointing at a path that is missing or does not build fails only in Argo CD."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from gitops.core.findings import ERROR, Finding
from gitops.core.kustomize import RenderError
from gitops.validate.policy.applications import source_paths
from gitops.validate.policy.context import Overlay

ID = "app-source-path"
DESCRIPTION = "every Application source path exists in the repo and builds with the pinned kustomize"
SEVERITY = ERROR
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def check(overlay: Overlay) -> Iterable[Finding]:
    root: Path = overlay.context.root
    for app in overlay.of_kind("Application"):
        for field, path in source_paths(app):
            if not any((root / path / name).is_file() for name in KUSTOMIZATION_FILES):
                yield overlay.finding(
                    app,
                    field,
                    f"{path} has no kustomization in the repo",
                    "point it at an overlay directory that exists",
                )
                continue
            rendered = overlay.context.render(path)
            if isinstance(rendered, RenderError):
                yield overlay.finding(app, field, f"{path} does not build: {rendered.cause}", rendered.fix)
