"""The runner renders an overlay through the validator's render cache, and still refuses kustomize's warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.core import kustomize, rendercache
from gitops.runner.__main__ import _render

CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n"


def overlay(repo: Path, kustomization: str) -> Path:
    folder = repo / "overlay"
    folder.mkdir()
    (folder / "kustomization.yaml").write_text(kustomization)
    (folder / "settings.yaml").write_text(CONFIG_MAP)
    return folder


def test_a_render_is_kept_and_read_back_from_the_render_cache(tmp_path, monkeypatch):
    folder = overlay(tmp_path, "resources:\n  - settings.yaml\n")
    entry = tmp_path / rendercache.DIRECTORY / f"{rendercache.key(tmp_path, folder)}.json"
    text = _render(tmp_path, "overlay")
    assert text == kustomize.build(folder, tmp_path).text
    assert entry.is_file()  # kept: the next run (or make validate) builds nothing

    def no_build(*args, **kwargs):
        raise AssertionError("kustomize ran again: the render did not come from the cache")

    monkeypatch.setattr(rendercache, "build", no_build)
    monkeypatch.setattr(kustomize, "build", no_build)
    assert _render(tmp_path, "overlay") == text


def test_a_render_that_warned_refuses_the_run_from_the_cache_too(tmp_path):
    overlay(tmp_path, "resources:\n  - settings.yaml\ncommonLabels:\n  app: x\n")
    for _ in ("built", "from the cache"):
        with pytest.raises(kustomize.RenderError) as refused:
            _render(tmp_path, "overlay")
        assert "commonLabels" in str(refused.value)
