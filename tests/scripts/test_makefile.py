"""`make render OVERLAY=... | kubectl apply --server-side -f -` (k8s/README.md) reads only YAML on stdout, even
when make first builds the venv: that recipe is silent and says its progress on stderr."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def stamp_recipe() -> list[str]:
    """The command lines of the `$(STAMP):` rule, continuation lines joined."""
    text = (REPO / "Makefile").read_text()
    recipe = re.search(r"^\$\(STAMP\):.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert recipe, "Makefile: no $(STAMP) rule"
    return recipe.group(1).replace("\\\n", " ").splitlines()


def test_the_venv_recipe_echoes_nothing_and_prints_only_to_stderr():
    lines = [line.strip() for line in stamp_recipe()]
    assert [line for line in lines if not line.startswith("@")] == []  # make echoes every line without @
    quiet = [line for line in lines if line.endswith(">&2") or line.startswith("@touch ")]
    # The Python version check prints only from its `{ echo ... >&2; ...; }` block.
    version_check = [line for line in lines if "sys.version_info" in line]
    echoes = re.findall(r'echo "[^"]*"( >&2)?', version_check[0]) if len(version_check) == 1 else []
    assert echoes and all(echoes), version_check
    assert sorted(quiet + version_check) == sorted(lines)


@pytest.mark.slow
def test_make_render_on_a_fresh_clone_prints_yaml_only(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    done = subprocess.run(
        ["make", "render", "OVERLAY=k8s/overlays/dev/iris", f"PYTHON={sys.executable}"],
        cwd=clone,
        # As a person types it: under `make test` the inherited MAKELEVEL makes this a sub-make, which prints
        # "make[1]: Entering directory" on stdout before it reads any makefile.
        env={k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("apiVersion: "), done.stdout[:500]  # no echoed command before the YAML
    documents = list(yaml.safe_load_all(done.stdout))
    assert all(isinstance(d, dict) and d.get("apiVersion") for d in documents), done.stdout[:500]
    assert "setup: installing the pinned tooling into .venv" in done.stderr  # the venv was built in this run
