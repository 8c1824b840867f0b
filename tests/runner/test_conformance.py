"""Conformance: small WorkflowTemplates run through the CLI, each against the outcome Argo v4.0.6 gives.

Every case folder under tests/fixtures/runner/conformance holds a
workflowtemplate.yaml and an expected.yaml: `why` says what Argo does and which
controller or validator file decides it (read at the pinned tag); then either
`refused` (the exact line the runner prints, exit 2, nothing run or written), or
the run's exit code, the Workflow's phase and message, and node phases and
messages keyed by node name (the workflow is named `wf`; `{id:<node name>}`
stands for that node's ID), optionally output parameters, nodes that must not
exist, the line saying Argo would never finish (`hang`, exit 3), ordering
(`starts_after`) and mutual exclusion (`serial`). The record is read from
--output json and must equal the run directory's workflow.json.

The cases run concurrently (four CLI processes at a time): each is its own
workflow with its own state directory, as separate `argo submit`s would be.
They run once, as the runner runs by default: every case's pods are `sh -c`,
which the step server never forks (nor starts for), so a second run with
`--step-server off` would run the same processes again. The server's own cases,
forked pods against plain ones, are tests/runner/test_step_server.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from gitops.runner.record import fnv1a32

CONFORMANCE = Path(__file__).resolve().parents[1] / "fixtures" / "runner" / "conformance"
CASES = sorted(p.name for p in CONFORMANCE.iterdir() if (p / "expected.yaml").is_file())
NAME = "wf"


def run_case(case: str, root: Path, repo: Path) -> tuple[subprocess.CompletedProcess, Path]:
    state = root / case
    expected = yaml.safe_load((CONFORMANCE / case / "expected.yaml").read_text())
    argv = [sys.executable, "-m", "gitops.runner", "--file", str(CONFORMANCE / case / "workflowtemplate.yaml")]
    argv += ["--state-dir", str(state), "--name", NAME, "--output", "json"]
    argv += expected.get("args", [])
    return subprocess.run(argv, capture_output=True, text=True, cwd=repo, timeout=120), state


@pytest.fixture(scope="module")
def results(tmp_path_factory, repo):
    root = tmp_path_factory.mktemp("conformance")
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {case: pool.submit(run_case, case, root, repo) for case in CASES}
        return {case: future.result() for case, future in futures.items()}


def node_id(name: str) -> str:
    return NAME if name == NAME else f"{NAME}-{fnv1a32(name)}"


def text(value: str) -> str:
    """An expected message with its {id:<node name>} placeholders filled in."""
    out = value
    while "{id:" in out:
        start = out.index("{id:")
        end = out.index("}", start)
        out = out[:start] + node_id(out[start + 4 : end]) + out[end + 1 :]
    return out


def test_there_are_at_least_thirty_cases_each_saying_why():
    assert len(CASES) >= 30
    sh_only = [c for c in CASES if "python" not in (CONFORMANCE / c / "workflowtemplate.yaml").read_text()]
    assert sh_only == CASES, "a python pod is forked by the step server: run such a case with it on and off"
    for case in CASES:
        why = yaml.safe_load((CONFORMANCE / case / "expected.yaml").read_text())["why"]
        assert ".go" in why, f"{case}: `why` names no controller source file"


@pytest.mark.parametrize("case", CASES)
def test_runs_as_argo_does(case, results):
    proc, state = results[case]
    expected = yaml.safe_load((CONFORMANCE / case / "expected.yaml").read_text())
    if "refused" in expected:
        assert (proc.returncode, proc.stderr.strip(), proc.stdout) == (2, expected["refused"], "")
        assert not (state / "runs").exists(), "a refusal must leave nothing behind"
        return
    assert proc.returncode == expected["exit"], proc.stderr
    wf = json.loads(proc.stdout)
    (record,) = (state / "runs").glob("*/workflow.json")
    assert json.loads(record.read_text()) == wf
    status = wf["status"]
    nodes = {n["name"]: n for n in status["nodes"].values()}
    assert status["phase"] == expected["phase"]
    if "hang" in expected:
        assert expected["hang"] in proc.stderr
    if "message" in expected:
        assert status.get("message", "") == text(expected["message"])
    for name, (phase, *message) in expected.get("nodes", {}).items():
        assert name in nodes, f"no node {name}; nodes: {sorted(nodes)}"
        assert nodes[name]["phase"] == phase, name
        if message:
            assert nodes[name].get("message", "") == text(message[0]), name
    if expected.get("nodes") == {}:
        assert nodes == {}
    for name in expected.get("absent", []):
        assert name not in nodes
    for name, params in expected.get("outputs", {}).items():
        got = {p["name"]: p.get("value") for p in nodes[name]["outputs"]["parameters"]}
        assert {k: got.get(k) for k in params} == params, name
    for later, earlier in expected.get("starts_after", {}).items():
        assert nodes[later]["startedAt"] >= nodes[earlier]["finishedAt"], (later, earlier)
    if "serial" in expected:
        spans = []
        for name in expected["serial"]:
            params = {p["name"]: float(p["value"]) for p in nodes[name]["outputs"]["parameters"]}
            spans.append((params["start"], params["end"]))
        (a0, a1), (b0, b1) = sorted(spans)
        assert a1 <= b0, f"the two runs overlap: {spans}"
