"""Cold start of each step module: a fresh interpreter per step, imports included.

`python -m mlpipeline.bench_imports` prints JSON; `measure()` is what
`make bench` calls. Each figure is the best of a few runs (the least
disturbed by the machine's other work). `import_seconds` is the module alone
and `heavy` lists which of scikit-learn and MLflow's flavours it pulled in
(none should: they load inside main()); `with_runtime_imports_seconds` adds
what main() imports, i.e. the cold start of a real run before any I/O.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

STEPS = ("train", "validate", "version", "monitor", "deploy", "mark_deployed", "drift")
HEAVY = ("sklearn", "mlflow", "mlflow.sklearn", "mlflow.pyfunc", "matplotlib", "scipy")
# What each step's main() imports on top: the full cold start of a real run
# (before any network call) is the module import plus these.
RUNTIME = {
    "train": ("mlflow", "mlflow.sklearn", "sklearn.ensemble", "sklearn.model_selection"),
    "validate": ("mlflow", "mlflow.sklearn", "sklearn.metrics", "matplotlib.pyplot"),
    "version": ("mlflow", "mlflow.models"),
    "monitor": ("mlflow", "prometheus_client"),
    "deploy": ("mlflow",),
    "mark_deployed": ("mlflow", "sklearn.model_selection", "prometheus_client"),
    "drift": ("mlflow", "pandas", "scipy.stats", "prometheus_client"),
}
PROBE = (
    "import importlib, json, sys; importlib.import_module(sys.argv[1]); "
    "print(json.dumps([m for m in sys.argv[2:] if m in sys.modules]))"
)


def cold_start(step: str, repeats: int = 3) -> dict:
    best, heavy = float("inf"), []
    for _ in range(repeats):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", PROBE, f"mlpipeline.{step}", *HEAVY], capture_output=True, text=True, check=True
        )
        best = min(best, time.perf_counter() - started)
        heavy = json.loads(done.stdout)
    with_runtime = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import mlpipeline.{step}, " + ", ".join(RUNTIME[step])], check=True)
        with_runtime = min(with_runtime, time.perf_counter() - started)
    return {
        "step": step,
        "import_seconds": round(best, 3),
        "heavy": heavy,
        "with_runtime_imports_seconds": round(with_runtime, 3),
    }


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
