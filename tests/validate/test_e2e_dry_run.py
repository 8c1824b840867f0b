"""The e2e workflow (kind) runs the laptop's make targets over the validator's own CRD files and folders."""

from __future__ import annotations

import subprocess
import sys

import yaml

from gitops.validate.schemas import platform
from tests.conftest import REPO
from tests.manifests.rendering import applications

WORKFLOW = REPO / ".github/workflows/e2e.yaml"


def script(name: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / name), *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_workflow_runs_only_the_make_targets_a_laptop_runs():
    steps = yaml.safe_load(WORKFLOW.read_text())["jobs"]["dry-run"]["steps"]
    assert [s["run"] for s in steps if "run" in s] == ["make setup", "make platform-crds", "make dry-run"]


def test_platform_crds_prints_every_pinned_crd_file_unchanged():
    out = script("platform-crds")
    printed = [line.removeprefix("# ") for line in out.splitlines() if line.startswith("# crds/")]
    pinned = [p.local_path for p in platform.pinned_files() if p.local_path.startswith("crds/")]
    assert printed == pinned
    files = platform.read_all(REPO)
    assert all(data.decode() in out for p, data in files.items() if p.local_path.startswith("crds/"))


def test_the_dry_run_covers_every_folder_an_application_deploys():
    listed = set(script("dry-run-apply", "--list").split())
    paths = {app["spec"]["source"]["path"] for app in applications() if app["spec"]["source"].get("path")}
    assert paths - listed == set()
