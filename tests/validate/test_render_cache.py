"""Renders on disk, keyed by every input: a hit is kustomize's own earlier answer, any edit is a miss."""

from __future__ import annotations

import os
import shutil
import signal
import threading
from pathlib import Path

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


def test_a_render_stopped_by_a_signal_is_not_kept(tmp_path):
    """A kustomize killed from outside (an OOM kill, a session ending) says nothing about its inputs: the next
    run renders again. The resource is a FIFO, so kustomize is inside the render when the real SIGKILL lands."""
    folder = tmp_path / "overlay"
    folder.mkdir()
    (folder / "kustomization.yaml").write_text("resources:\n- held.yaml\n")
    os.mkfifo(folder / "held.yaml")
    cache = tmp_path / "cache"
    raised: list[BaseException] = []

    def render():
        try:
            rendercache.build_cached(folder, tmp_path, cache)
        except RenderError as err:
            raised.append(err)

    worker = threading.Thread(target=render, daemon=True)
    worker.start()
    writer = os.open(folder / "held.yaml", os.O_WRONLY)  # returns once kustomize opened it for reading
    try:
        for child in children(os.getpid()):
            os.kill(child, signal.SIGKILL)
        worker.join(timeout=60)
    finally:
        os.close(writer)
    stopped = "overlay: kustomize was stopped by SIGKILL before it finished (fix: run it again)"
    assert [str(e) for e in raised] == [stopped]
    assert not list(cache.glob("*.json"))


def children(pid: int) -> list[int]:
    """This process's child processes, by pid (never by name): the kustomize the worker thread started."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found
