"""Ctrl-C in the validator: one line, exit 130, no traceback. The SIGINT comes while kustomize is reading a
resource that is a FIFO: opening its writing end returns only once kustomize has opened it, so the signal
lands inside the render every time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_ctrl_c_while_rendering_ends_in_one_line_and_exit_130(tmp_path):
    folder = tmp_path / "overlay"
    folder.mkdir()
    (folder / "kustomization.yaml").write_text("resources:\n- held.yaml\n")
    os.mkfifo(folder / "held.yaml")
    validate = subprocess.Popen(
        [sys.executable, "-m", "gitops.validate", "--repo", str(REPO), "--no-render-cache", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        start_new_session=True,  # a terminal's foreground job: Ctrl-C is SIGINT to its whole group
    )
    opened: list[int] = []
    reader = threading.Thread(target=lambda: opened.append(os.open(folder / "held.yaml", os.O_WRONLY)), daemon=True)
    reader.start()
    reader.join(timeout=240)  # returns once kustomize opened the resource for reading
    if not opened:
        validate.kill()
        raise AssertionError(f"kustomize never opened the resource: {validate.communicate()}")
    try:
        os.killpg(validate.pid, signal.SIGINT)
        out, err = validate.communicate(timeout=60)
    finally:
        os.close(opened[0])
    assert (validate.returncode, out, err) == (
        130,
        "",
        "validate: interrupted (Ctrl-C) before it finished; nothing was changed (fix: run it again)\n",
    )
