"""What Argo CD's repo-server does to a kustomize source before it builds it, offline.

Follows argoproj/argo-cd v3.5.1:
- the build environment: reposerver/repository/repository.go newEnv, given the
  resolved commit (GenerateManifests is called with commitSHA) and the
  Application's name (InstanceName: the plain name in the controller's
  namespace), destination namespace (controller/state.go) and source;
- `$VAR`/`${VAR}` substitution: pkg/apis/application/v1alpha1/types.go
  Env.Envsubst, Go's os.Expand with `$$` kept as `$` and unknown names empty;
- `spec.source.kustomize.commonAnnotations`: util/kustomize/kustomize.go Build
  runs `kustomize edit add annotation` in the source folder (values substituted
  only with commonAnnotationsEnvsubst), which writes them to the
  kustomization's `commonAnnotations` and fails on a key already there unless
  forceCommonAnnotations (kustomize v5.8.1 commands/edit/add/addmetadata.go).

Only commonAnnotations is modelled; any other kustomize option raises, so the
local sync never builds something Argo CD would build differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from gitops.argocd import applicationset

APPS_DIR = Path("argocd/apps")
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")  # kustomize.go findKustomizeFile
MODELLED = frozenset({"commonAnnotations", "commonAnnotationsEnvsubst", "forceCommonAnnotations"})


class SourceError(Exception):
    """The Application's source cannot be built offline as Argo CD would; `fix` says what to do."""

    def __init__(self, where: str, message: str, fix: str):
        super().__init__(f"{where}: {message} (fix: {fix})")
        self.where, self.message, self.fix = where, message, fix


def environment(app: Mapping[str, Any], revision: str) -> dict[str, str]:
    """repository.go newEnv: the variables a kustomize source's options may name."""
    spec = app.get("spec") or {}
    source = spec.get("source") or {}
    return {
        "ARGOCD_APP_NAME": str((app.get("metadata") or {}).get("name", "")),
        "ARGOCD_APP_NAMESPACE": str((spec.get("destination") or {}).get("namespace", "")),
        "ARGOCD_APP_PROJECT_NAME": str(spec.get("project", "")),
        "ARGOCD_APP_REVISION": revision,
        "ARGOCD_APP_REVISION_SHORT": revision[:7],
        "ARGOCD_APP_REVISION_SHORT_8": revision[:8],
        "ARGOCD_APP_SOURCE_REPO_URL": str(source.get("repoURL", "")),
        "ARGOCD_APP_SOURCE_PATH": str(source.get("path", "")),
        "ARGOCD_APP_SOURCE_TARGET_REVISION": str(source.get("targetRevision", "")),
    }


def envsubst(text: str, env: Mapping[str, str]) -> str:
    """Env.Envsubst: Go's os.Expand (os/env.go) with `$$` -> `$` and an unknown name -> ""."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] != "$" or i + 1 == len(text):
            out.append(text[i])
            i += 1
            continue
        name, width = _shell_name(text[i + 1 :])
        if name == "" and width == 0:
            out.append("$")  # `$` not followed by a name stays
        elif name:
            out.append("$" if name == "$" else env.get(name, ""))
        i += 1 + width  # bad syntax (`${}`, an unclosed `${`) is eaten, as os.Expand does
    return "".join(out)


def _shell_name(s: str) -> tuple[str, int]:
    """os/env.go getShellName: the name after `$` and how many characters it takes."""
    special = "*#$@!?-0123456789"
    if s[0] == "{":
        if len(s) > 2 and s[1] in special and s[2] == "}":
            return s[1], 3
        for j in range(1, len(s)):
            if s[j] == "}":
                return ("", 2) if j == 1 else (s[1:j], j + 1)
        return "", 1
    if s[0] in special:
        return s[0], 1
    j = 0
    while j < len(s) and (s[j] == "_" or s[j].isascii() and s[j].isalnum()):
        j += 1
    return s[:j], j


def common_annotations(app: Mapping[str, Any], revision: str) -> dict[str, str]:
    """The annotations Argo CD adds to every object the source renders, as `kustomize edit` receives them."""
    kustomize = ((app.get("spec") or {}).get("source") or {}).get("kustomize") or {}
    name = (app.get("metadata") or {}).get("name", "?")
    other = sorted(set(kustomize) - MODELLED)
    if other:
        raise SourceError(
            f"Application/{name} spec.source.kustomize.{other[0]}",
            "is not modelled offline (only commonAnnotations is)",
            "model it in gitops.argocd.buildenv before the local sync uses it",
        )
    annotations = {str(k): str(v) for k, v in (kustomize.get("commonAnnotations") or {}).items()}
    if kustomize.get("commonAnnotationsEnvsubst") is True:
        env = environment(app, revision)
        annotations = {k: envsubst(v, env) for k, v in annotations.items()}
    return annotations


def prepare(folder: Path, app: Mapping[str, Any], revision: str) -> dict[str, str]:
    """Edit `folder`'s kustomization (a throwaway checkout) as Argo CD does before `kustomize build`;
    returns the annotations added."""
    annotations = common_annotations(app, revision)
    if not annotations:
        return {}
    name = (app.get("metadata") or {}).get("name", "?")
    file = next((folder / f for f in KUSTOMIZATION_FILES if (folder / f).is_file()), None)
    if file is None:
        raise SourceError(f"Application/{name} spec.source.path", f"{folder} has no kustomization", "point it at one")
    kustomization = yaml.safe_load(file.read_text()) or {}
    existing = kustomization.setdefault("commonAnnotations", {})
    force = ((app.get("spec") or {}).get("source") or {}).get("kustomize", {}).get("forceCommonAnnotations") is True
    clash = sorted(k for k in annotations if k in existing and not force)
    if clash:
        raise SourceError(
            f"{file.name} commonAnnotations.{clash[0]}",
            f"already set, so Argo CD's `kustomize edit add annotation` for Application/{name} fails",
            "remove it from the kustomization, or set forceCommonAnnotations",
        )
    existing.update(annotations)
    file.write_text(yaml.safe_dump(kustomization, sort_keys=False))
    return annotations


def applications(tree: Path) -> dict[str, dict[str, Any]]:
    """Every Application of `tree`'s argocd/apps (written, or generated by an ApplicationSet), by source path."""
    root = tree / APPS_DIR
    kustomization = yaml.safe_load((root / "kustomization.yaml").read_text()) or {}
    out: dict[str, dict[str, Any]] = {}
    for resource in kustomization.get("resources") or []:
        for doc in yaml.safe_load_all((root / resource).read_text()):
            kind = (doc or {}).get("kind")
            apps = (
                applicationset.expand(doc, tree) if kind == "ApplicationSet" else [doc] if kind == "Application" else []
            )
            for app in apps:
                path = str(((app.get("spec") or {}).get("source") or {}).get("path") or "").strip("/")
                if path:
                    out[path] = app
    return out
