"""Find every kustomization the validator builds.

Overlays and argocd/ are built as they are. Components cannot be built alone,
so they are built through the test overlays under k8s/components/tests/ that
include them; a component no test overlay includes is reported.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOTS = ("k8s/overlays", "argocd", "k8s/components")
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
    base = repo / "k8s" / "components"
    return (
        sorted(f.parent for name in KUSTOMIZATION_FILES for f in base.rglob(name) if _kind(f) == "Component")
        if base.is_dir()
        else []
    )


def untested_components(repo: Path, built: list[Path]) -> list[Path]:
    """Components that no built kustomization lists under `components:`."""
    used = set()
    for directory in built:
        file = _kustomization_file(directory)
        data = yaml.safe_load(file.read_text()) if file else None
        for entry in (data or {}).get("components") or [] if isinstance(data, dict) else []:
            used.add((directory / entry).resolve())
    return [c for c in components(repo) if c.resolve() not in used]
