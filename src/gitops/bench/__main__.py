"""make bench: speed figures for the validator (and, when present, the pipeline), written to a file.

python -m gitops.bench --out bench/results.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import yaml

from gitops.bench import models, synthetic
from gitops.core import yamlio
from gitops.core.documents import Document
from gitops.validate import policy
from gitops.validate.run import check_objects, run
from gitops.validate.schemas import check as schemacheck
from gitops.validate.schemas import store, unchecked
from gitops.validate.schemas.lookup import SchemaIndex

REPEAT = 3


def timed(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    """Median wall seconds of `repeat` runs after one warm-up."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def parse_and_check(text: str, index: SchemaIndex) -> int:
    bodies, errors = yamlio.load_documents(text)
    findings = 0
    for i, body in enumerate(bodies):
        findings += len(schemacheck.check(Document("bench", i, body), index))
    return findings + len(errors)


def schema_and_cel(docs: list[Document], index: SchemaIndex) -> int:
    """The schema layer alone: both Kubernetes versions' core schemas, CRD schemas and their CEL rules."""
    return sum(len(schemacheck.check(doc, index)) for doc in docs)


def bench_parsers(text: str) -> dict:
    chunks = yamlio.split_documents(text)
    rs = timed(lambda: yamlio.load_documents(text))
    py = timed(lambda: [yaml.load(c, Loader=yaml.CSafeLoader) for c in chunks])
    same = yamlio.load_documents(text)[0] == [yaml.load(c, Loader=yaml.CSafeLoader) for c in chunks]
    return {
        "documents": len(chunks),
        "megabytes": round(len(text) / 1e6, 1),
        "yaml_rs_s": round(rs, 3),
        "pyyaml_c_s": round(py, 3),
        "identical_results": same,
    }


def bench_schema_check(index: SchemaIndex) -> dict:
    out = {}
    for count, target in ((1_000, 0.5), (10_000, 2.0)):
        text = synthetic.stream(count)
        assert parse_and_check(text, index) == 0, "synthetic documents must be valid"
        seconds = timed(lambda text=text: parse_and_check(text, index))
        out[str(count)] = {
            "seconds": round(seconds, 3),
            "target_s": target,
            "met": seconds < target,
            "megabytes": round(len(text) / 1e6, 1),
        }
    text = synthetic.stream(10_000)
    docs = [Document("bench", i, b) for i, b in enumerate(yamlio.load_documents(text)[0])]
    layer = timed(lambda: schema_and_cel(docs, index))
    with_apiserver = timed(lambda: check_objects(docs, index))
    out["schema_and_cel_10000"] = {
        "what": "parsed documents through the schema layer: core schemas of Kubernetes 1.33 and 1.37, "
        "CRD schemas and their CEL rules",
        "seconds": round(layer, 3),
        "target_s": 1.5,
        "met": layer < 1.5,
        "cel_rule_locations_evaluated": cel_evaluations(docs, index),
    }
    out["schema_cel_and_apiserver_10000"] = {
        "what": "the same plus the API server's built-in checks (apiserver/)",
        "seconds": round(with_apiserver, 3),
    }
    out["parsers_10000"] = bench_parsers(text)
    return out


def cel_evaluations(docs: list[Document], index: SchemaIndex) -> int:
    """How many (rule, node) evaluations the CEL pass made over `docs`: proof it ran."""
    from gitops.validate.schemas import cel

    count = 0
    real = cel.evaluate

    def counting(program, bound):
        nonlocal count
        count += 1
        return real(program, bound)

    cel.evaluate = counting
    try:
        schema_and_cel(docs, index)
    finally:
        cel.evaluate = real
    return count


def bench_repo(repo: Path) -> dict:
    cmd = [sys.executable, "-m", "gitops.validate", "--repo", str(repo)]
    ok = subprocess.run(cmd, capture_output=True, text=True, cwd=repo)
    seconds = timed(lambda: subprocess.run(cmd, capture_output=True, cwd=repo))
    verdicts = [ln for ln in ok.stdout.splitlines() if ln.startswith(("OK:", "FAILED:"))]
    summary = verdicts[-1] if verdicts else ok.stderr.strip()
    return {
        "command": "python -m gitops.validate",
        "wall_s": round(seconds, 3),
        "target_s": 2.0,
        "met": seconds < 2.0 and ok.returncode == 0,
        "summary": summary,
    }


def bench_scaling(index: SchemaIndex) -> dict:
    out = {}
    for overlays in (3, 30, 90):
        with tempfile.TemporaryDirectory() as tmp:
            dirs = synthetic.repo(Path(tmp), overlays)
            result = run(policy.Context.load(Path(tmp)), dirs, index, jobs=2, rule_passes=[])
            assert not result.findings(), [f.line() for f in result.findings()][:3]

            def fresh(tmp: str = tmp, dirs: list[Path] = dirs) -> object:
                # A new context each time: renders are cached per run, and every run renders.
                return run(policy.Context.load(Path(tmp)), dirs, index, jobs=2, rule_passes=[])

            seconds = timed(fresh, repeat=1)
        out[str(overlays)] = {"seconds": round(seconds, 3), "per_overlay_ms": round(1000 * seconds / overlays, 1)}
    per = [v["per_overlay_ms"] for v in out.values()]
    out["flat"] = max(per) <= 1.5 * min(per)
    return out


def pipeline_sections(repo: Path) -> dict:
    """The pipeline's figures: each step's cold start, and a warm local run of the whole WorkflowTemplate."""
    out = {}
    from gitops.runner import bench as runner_bench
    from mlpipeline import bench_imports

    out["step_cold_start"] = bench_imports.measure()
    out["pipeline_run_warm"] = runner_bench.run(repo)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--out", type=Path, default=Path("bench/results.json"))
    parser.add_argument("--repo", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    root = store.default_root(repo)
    index = SchemaIndex(root, store.ensure(root, repo), unchecked.load())
    results = {
        "machine": {
            "cpus": __import__("os").cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "repo_validate_warm": bench_repo(repo),
        "validate_by_models": models.measure(repo, timed),
        "parse_and_schema_check": bench_schema_check(index),
        "overlay_scaling": bench_scaling(index),
        **pipeline_sections(repo),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
