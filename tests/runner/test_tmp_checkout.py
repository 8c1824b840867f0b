"""A checkout and its venv under /tmp, as CI workspaces often are: the step's /tmp emptyDir is a local
directory, and the runner must never move its own interpreter into it (the crash issue 14 reports)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "runner" / "workflows.yaml"


def test_a_python_step_runs_from_a_checkout_under_tmp(tmp_path, repo):
    checkout = tmp_path / "checkout"
    assert str(checkout).startswith("/tmp/"), "pytest's tmp_path is expected under /tmp"
    shutil.copytree(repo / "src", checkout / "src")
    shutil.copy(FIXTURE, checkout / "workflows.yaml")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(checkout / ".venv")], check=True)
    python = checkout / ".venv" / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The project's dependencies come from this session's venv; the code from the checkout.
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    proc = subprocess.run(
        [str(python), "-m", "gitops.runner", "--file", "workflows.yaml", "--output", "json", "--name", "wf"],
        capture_output=True,
        text=True,
        cwd=checkout,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    nodes = {n["name"]: n for n in json.loads(proc.stdout)["status"]["nodes"].values()}
    assert nodes["wf.train"]["phase"] == "Succeeded"  # `python` ran, from /tmp, writing under its /tmp mount
    assert nodes["wf.train"]["outputs"]["parameters"][0]["value"] == "0.1"
