"""Render an environment's folders now or at a git ref, and diff them (scripts/diff, the PR comment).

A folder is one of k8s/overlays/<env>/<model or namespace>: what one Argo CD
Application deploys, so a diff names the Application's folder.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gitops.core import layout
from gitops.core.git import Git
from gitops.core.kustomize import Rendered, build
from gitops.diff.objects import RenderDiff, diff_renders


def render(root: Path, folder: Path, label: str = "") -> Rendered:
    """`folder` (repo-relative) rendered from the tree at `root`; a folder it lacks renders as nothing."""
    if not (root / folder).is_dir():
        return Rendered(source=label or str(folder), text="")
    rendered = build(root / folder, root=root)
    return Rendered(source=label or rendered.source, text=rendered.text)


@contextmanager
def snapshot(root: Path, ref: str) -> Iterator[Path]:
    """The whole tree at `ref`, exported once: folders refer to ../../../base and components,
    which must come from the same commit."""
    with tempfile.TemporaryDirectory(prefix="gitops-diff-") as tmp:
        Git(root).export(ref, Path(tmp))
        yield Path(tmp)


def folders(root: Path, env: str, model: str | None) -> list[Path]:
    """The folders of `env` to compare: one model's, or every deployable one."""
    if model:
        return [layout.model_dir(env, model)]
    return layout.deployable(root, env)


def diff_envs(root: Path, left: str, right: str, model: str | None = None) -> list[RenderDiff]:
    """What changes when each folder of `left` replaces the same folder of `right`'s (namespaces not compared)."""
    names = sorted({f.name for env in (left, right) for f in folders(root, env, model)})
    return [
        diff_renders(
            render(root, layout.OVERLAYS / left / name),
            render(root, layout.OVERLAYS / right / name),
            compare_namespace=False,
        )
        for name in names
    ]


def diff_against(root: Path, env: str, ref: str, model: str | None = None) -> list[RenderDiff]:
    """What the working tree changes in each folder of `env` since `ref`."""
    with snapshot(root, ref) as old:
        names = sorted({*folders(root, env, model), *folders(old, env, model)})
        return [
            diff_renders(render(old, folder, f"{folder}@{ref}"), render(root, folder), compare_namespace=True)
            for folder in names
        ]
