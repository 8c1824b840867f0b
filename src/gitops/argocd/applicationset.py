"""The Applications an ApplicationSet generates, computed offline from the repo, as Argo CD would.

Follows argoproj/argo-cd v3.5.1: the git directories generator
(applicationset/generators/git.go; directories from
reposerver/repository/repository.go GetGitDirectories: every directory, hidden
ones skipped, exclude patterns win), list elements passed as they are with
goTemplate (generators/list.go), a matrix whose second generator is templated
with each parameter set of the first and whose first set wins on conflicts
(generators/matrix.go), the template rendered string by string
(applicationset/utils), templatePatch applied as a merge patch with
spec.project kept (controllers/template/patch.go), metadata.namespace forced
to the ApplicationSet's, and the resources finalizer added when the template
has none (utils.go). Only goTemplate with missingkey=error is modelled; the
repo's ApplicationSets are written that way, and anything else is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from gitops.argocd import gotemplate, pathmatch

FINALIZER = "resources-finalizer.argocd.argoproj.io"


class ExpansionError(Exception):
    """The ApplicationSet cannot be expanded offline; `path` is the field, the message says why."""

    def __init__(self, path: str, message: str, fix: str):
        super().__init__(f"{path}: {message}")
        self.path, self.message, self.fix = path, message, fix


def expand(appset: dict[str, Any], repo: Path) -> list[dict[str, Any]]:
    """The Application objects `appset` generates from the working tree of `repo`."""
    spec = _dict(appset.get("spec"))
    if spec.get("goTemplate") is not True or "missingkey=error" not in (spec.get("goTemplateOptions") or []):
        raise ExpansionError(
            "spec.goTemplate",
            "only goTemplate: true with goTemplateOptions [missingkey=error] is expanded offline",
            "set both, so a misspelt parameter fails instead of rendering <no value>",
        )
    params = [
        p for i, g in enumerate(spec.get("generators") or []) for p in _generate(g, f"spec.generators[{i}]", repo)
    ]
    meta = _dict(appset.get("metadata"))
    apps = [_application(spec, p, str(meta.get("namespace") or "")) for p in params]
    seen: set[str] = set()
    for app in apps:
        name = app["metadata"].get("name")
        if name in seen:
            raise ExpansionError(
                "spec.template.metadata.name", f"generates two Applications named {name}", "make the name unique"
            )
        seen.add(name)
    return apps


def _generate(generator: Any, path: str, repo: Path, outer: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    generator = _dict(generator)
    if outer is not None:  # a matrix's second child sees the first child's parameters
        generator = _render_all(generator, outer, path)
    if "list" in generator:
        return [dict(_dict(e)) for e in _dict(generator["list"]).get("elements") or []]
    if "git" in generator:
        return _directories(_dict(generator["git"]), f"{path}.git", repo)
    if "matrix" in generator:
        children = _dict(generator["matrix"]).get("generators") or []
        if len(children) != 2:
            raise ExpansionError(f"{path}.matrix.generators", "a matrix takes exactly two generators", "give it two")
        out = []
        for first in _generate(children[0], f"{path}.matrix.generators[0]", repo):
            for second in _generate(children[1], f"{path}.matrix.generators[1]", repo, outer=first):
                out.append({**second, **first})
        return out
    kinds = ", ".join(sorted(generator)) or "nothing"
    raise ExpansionError(path, f"generator {kinds} is not modelled offline", "use list, git directories or matrix")


def _directories(git: dict[str, Any], path: str, repo: Path) -> list[dict[str, Any]]:
    entries = [_dict(d) for d in git.get("directories") or []]
    if not entries or git.get("files"):
        raise ExpansionError(path, "only the git directories generator is modelled offline", "use directories:")
    include = [str(d.get("path", "")) for d in entries if d.get("exclude") is not True]
    exclude = [str(d.get("path", "")) for d in entries if d.get("exclude") is True]
    found = []
    for directory in _walk(repo, [*include, *exclude]):
        if any(pathmatch.match(p, directory) for p in include) and not any(
            pathmatch.match(p, directory) for p in exclude
        ):
            found.append(directory)
    return [_path_params(d) for d in sorted(found)]


def _walk(root: Path, patterns: list[str], prefix: str = "") -> Iterator[str]:
    """The checkout's directories a pattern could match, repo-relative; hidden ones (and below) skipped.

    Argo CD lists every directory; a path.Match pattern has a fixed depth, so
    only the directories whose leading segments match some pattern are visited.
    """
    depth = prefix.count("/") + 1 if prefix else 0
    for child in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        name = f"{prefix}/{child.name}" if prefix else child.name
        if not any(_could_match(p, name, depth) for p in patterns):
            continue
        yield name
        yield from _walk(child, patterns, name)


def _could_match(pattern: str, path: str, depth: int) -> bool:
    parts = pattern.split("/")
    return len(parts) > depth and pathmatch.match("/".join(parts[: depth + 1]), path)


def _path_params(directory: str) -> dict[str, Any]:
    basename = directory.rsplit("/", 1)[-1]
    normalized = "".join(c if c.isalnum() or c in "-." else "-" for c in basename.lower()).strip("-.")
    return {
        "path": {
            "path": directory,
            "basename": basename,
            "basenameNormalized": normalized,
            "segments": directory.split("/"),
        }
    }


def _application(spec: dict[str, Any], params: dict[str, Any], namespace: str) -> dict[str, Any]:
    template = _render_all(_dict(spec.get("template")), params, "spec.template")
    app = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", **template}
    if spec.get("templatePatch"):
        try:
            patch = yaml.safe_load(gotemplate.render(str(spec["templatePatch"]), params)) or {}
        except gotemplate.TemplateError as err:
            raise ExpansionError("spec.templatePatch", str(err), err.fix) from None
        except yaml.YAMLError as err:
            raise ExpansionError("spec.templatePatch", f"renders to invalid YAML: {err}", "fix the patch") from None
        project = _dict(app.get("spec")).get("project")
        app = _merged(app, _dict(patch))
        app["spec"] = {**_dict(app.get("spec")), "project": project}  # a patch never moves the project
    metadata = dict(_dict(app.get("metadata")))
    metadata["namespace"] = namespace
    preserve = _dict(spec.get("syncPolicy")).get("preserveResourcesOnDeletion") is True
    if not metadata.get("finalizers") and not preserve:
        metadata["finalizers"] = [FINALIZER]
    app["metadata"] = metadata
    return app


def _render_all(value: Any, params: dict[str, Any], path: str) -> Any:
    if isinstance(value, str):
        try:
            return gotemplate.render(value, params)
        except gotemplate.TemplateError as err:
            raise ExpansionError(path, str(err), err.fix) from None
    if isinstance(value, dict):
        return {k: _render_all(v, params, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_render_all(v, params, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def _merged(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in patch.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
