"""A render with one kustomization entry left out: what that entry changes is the difference.

kustomize drops some entries without a word (a patch whose target selects
nothing, or whose content is already there). The only faithful way to tell is to
ask kustomize: build the same inputs with the entry removed and compare the
output. The inputs (core.dependencies) are copied to a scratch tree with the
same layout, the one kustomization is rewritten without the entry, and the
result is kept in the render cache under a key derived from the real render's
key (which covers every input byte) plus the entry removed, so a warm run
builds nothing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import yaml

from gitops.core import dependencies
from gitops.core.kustomize import RenderError, build
from mlpipeline.atomicfile import write_atomic

FORMAT = "1"  # bump when what is stored changes


def _key(base: str, file: Path, field: str, index: int) -> str:
    return hashlib.sha256(f"variant\0{FORMAT}\0{base}\0{file}\0{field}\0{index}".encode()).hexdigest()


def _copy_inputs(root: Path, directory: Path, scratch: Path) -> None:
    directories, named = dependencies.files(root, directory.relative_to(root))
    for folder in directories:
        for item in (root / folder).iterdir():
            if item.is_file():
                (scratch / folder).mkdir(parents=True, exist_ok=True)
                shutil.copy2(item, scratch / folder / item.name)
    for file in named:
        (scratch / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / file, scratch / file)


def _build_without(root: Path, directory: Path, file: Path, field: str, index: int) -> str | None:
    with tempfile.TemporaryDirectory(prefix="variant-") as tmp:
        scratch = Path(tmp)
        _copy_inputs(root, directory, scratch)
        data = yaml.safe_load((scratch / file).read_text())
        del data[field][index]
        if not data[field]:
            del data[field]
        (scratch / file).write_text(yaml.safe_dump(data, sort_keys=False))
        try:
            return build(scratch / directory.relative_to(root), scratch, strict=False).text
        except RenderError:
            return None  # without the entry the build fails: the entry matters


def render_without(
    root: Path, directory: Path, base: str, file: Path, field: str, index: int, cache: Path | None
) -> str | None:
    """The render of `directory` with entry `index` of `field` removed from the kustomization `file`
    (repo-relative), or None when kustomize refuses that variant; `base` is rendercache.key of the
    real render (it covers every input byte)."""
    root = root.resolve()
    entry = cache / f"{_key(base, file, field, index)}.json" if cache else None
    if entry is not None and entry.is_file():
        return json.loads(entry.read_text())["text"]
    text = _build_without(root, directory, file, field, index)
    if entry is not None:
        write_atomic(entry, json.dumps({"text": text}))
    return text
