"""Renders on disk, keyed by every input: a hit is kustomize's own earlier answer, any edit is a miss."""

from __future__ import annotations

import shutil

import pytest

from gitops.core import kustomize, rendercache
from gitops.core.kustomize import RenderError
from tests.conftest import REPO

GOOD = "tests/fixtures/validate/good"
BROKEN = "tests/fixtures/validate/missing-resource-path"


@pytest.fixture
def tree(tmp_path):
    """A copy of two fixtures, so the test can edit them."""
    for name in (GOOD, BROKEN):
        shutil.copytree(REPO / name, tmp_path / name)
    return tmp_path


def test_the_same_inputs_give_kustomize_s_earlier_output_without_running_it(tree, monkeypatch):
    cache = tree / "cache"
    built = rendercache.build_cached(tree / GOOD / "overlay", tree, cache)
    monkeypatch.setattr(rendercache, "build", lambda *a, **k: pytest.fail("kustomize ran on a cache hit"))
    assert rendercache.build_cached(tree / GOOD / "overlay", tree, cache) == built
    assert built == kustomize.build(tree / GOOD / "overlay", tree, strict=False)


def test_an_edit_anywhere_the_render_reads_is_a_new_key(tree):
    overlay = tree / GOOD / "overlay"
    before = rendercache.key(tree, overlay)
    base = tree / GOOD / "base" / "deployment.yaml"
    base.write_text(base.read_text().replace("replicas: 1", "replicas: 3"))
    assert rendercache.key(tree, overlay) != before


def test_a_file_outside_what_the_render_reads_changes_nothing(tree):
    overlay = tree / GOOD / "overlay"
    before = rendercache.key(tree, overlay)
    (tree / GOOD / "unrelated").mkdir()
    (tree / GOOD / "unrelated" / "notes.yaml").write_text("x: 1\n")
    assert rendercache.key(tree, overlay) == before


def test_an_error_is_kept_and_raised_again_the_same(tree, monkeypatch):
    cache = tree / "cache"
    with pytest.raises(RenderError) as first:
        rendercache.build_cached(tree / BROKEN, tree, cache)
    monkeypatch.setattr(rendercache, "build", lambda *a, **k: pytest.fail("kustomize ran on a cache hit"))
    with pytest.raises(RenderError) as again:
        rendercache.build_cached(tree / BROKEN, tree, cache)
    assert str(again.value) == str(first.value)
