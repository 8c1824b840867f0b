"""Render a kustomization once per test session and hand back its documents."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from gitops.core.kustomize import build

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ("dev", "staging", "prod")
OVERLAYS = tuple(f"k8s/overlays/{env}" for env in ENVIRONMENTS)
COMPONENT_TESTS = tuple(
    str(p.relative_to(ROOT)) for p in sorted((ROOT / "k8s/components/tests").iterdir()) if p.is_dir()
)
ARGOCD = ("argocd", "argocd/apps")


@functools.lru_cache(maxsize=None)
def documents(relative_dir: str) -> tuple[dict, ...]:
    """Every non-empty document `kustomize build` prints for ROOT/relative_dir."""
    text = build(ROOT / relative_dir, root=ROOT).text
    return tuple(doc for doc in yaml.safe_load_all(text) if doc)


def find(docs, kind: str, name: str | None = None) -> list[dict]:
    return [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]


def label(doc: dict) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"
