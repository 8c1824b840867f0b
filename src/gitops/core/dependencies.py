"""Which files a kustomization's render can depend on: what a change must touch to change the render.

kustomize reads the kustomization file, then every path it names: resources
and components (files, or directories it reads the same way), patches,
generator files and env files, configurations, replacements and transformer
files, and nothing else. A changed path touches a render when it is one of
those files or one of those kustomization files (a new file beside a
kustomization matters only once the kustomization names it, and then the
kustomization changed too), or lies in the deployed folder itself (a
deleted folder renders as nothing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def read(directory: Path) -> dict[str, Any]:
    """The kustomization in `directory` ({} when there is none or it does not parse)."""
    for name in KUSTOMIZATION_FILES:
        file = directory / name
        if file.is_file():
            try:
                data = yaml.load(file.read_text(), Loader=yaml.CSafeLoader)  # libyaml: read on every warm run
            except yaml.YAMLError:
                return {}
            return data if isinstance(data, dict) else {}
    return {}


def _named_paths(data: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for key in ("resources", "components", "configurations", "crds", "generators", "transformers", "validators"):
        names += [str(x) for x in data.get(key) or [] if isinstance(x, str)]
    for entry in data.get("patches") or []:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            names.append(entry["path"])
    for entry in data.get("replacements") or []:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            names.append(entry["path"])
    for key in ("configMapGenerator", "secretGenerator"):
        for generator in data.get(key) or []:
            if isinstance(generator, dict):
                for field in ("files", "envs"):
                    # A file entry may be `key=path`.
                    names += [str(f).split("=", 1)[-1] for f in generator.get(field) or [] if isinstance(f, str)]
    return names


def files(repo: Path, folder: Path) -> tuple[set[Path], set[Path]]:
    """(kustomization directories, other files) the render of `folder` reads, all repo-relative."""
    repo = repo.resolve()
    directories: set[Path] = set()
    others: set[Path] = set()
    todo = [(repo / folder).resolve()]
    while todo:
        directory = todo.pop()
        if directory in directories or not directory.is_relative_to(repo):
            continue
        directories.add(directory)
        for name in _named_paths(read(directory)):
            target = (directory / name).resolve()
            if "://" in name:
                continue  # a remote base: not in this repo
            if target.is_dir():
                todo.append(target)
            elif target.is_relative_to(repo):
                others.add(target)
    return {d.relative_to(repo) for d in directories}, {f.relative_to(repo) for f in others}


def touched(repo: Path, folder: Path, changed: list[str]) -> list[str]:
    """Those of `changed` (repo-relative paths) whose change can change `folder`'s render."""
    directories, others = files(repo, folder)
    return [
        path
        for path in changed
        if Path(path) in others
        or Path(path).is_relative_to(folder)
        or (Path(path).name in KUSTOMIZATION_FILES and Path(path).parent in directories)
    ]


def touches(repo: Path, folder: Path, changed: list[str]) -> bool:
    return bool(touched(repo, folder, changed))
