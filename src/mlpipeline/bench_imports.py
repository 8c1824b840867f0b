"""Cold start of each step module: a fresh interpreter per step, imports included.

`python -m mlpipeline.bench_imports` prints JSON; `measure()` is what
`make bench` calls. Each figure is the best of a few runs (the least
disturbed by the machine's other work), and `heavy` lists which of
scikit-learn and MLflow's model flavours the import pulled in: those should
load only inside main(), when a step really needs them.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time

STEPS = ("train", "validate", "version", "monitor", "deploy", "mark_deployed", "drift")
HEAVY = ("sklearn", "mlflow", "mlflow.sklearn", "mlflow.pyfunc", "matplotlib", "scipy")
PROBE = ("import importlib, json, sys; importlib.import_module(sys.argv[1]); "
         "print(json.dumps([m for m in sys.argv[2:] if m in sys.modules]))")


def cold_start(step: str, repeats: int = 3) -> dict:
    best, heavy = float("inf"), []
    for _ in range(repeats):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", PROBE, f"mlpipeline.{step}", *HEAVY],
                              capture_output=True, text=True, check=True)
        best = min(best, time.perf_counter() - started)
        heavy = json.loads(done.stdout)
    return {"step": step, "import_seconds": round(best, 3), "heavy": heavy}


def baseline(repeats: int = 3) -> float:
    """The bare interpreter's start, to subtract mentally from each figure."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        best = min(best, time.perf_counter() - started)
    return round(best, 3)


def measure(repeats: int = 3) -> dict:
    return {"interpreter_seconds": baseline(repeats), "steps": [cold_start(step, repeats) for step in STEPS]}


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
