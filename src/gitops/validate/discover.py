"""Find every kustomization the validator builds.

Overlays, the platform folders (k8s/platform/) and argocd/ are built as they are. Components cannot be built alone:
they are built through the kustomizations that include them, directly or
through another component (a model folder includes its model's declaration
and its environment, which includes the model wiring), or through the test
overlays under k8s/components/tests/. A component nothing builds is reported.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOTS = ("k8s/overlays", "k8s/platform", "argocd", "k8s/components")
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def _kustomization_file(directory: Path) -> Path | None:
    for name in KUSTOMIZATION_FILES:
        if (directory / name).is_file():
            return directory / name
    return None


def _kind(path: Path) -> str:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError:
        return "Kustomization"  # let kustomize report the parse error
    return str(data.get("kind") or "Kustomization") if isinstance(data, dict) else "Kustomization"


def kustomizations(repo: Path, roots: tuple[str, ...] = ROOTS) -> list[Path]:
    """Buildable kustomization directories (kind Kustomization), sorted."""
    found = set()
    for root in roots:
        base = repo / root
        if not base.is_dir():
            continue
        for name in KUSTOMIZATION_FILES:
            for file in base.rglob(name):
                if _kind(file) == "Kustomization":
                    found.add(file.parent)
    return sorted(found)


def components(repo: Path) -> list[Path]:
    """Every Component under k8s/ (shared components, model declarations, environments)."""
    base = repo / "k8s"
    if not base.is_dir():
        return []
    return sorted(f.parent for name in KUSTOMIZATION_FILES for f in base.rglob(name) if _kind(f) == "Component")


def _included(directory: Path) -> list[Path]:
    file = _kustomization_file(directory)
    try:
        data = yaml.safe_load(file.read_text()) if file else None
    except yaml.YAMLError:
        return []  # kustomize reports the parse error when it builds the directory
    entries = data.get("components") if isinstance(data, dict) else None
    return [(directory / str(entry)).resolve() for entry in entries or []] if isinstance(entries, list) else []


def untested_components(repo: Path, built: list[Path]) -> list[Path]:
    """Components no built kustomization includes, directly or through other components."""
    used: set[Path] = set()
    todo = [d.resolve() for d in built]
    while todo:
        for component in _included(todo.pop()):
            if component not in used:
                used.add(component)
                todo.append(component)
    return [c for c in components(repo) if c.resolve() not in used]
