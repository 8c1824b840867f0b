"""The serving image (Dockerfile, target `serving`), checked without a Docker engine.

It installs requirements/serving.lock, which is resolved against the same
requirements/dev.lock as the step image: the libraries a model is trained and
pickled with are the ones it is served with, and the ones this suite and the
local demo (.venv, from dev.lock) run.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version as installed

import pytest
import yaml

from gitops.validate.policy.images import repository
from tests.manifests.rendering import ENVIRONMENTS, MODELS, find, model_docs
from tests.serving.dockerfile import REPO, env, lock, normalized, stages

SERVING_IMAGE = "ghcr.io/example-org/serving-runtime"
STEP_IMAGE = "ghcr.io/example-org/pipeline-steps"


def test_serving_is_a_named_stage_on_the_step_image_s_base_and_step_stays_the_default():
    names = list(stages())
    assert names[-1] == "step"  # `docker build .` without --target still builds the step image
    assert {"serving-build", "serving"} <= set(names)
    assert all(text.startswith("FROM ${PYTHON_IMAGE} AS ") for text in stages().values())


def test_the_serving_lock_is_installed_with_hashes_in_its_build_stage_only():
    build, final = stages()["serving-build"], stages()["serving"]
    assert "COPY requirements/serving.lock requirements/serving.lock" in build
    assert re.search(r"pip install --require-hashes --no-deps -r requirements/serving\.lock", build)
    assert "pip install" not in final and "COPY --from=serving-build /opt/venv /opt/venv" in final
    assert "!requirements/serving.lock" in (REPO / ".dockerignore").read_text().split()


def test_it_runs_mlserver_on_the_model_kserve_mounts_as_a_non_root_user():
    final = stages()["serving"]
    assert re.search(r"^USER 10001:10001$", final, re.M)
    assert re.search(r"^WORKDIR /tmp$", final, re.M)
    assert re.search(r'^CMD \["mlserver", "start", "/mnt/models"\]$', final, re.M)


def test_the_serving_lock_pins_the_serving_extra_and_agrees_with_dev_and_step_locks():
    serving, dev, step = lock("serving.lock"), lock("dev.lock"), lock("step.lock")
    extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["serving"]
    for requirement in extra:
        name, _, pinned = requirement.partition("==")
        assert normalized(name) in serving, f"{name} from the serving extra is not in serving.lock"
        if pinned:
            assert serving[normalized(name)] == pinned
    assert {n: (v, dev.get(n)) for n, v in serving.items() if dev.get(n) != v} == {}
    assert {n: (v, step[n]) for n, v in serving.items() if n in step and step[n] != v} == {}


def test_the_local_demo_serves_with_the_serving_lock_s_versions():
    """The demo's MLServer is .venv's (gitops.runner.services.start_mlserver): the same versions as the image."""
    assert {n: (v, installed(n)) for n, v in lock("serving.lock").items() if installed(n) != v} == {}


def test_the_reviewed_record_says_what_the_dockerfile_does():
    (record,) = [
        e
        for e in yaml.safe_load((REPO / "policy/serving-images.yaml").read_text())["images"]
        if repository(e["image"]) == SERVING_IMAGE
    ]
    user, group = re.search(r"^USER (\d+):(\d+)$", stages()["serving"], re.M).groups()
    assert (record["user"], record["group"]) == (int(user), int(group))
    image_env = env("serving")
    assert {w["env"]: w["path"] for w in record["writes"]} == {w["env"]: image_env[w["env"]] for w in record["writes"]}


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_every_environment_serves_with_the_image_built_beside_its_step_image(env_name):
    for model in MODELS:
        docs = model_docs(env_name, model)
        (runtime,) = find(docs, "ServingRuntime", f"{model}-mlserver")
        (container,) = runtime["spec"]["containers"]
        steps = {
            c["image"]
            for d in find(docs, "WorkflowTemplate")
            for t in d["spec"]["templates"]
            for c in [t.get("container") or {}]
            if c.get("image", "").startswith(STEP_IMAGE + ":")
        }
        (step,) = steps
        assert container["image"].rpartition(":")[2] == step.rpartition(":")[2]
        assert container["image"].startswith(SERVING_IMAGE + ":")
