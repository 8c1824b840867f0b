"""docs/audit.md's commands, run in order against a demo run's registry and repository: each answers its
question with what the registry and git hold."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.git import git

pytestmark = pytest.mark.slow
PAGE = Path(__file__).resolve().parents[2] / "docs" / "audit.md"
MARK = "=== block "


def blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", PAGE.read_text(), re.S)


@pytest.fixture(scope="module")
def answers(demo, tmp_path_factory) -> list[list[str]]:
    """Every sh block of the page, run as one script from a checkout-like directory (.venv, .local)."""
    where = tmp_path_factory.mktemp("audit")
    (where / ".venv").symlink_to(Path(sys.executable).parents[1])
    (where / ".local").symlink_to(demo)
    script = "set -euo pipefail\n" + "".join(f"echo '{MARK}{i}'\n{b}" for i, b in enumerate(blocks()))
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=where,
        env={"PATH": os.environ["PATH"], "HOME": str(where), "TMPDIR": str(where)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    parts = done.stdout.split(MARK)[1:]
    return [part.splitlines()[1:] for part in parts]


@pytest.fixture(scope="module")
def truth(demo):
    from mlflow import MlflowClient

    client = MlflowClient(f"sqlite:///{demo / 'mlflow' / 'mlflow.db'}")
    mv = client.get_model_version_by_alias("iris", "dev")
    return client, mv, client.get_run(mv.run_id), client.get_run(mv.tags["validation_run_id"])


def test_the_page_has_a_block_for_the_setup_and_each_of_the_six_questions(answers):
    assert len(answers) == 7
    assert [line for line in PAGE.read_text().splitlines() if line.startswith("## ")] == [
        "## 1. What serves the environment, and since when?",
        "## 2. How accurate is it?",
        "## 3. When was it trained, and by which code?",
        "## 4. On what data?",
        "## 5. Who approved it?",
        "## 6. Compared with what?",
    ]


def test_1_what_serves_and_since_when(answers, truth):
    _, mv, _, _ = truth
    assert answers[1] == [
        f"serving: version {mv.version}, semver {mv.tags['semver']}, since {mv.tags['deployed.dev.verified_at']}",
        f"probe: accuracy {mv.tags['deployed.dev.probe_accuracy']}, {mv.tags['deployed.dev.probe_latency_seconds']} "
        f"s for {mv.tags['deployed.dev.probe_rows']} rows",
        f"  - modelVersion={mv.version}",
        f"  - semver={mv.tags['semver']}",
    ]


def test_2_how_accurate(answers, truth):
    _, _, _, validation = truth
    m = validation.data.metrics
    assert answers[2][0] == f"holdout accuracy {m['holdout_accuracy']}, macro F1 {m['holdout_f1_macro']}"
    assert answers[2][1:] == [f"F1 {name}: {m['holdout_f1_' + name]}" for name in ("setosa", "versicolor", "virginica")]


def test_3_when_trained_and_by_which_code(answers, truth):
    _, _, run, _ = truth
    started = datetime.datetime.fromtimestamp(run.info.start_time / 1000, datetime.timezone.utc)
    assert answers[3][0] == f"trained: run {run.info.run_id} started {started:%Y-%m-%dT%H:%M:%SZ}"
    assert answers[3][1] == f"parameters: {run.data.params}"
    assert answers[3][2].endswith(f", sha256 {run.data.tags['content.code_sha256']}")


def test_4_on_what_data(answers, truth):
    _, mv, run, _ = truth
    tags = run.data.tags
    assert answers[4] == [
        f"content.data_sha256: {tags['content.data_sha256']}",
        f"holdout_sha256: {tags['holdout_sha256']}",
        f"content.libraries_sha256: {tags['content.libraries_sha256']}",
        f"content_key: {mv.tags['content_key']}",
        "training split: 120 rows",  # iris's 150 rows less the 20 % held out
    ]


def test_5_who_approved_it(answers, truth, demo):
    _, mv, _, _ = truth
    commit = mv.tags["deployed.dev.git_commit"]
    assert commit == git(demo / "remote.git", "rev-parse", "main").strip()  # what the demo's sync merged
    assert answers[5][:3] == [
        f"commit {commit}",
        f"author {mv.tags['deployed.dev.git_author']}",
        f"committer {mv.tags['deployed.dev.git_committer']} at {mv.tags['deployed.dev.git_committed_at']}",
    ]
    assert answers[5][4] == mv.tags["deployed.dev.git_subject"]


def test_6_compared_with_what(answers, truth):
    _, mv, _, validation = truth
    p = validation.data.params
    assert answers[6][:3] == [
        f"validation passed: {mv.tags['validation_passed']}",
        f"thresholds: accuracy >= {p['accuracy_floor']}, every class F1 >= {p['f1_floor']}",
        f"champion: version {p['champion_version']} at alias {p['champion_alias']}, "
        f"tolerance {p['champion_tolerance']}",
    ]
    assert answers[6][3].endswith(f" {mv.tags['deployed.dev.git_subject']}")
