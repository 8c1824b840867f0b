"""Argo CD Application shapes the Application rules share."""

from __future__ import annotations

from collections.abc import Iterator

from gitops.core.documents import Document
from gitops.validate.policy.fields import as_dict, as_list


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
