"""scripts/system-deps installs (or names) only what it is asked for: the demo asks for the Pushgateway alone,
the tests for everything. Run as a user with an empty PATH, so it reports instead of installing."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "system-deps"


def system_deps(tmp_path: Path, *names: str) -> subprocess.CompletedProcess:
    bin_dir = tmp_path / "bin"  # `id` only: none of the tools, and no apt-get to install them with
    bin_dir.mkdir(exist_ok=True)
    if not (bin_dir / "id").exists():
        (bin_dir / "id").symlink_to(shutil.which("id"))
    as_user = []
    if os.geteuid() == 0:  # as nobody, who may read the PATH directory
        for folder in (bin_dir, *bin_dir.parents):
            if folder == Path(tempfile.gettempdir()):
                break
            folder.chmod(folder.stat().st_mode | 0o055)
        as_user = [shutil.which("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups"]
    return subprocess.run(
        [*as_user, shutil.which("bash"), str(SCRIPT), *names],
        capture_output=True,
        text=True,
        env={"PATH": str(bin_dir)},
        timeout=30,
    )


@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("setpriv") is None, reason="as root it would install")
def test_the_demo_asks_only_for_the_pushgateway_and_the_tests_for_everything(tmp_path):
    demo = system_deps(tmp_path, "pushgateway")
    assert (demo.returncode, demo.stderr) == (
        1,
        "system-deps: missing prometheus-pushgateway; install them with: sudo sh -c 'apt-get update && apt-get "
        "install -y --no-install-recommends prometheus-pushgateway'\n",
    )
    everything = system_deps(tmp_path)
    assert everything.returncode == 1
    assert everything.stderr.startswith(
        "system-deps: missing prometheus-pushgateway prometheus prometheus-alertmanager nodejs npm; "
    )
    assert "scripts/system-deps pushgateway\n" in (SCRIPT.parent / "demo").read_text()


def test_an_unknown_name_is_refused_with_the_names_it_knows(tmp_path):
    done = system_deps(tmp_path, "kubectl")
    assert (done.returncode, done.stderr) == (
        2,
        "system-deps: kubectl: not a tool this script installs (fix: name pushgateway, promtool, amtool or node, "
        "or none for all)\n",
    )
