"""Render a kustomization once per test session and hand back its documents; the repo's matrix of folders."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from gitops.argocd.applicationset import expand
from gitops.core import layout
from gitops.core.kustomize import build

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = layout.ORDER
MODELS = tuple(layout.models(ROOT))
# Every model in every environment: the matrix the environment tests hold for.
MATRIX = tuple((env, model) for env in ENVIRONMENTS for model in MODELS)
COMPONENT_TESTS = tuple(
    str(p.relative_to(ROOT)) for p in sorted((ROOT / "k8s/components/tests").iterdir()) if p.is_dir()
)
ARGOCD = ("argocd", "argocd/apps")


@functools.lru_cache(maxsize=None)
def documents(relative_dir: str) -> tuple[dict, ...]:
    """Every non-empty document `kustomize build` prints for ROOT/relative_dir."""
    text = build(ROOT / relative_dir, root=ROOT).text
    return tuple(doc for doc in yaml.safe_load_all(text) if doc)


def model_docs(env: str, model: str) -> tuple[dict, ...]:
    return documents(str(layout.model_dir(env, model)))


def namespace_docs(env: str) -> tuple[dict, ...]:
    return documents(str(layout.namespace_dir(env)))


@functools.lru_cache(maxsize=None)
def applications() -> tuple[dict, ...]:
    """Every Application Argo CD gets from argocd/: written ones and those the ApplicationSets generate."""
    docs = [d for src in ARGOCD for d in documents(src)]
    generated = [app for d in docs if d["kind"] == "ApplicationSet" for app in expand(d, ROOT)]
    return tuple([d for d in docs if d["kind"] == "Application"] + generated)


def find(docs, kind: str, name: str | None = None) -> list[dict]:
    return [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]


def generated_config(docs) -> dict:
    """The data of the model's generated <model>-pipeline-config (no hash suffix: argo-configmap-stable)."""
    (config,) = [d for d in find(docs, "ConfigMap") if d["metadata"]["name"].endswith("-pipeline-config")]
    return config["data"]
