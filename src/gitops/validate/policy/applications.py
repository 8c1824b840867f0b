"""Argo CD Application shapes the Application rules share."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

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


def sources(app: Document) -> Iterator[tuple[str, dict]]:
    """(field path, source) of every source, Helm and git alike: spec.source, spec.sources[i]."""
    spec = as_dict(app.body.get("spec"))
    if isinstance(spec.get("source"), dict):
        yield "spec.source", spec["source"]
    for i, src in enumerate(as_list(spec.get("sources"))):
        if isinstance(src, dict):
            yield f"spec.sources[{i}]", src


def project_name(app: Document) -> str:
    """pkg/apis/application/v1alpha1/types.go GetProject: an empty project is `default`."""
    return str(as_dict(app.body.get("spec")).get("project") or "default")


def projects(docs: Iterable[Document]) -> dict[str, Document]:
    """The rendered AppProjects by name."""
    return {d.name: d for d in docs if d.kind == "AppProject"}


def applications(docs: Iterable[Document]) -> list[Document]:
    return [d for d in docs if d.kind == "Application" and d.group == "argoproj.io"]
