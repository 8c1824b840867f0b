"""The step image, checked without a Docker engine: its pins match requirements/step.lock."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version as installed
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = (REPO / "Dockerfile").read_text()
WORKFLOW = REPO / ".github/workflows/step-image.yaml"


def lock(name: str) -> dict[str, str]:
    """name -> version for every requirement in a uv-generated lock, asserting each is hash-pinned."""
    text = (REPO / "requirements" / name).read_text()
    entries = re.findall(
        r"^([A-Za-z0-9_.\-]+)==([^\s\\]+) \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", text, re.M
    )
    pins = {normalized(n): v for n, v, _ in entries}
    requirement_lines = re.findall(r"^[A-Za-z0-9_.\-]+==", text, re.M)
    assert len(pins) == len(requirement_lines), f"{name}: a requirement without a sha256 hash"
    return pins


def normalized(name: str) -> str:
    """A project name as PyPI compares them (PEP 503): ruamel.yaml and ruamel-yaml are one."""
    return re.sub(r"[-_.]+", "-", name).lower()


def final_stage() -> str:
    return DOCKERFILE.rsplit("\nFROM ", 1)[1]


def test_base_image_is_a_published_slim_tag_matching_the_project_python():
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE, re.M).group(1)
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    minor = re.search(r">=(\d+\.\d+)", requires).group(1)
    assert re.fullmatch(rf"python:{re.escape(minor)}\.\d+-slim-[a-z]+", base), base
    assert "@sha256:" not in DOCKERFILE and ":latest" not in DOCKERFILE
    # Multi-stage, one base: the step image's build and final stages, the serving image's two (tests/serving).
    assert DOCKERFILE.count("FROM ${PYTHON_IMAGE}") == 4


def test_dependencies_install_from_step_lock_with_hashes_in_the_build_stage_only():
    build = DOCKERFILE.rsplit("\nFROM ", 1)[0]
    assert "COPY requirements/step.lock requirements/step.lock" in build
    assert re.search(r"pip install --require-hashes --no-deps -r requirements/step\.lock", build)
    assert "pip install" not in final_stage()
    assert not re.search(r"\b(gcc|build-essential|python3-dev)\b", final_stage())


def test_runs_as_non_root_and_writes_only_under_tmp():
    stage = final_stage()
    user = re.search(r"^USER (\d+):(\d+)$", stage, re.M)
    assert user and int(user.group(1)) > 0
    for setting in ("HOME=/tmp", "MPLCONFIGDIR=/tmp/matplotlib", "PYTHONDONTWRITEBYTECODE=1"):
        assert setting in stage
    assert re.search(r"^WORKDIR /tmp$", stage, re.M)


def test_step_lock_pins_every_step_dependency_and_matches_what_the_tests_ran_with():
    step, dev = lock("step.lock"), lock("dev.lock")
    extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["step"]
    for requirement in extra:
        name, _, pinned = requirement.partition("==")
        key = normalized(name.strip())
        assert key in step, f"{name} from the step extra is not in step.lock"
        if pinned:
            assert step[key] == pinned.strip()
    # The image ships exactly the versions this suite just exercised.
    assert {n: v for n, v in step.items() if dev.get(n) != v} == {}
    mismatched = {n: (v, installed(n)) for n, v in step.items() if installed(n) != v}
    assert mismatched == {}


def test_dockerignore_sends_only_the_lock_and_the_package():
    lines = (REPO / ".dockerignore").read_text().split()
    assert lines[:3] == ["*", "!requirements/step.lock", "!src/mlpipeline"]


def test_workflow_builds_on_src_changes_and_tags_version_and_commit():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # PyYAML reads the key `on` as a boolean
    assert "src/**" in triggers["push"]["paths"] and "src/**" in triggers["pull_request"]["paths"]
    job = workflow["jobs"]["build"]
    assert job["env"]["IMAGE"] == "${{ matrix.image }}"
    targets = {m["target"]: m["image"] for m in job["strategy"]["matrix"]["include"]}
    assert targets == {"step": "ghcr.io/example-org/pipeline-steps", "serving": "ghcr.io/example-org/serving-runtime"}
    steps = job["steps"]
    for step in steps:
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+(\.\d+)*", step["uses"]), step["uses"]
    meta = next(s for s in steps if s.get("id") == "meta")["with"]["tags"]
    assert "type=raw,value=${{ steps.version.outputs.value }}" in meta and "type=sha" in meta
    build = next(s for s in steps if s.get("uses", "").startswith("docker/build-push-action@"))
    assert build["with"]["push"] == "${{ github.event_name == 'push' }}"
    assert build["with"]["target"] == "${{ matrix.target }}"


@pytest.mark.parametrize("step", ["train", "validate", "version", "monitor", "deploy", "mark_deployed", "drift"])
def test_every_step_module_is_in_the_image_context(step):
    assert (REPO / "src/mlpipeline" / f"{step}.py").is_file()
