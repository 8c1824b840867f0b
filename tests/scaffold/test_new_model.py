"""scripts/new-model in a scratch clone: the new model validates and runs end to end, or nothing is written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gitops.core import layout
from gitops.validate.schemas import platform
from tests.conftest import REPO
from tests.support.git import git

pytestmark = pytest.mark.slow


def python(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    # A clone has no ../shared beside it: point it at the mirror this checkout uses.
    env = {**os.environ, platform.MIRROR_ENV: platform.origin(REPO)}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, timeout=600, env=env)


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """This checkout's HEAD, cloned, as a user forking the repo has it."""
    # Under the repo's git-ignored .cache: the local runner does not run from /tmp yet.
    root = REPO / ".cache" / "test-new-model"
    shutil.rmtree(root, ignore_errors=True)
    git(REPO, "clone", "-q", str(REPO), str(root))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def scaffolded(clone) -> subprocess.CompletedProcess:
    return python("-m", "gitops.scaffold", "bert", "--dataset", "breast_cancer", "--root", str(clone), cwd=clone)


def test_new_model_writes_five_files_and_says_which(scaffolded):
    assert scaffolded.returncode == 0, scaffolded.stderr
    assert scaffolded.stdout == (
        "new-model: bert, 5 files:\n"
        "  k8s/models/bert/kustomization.yaml  (declaration: names, registry, experiment, drift)\n"
        "  src/mlpipeline/models/bert.py  (Python spec: data, features, estimator)\n"
        "  k8s/overlays/dev/bert/kustomization.yaml  (the model in dev: its pin)\n"
        "  k8s/overlays/staging/bert/kustomization.yaml  (the model in staging: its pin)\n"
        "  k8s/overlays/prod/bert/kustomization.yaml  (the model in prod: its pin)\n"
        "next: make validate, commit, then make demo MODEL=bert\n"
    )


def test_a_model_by_hand_is_at_most_five_files_and_eighty_lines_beside_its_spec(clone, scaffolded):
    added = git(clone, "status", "--porcelain", "--untracked-files=all").splitlines()
    files = sorted(line[3:] for line in added)
    assert len(files) == 5 and all(line.startswith("??") for line in added)  # nothing existing was changed
    lines = sum(len((clone / f).read_text().splitlines()) for f in files if not f.endswith(".py"))
    assert lines <= 80


def test_the_new_model_validates_and_gets_its_applications(clone, scaffolded):
    check = python("-m", "gitops.validate", "--repo", str(clone), cwd=clone)
    assert check.returncode == 0, check.stdout + check.stderr
    for env in layout.ORDER:
        assert f"k8s/overlays/{env}/bert " in check.stdout
    lint = subprocess.run(
        [str(Path(sys.executable).parent / "ruff"), "check", "src/mlpipeline/models/bert.py"], cwd=clone
    )
    assert lint.returncode == 0  # the generated spec passes the repo's own lint


def test_make_demo_model_runs_the_new_model_end_to_end(clone, scaffolded, tmp_path):
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "Add the bert model")
    demo = python(
        "-m", "gitops.runner", "--repo", str(clone), "--model", "bert", "--state-dir", str(clone / ".local"), cwd=clone
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "Running WorkflowTemplate bert-pipeline from k8s/overlays/dev/bert" in demo.stdout
    assert "bert: alias dev -> version 1 (moved)" in demo.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["iris"],
            "new-model: iris exists already: k8s/models/iris/kustomization.yaml, src/mlpipeline/models/iris.py, "
            "k8s/overlays/dev/iris/kustomization.yaml, k8s/overlays/staging/iris/kustomization.yaml, "
            "k8s/overlays/prod/iris/kustomization.yaml (fix: pick another name)\n",
            id="taken",
        ),
        pytest.param(
            ["Bad_Name", "--dataset", "wine"],
            "new-model: 'Bad_Name': not a model name: it prefixes every object name (fix: lowercase letters, "
            "digits and dashes, starting with a letter, at most 32 characters)\n",
            id="bad-name",
        ),
        pytest.param(
            ["shapes"],
            "new-model: --dataset shapes: not a scikit-learn bundled data set "
            "(fix: one of iris, wine, breast_cancer, digits)\n",
            id="no-such-dataset",
        ),
    ],
)
def test_refusals_write_nothing(tmp_path, args, message):
    repo = tmp_path / "repo"
    git(tmp_path, "clone", "-q", str(REPO), str(repo))
    refused = python("-m", "gitops.scaffold", *args, "--root", str(repo), cwd=repo)
    assert (refused.returncode, refused.stderr, refused.stdout) == (1, message, "")
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
