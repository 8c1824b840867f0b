"""Argo CD's reading of sync annotations (argoproj/argo-cd v3.5.1, gitops-engine vendored in-tree)."""

from __future__ import annotations

import pytest

from gitops.argocd import sync


@pytest.mark.parametrize(
    "text,wave",
    [("5", 5), ("-1", -1), ("+3", 3), ("007", 7), ("1.0", None), (" 1", None), ("", None), ("1e3", None)],
)
def test_a_wave_is_go_atoi_or_nothing(text, wave):
    """gitops-engine/pkg/sync/syncwaves/waves.go Wave: strconv.Atoi, else helm.sh/hook-weight, else 0."""
    assert sync.atoi(text) == wave
    assert sync.wave({sync.WAVE: text}) == (wave if wave is not None else 0)
    assert sync.atoi("9999999999999999999") is None  # out of int64: Atoi fails, wave 0


def test_hook_phases_split_trimmed_and_deduplicated():
    """gitops-engine/pkg/sync/resource/annotations.go GetAnnotationCSVs; hook/hook.go Types."""
    assert sync.csv(" PreSync, PostSync,,PreSync ") == ["PreSync", "PostSync"]
    assert sync.phases({sync.HOOK: "PreSync,PostSync"}) == [(-1, True), (1, True)]
    assert sync.phases({}) == [(0, False)]
    assert sync.phases({sync.HOOK: "postsync"}) == []
