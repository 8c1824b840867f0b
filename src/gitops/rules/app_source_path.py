"""An Application pointing at a path that is missing or does not build fails only in Argo CD."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from gitops.documents import Document
from gitops.findings import ERROR, Finding
from gitops.render import RenderError
from gitops.rules.fields import as_dict, as_list
from gitops.rules.overlay import Overlay

ID = "app-source-path"
DESCRIPTION = "every Application source path exists in the repo and builds with the pinned kustomize"
SEVERITY = ERROR
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def source_paths(app: Document) -> Iterator[tuple[str, str]]:
    """(field path, repo path) of every git path source; Helm chart sources have no path here."""
    spec = as_dict(app.body.get("spec"))
    if "source" in spec:
        src = as_dict(spec["source"])
        if src.get("path") and not src.get("chart"):
            yield "spec.source.path", str(src["path"]).strip("/")
    for i, src in enumerate(as_list(spec.get("sources"))):
        src = as_dict(src)
        if src.get("path") and not src.get("chart"):
            yield f"spec.sources[{i}].path", str(src["path"]).strip("/")


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
