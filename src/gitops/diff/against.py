"""Render an environment's overlay now or at a git ref, and diff two such renders (scripts/diff, the PR comment)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from gitops.core import environments
from gitops.core.git import Git
from gitops.core.kustomize import Rendered, build
from gitops.diff.objects import RenderDiff, diff_renders


def render_env(root: Path, env: str) -> Rendered:
    """An environment's overlay as it is in the working tree."""
    return build(root / environments.overlay(env), root=root)


def render_env_at(root: Path, env: str, ref: str) -> Rendered:
    """An environment's overlay as it was at `ref`, rendered from an exported copy of that commit.

    The whole tree is exported, not just the overlay: it refers to ../../base
    and components, which must come from the same commit.
    """
    with tempfile.TemporaryDirectory(prefix="gitops-diff-") as tmp:
        Git(root).export(ref, Path(tmp))
        overlay = Path(tmp) / environments.overlay(env)
        if not overlay.is_dir():
            # An overlay the ref does not have renders as nothing: every object is "added".
            return Rendered(source=f"{environments.overlay(env)}@{ref}", text="")
        rendered = build(overlay, root=Path(tmp))
    return Rendered(source=f"{rendered.source}@{ref}", text=rendered.text)


def diff_envs(root: Path, left: str, right: str) -> RenderDiff:
    return diff_renders(render_env(root, left), render_env(root, right), compare_namespace=False)


def diff_against(root: Path, env: str, ref: str) -> RenderDiff:
    return diff_renders(render_env_at(root, env, ref), render_env(root, env), compare_namespace=True)
