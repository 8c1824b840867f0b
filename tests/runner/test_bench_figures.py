"""make bench's own arithmetic and checks (gitops/runner/bench.py), on figures and summaries a run writes."""

from __future__ import annotations

import json

import pytest

from gitops.runner.bench import alias_not_moved, outside_steps, ratio
from tests.conftest import REPO

STEPS = {"train": 2.18, "validate": 0.69, "version": 0.23, "monitor": 0.13, "deploy": 0.24}


def test_outside_steps_is_the_wall_time_less_the_steps():
    assert outside_steps(3.94, STEPS) == 0.47


def test_results_json_carries_outside_steps_for_each_series_as_the_bench_computes_it():
    warm = json.loads((REPO / "bench" / "results.json").read_text())["pipeline_run_warm"]
    for series in (warm, warm["plain_processes"], warm["demo_warm"], warm["demo_unchanged"]):
        assert series["outside_steps_s"] == outside_steps(series["wall_s"], series["step_seconds"])


def test_results_json_sets_the_pipeline_beside_plain_processes_timed_in_the_same_run():
    warm = json.loads((REPO / "bench" / "results.json").read_text())["pipeline_run_warm"]
    assert warm["ratio_to_plain_processes"] == ratio(warm["wall_s"], warm["plain_processes"]["wall_s"])
    assert ratio(9.94, 30.09) == 0.33


MOVED = "iris: alias dev -> version 3 (moved); probe latency 4.1 ms, accuracy 1.0"
ALREADY_THERE = MOVED.replace("(moved)", "(already there)")
ELSEWHERE = MOVED.replace("version 3", "version 2")
NOT_MOVED = "the PostSync Job did not move the alias to version 3 (post-sync: {!r})"


@pytest.mark.parametrize(
    ("post_sync", "why"),
    [
        pytest.param(MOVED, "", id="moved-to-the-version-trained"),
        pytest.param(ALREADY_THERE, NOT_MOVED.format(ALREADY_THERE), id="already-there"),
        pytest.param(ELSEWHERE, NOT_MOVED.format(ELSEWHERE), id="moved-to-another-version"),
        pytest.param(None, NOT_MOVED.format(None), id="no-sync"),
    ],
)
def test_a_demo_run_counts_only_when_its_postsync_job_moved_the_alias_to_the_version_it_trained(post_sync, why):
    summary = {"model": "iris version 3 (run 0123abcd, trained)"}
    if post_sync is not None:
        summary["post-sync"] = post_sync
    assert alias_not_moved(summary) == why
