"""Importing a step module stays cheap: scikit-learn and MLflow load inside main(), when needed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mlpipeline.bench_imports import HEAVY, PROBE, RUNTIME, STEPS


@pytest.mark.parametrize("step", STEPS)
def test_step_module_imports_no_heavy_library(step):
    done = subprocess.run(
        [sys.executable, "-c", PROBE, f"mlpipeline.{step}", *HEAVY, "pandas"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == []


def test_bench_covers_every_step():
    assert set(RUNTIME) == set(STEPS)
