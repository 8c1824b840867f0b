"""The pure rules on their own: semantic versions, PSI, the validation gates."""

from __future__ import annotations

import numpy as np
import pytest

from mlpipeline.drift_stats import EPSILON, psi
from mlpipeline.evaluation import Report
from mlpipeline.gates import Thresholds, failures
from mlpipeline.semver import SemVer, next_version

HISTORY = [SemVer(1, 0, 0), SemVer(1, 1, 0), SemVer(1, 0, 1)]


@pytest.mark.parametrize(
    "history,changed,accuracy,champion,expected",
    [
        ([], False, 0.9, None, "1.0.0"),
        ([], True, 0.9, 0.95, "1.0.0"),
        (HISTORY, True, 0.99, 0.9, "2.0.0"),
        (HISTORY, False, 0.96, 0.94, "1.2.0"),
        (HISTORY, False, 0.95, 0.94, "1.1.1"),  # better, but not by more than the margin
        (HISTORY, False, 0.99, None, "1.1.1"),  # no champion to beat
    ],
    ids=["first", "first-even-if-signature-differs", "major", "minor", "patch-within-margin", "patch-no-champion"],
)
def test_next_version(history, changed, accuracy, champion, expected):
    assert str(next_version(history, changed, accuracy, champion, minor_margin=0.01)[0]) == expected


def test_psi_is_zero_for_identical_samples_and_finite_for_empty_bins():
    rng = np.random.default_rng(0)
    ref = rng.normal(size=500)
    assert psi(ref, ref) == pytest.approx(0.0, abs=1e-12)
    shifted = ref + 10  # every current value falls in the top bin: the others are empty
    assert np.isfinite(psi(ref, shifted)) and psi(ref, shifted) > 5
    assert EPSILON > 0


def report(accuracy: float, f1: dict[str, float]) -> Report:
    return Report(accuracy, sum(f1.values()) / len(f1), f1, [], tuple(f1))


def test_gates_name_every_miss():
    t = Thresholds(accuracy_floor=0.9, f1_floor=0.85, champion_tolerance=0.02)
    assert failures(report(0.95, {"a": 0.9, "b": 0.95}), t, champion_accuracy=0.96) == []
    assert failures(report(0.85, {"a": 0.8, "b": 0.95}), t, champion_accuracy=0.97) == [
        "accuracy 0.8500 below floor 0.9",
        "F1 of class a 0.8000 below floor 0.85",
        "accuracy 0.8500 worse than champion 0.9700 by more than 0.02",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/example-org/gitops.git",
        "git@github.com:example-org/gitops.git",
        "https://github.com/example-org/gitops",
    ],
    ids=["https", "ssh", "no-suffix"],
)
def test_github_repo_from_remote_url(url):
    from mlpipeline.pullrequests import github_repo

    assert github_repo(url) == "example-org/gitops"


def test_token_travels_as_a_header_in_the_environment_and_only_over_https():
    import base64

    from mlpipeline.gitrepo import auth_env

    env = auth_env("https://github.com/example-org/gitops.git", "tkn")
    assert env["GIT_CONFIG_KEY_0"] == "http.extraHeader"
    assert env["GIT_CONFIG_VALUE_0"] == "Authorization: Basic " + base64.b64encode(b"x-access-token:tkn").decode()
    assert auth_env("/srv/git/gitops.git", "tkn") == {}
    assert auth_env("https://github.com/example-org/gitops.git", None) == {}


def test_the_overlays_empty_pin_counts_as_no_pin_yet():
    from pathlib import Path

    from mlpipeline import pin

    empty = Path(__file__).resolve().parents[2] / "k8s" / "overlays" / "dev" / "model-pin.yaml"
    assert pin.read(empty) is None


def test_the_content_key_moves_with_each_of_its_parts():
    from mlpipeline import contentkey
    from mlpipeline.models import load_spec

    spec = load_spec("iris")
    X, y = spec.load_dataset()
    params = {"n_estimators": 10, "max_depth": 5, "seed": 42, "holdout_fraction": 0.2, "model_spec": "iris"}
    base = contentkey.compute(X, y, params, spec)
    assert contentkey.compute(X, y, dict(reversed(params.items())), spec) == base  # order does not matter
    more_trees = contentkey.compute(X, y, {**params, "n_estimators": 11}, spec)
    assert (more_trees.params != base.params, more_trees.data, more_trees.code) == (True, base.data, base.code)
    shifted = contentkey.compute(X.assign(sepal_length=X["sepal_length"] + 0.1), y, params, spec)
    assert (shifted.data != base.data, shifted.params) == (True, base.params)
    # A spec module outside the package is part of the code that trains.
    outside = contentkey.compute(X, y, params, load_spec("tests.steps.extra_models.nan_rows"))
    assert outside.code != base.code
    assert len({base.digest, more_trees.digest, shifted.digest, outside.digest}) == 4
    assert set(base.tags()) == {contentkey.TAG, *contentkey.PART_TAGS}
