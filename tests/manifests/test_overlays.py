"""Every model in every environment renders to what the environment matrix in DESIGN.md says."""

from __future__ import annotations

import pytest

from gitops.core import layout
from tests.manifests.rendering import (
    ENVIRONMENTS,
    MATRIX,
    MODELS,
    find,
    generated_config,
    model_docs,
    namespace_docs,
)

# Images, references, pod security: the validator's rules, run on the real repo once
# (tests/validate/test_repo_kustomizations.py). Here: the environment matrix.
IDS = [f"{model}-{env}" for env, model in MATRIX]


def test_iris_and_wine_are_declared():
    assert MODELS == ("iris", "wine")


@pytest.mark.parametrize(("env", "model"), MATRIX, ids=IDS)
def test_every_object_of_a_model_is_named_for_it_in_the_environment_namespace(env, model):
    outside = [
        f"{d['kind']}/{d['metadata']['name']}"
        for d in model_docs(env, model)
        if d["metadata"].get("namespace") != f"ml-{env}"
        or not (d["metadata"]["name"] == model or d["metadata"]["name"].startswith(f"{model}-"))
    ]
    assert outside == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_namespace_folder_creates_the_shared_namespace(env):
    (namespace,) = find(namespace_docs(env), "Namespace")
    assert namespace["metadata"]["name"] == f"ml-{env}"
    assert {d["metadata"].get("namespace", f"ml-{env}") for d in namespace_docs(env)} == {f"ml-{env}"}


@pytest.mark.parametrize(("env", "model"), MATRIX, ids=IDS)
def test_the_model_declaration_names_registry_experiment_and_spec(env, model):
    config = generated_config(model_docs(env, model))
    assert (config["MODEL_NAME"], config["MODEL_SPEC"], config["MLFLOW_EXPERIMENT_NAME"]) == (model, model, model)


@pytest.mark.parametrize(("env", "model"), MATRIX, ids=IDS)
def test_drift_is_suspended_in_dev_only_and_runs_on_the_model_s_schedule(env, model):
    docs = model_docs(env, model)
    (cron,) = find(docs, "CronWorkflow", f"{model}-drift")
    assert cron["spec"].get("suspend", False) is (env == "dev")
    assert cron["spec"]["schedules"] == [generated_config(docs)["DRIFT_SCHEDULE"]]
    assert cron["spec"]["timezone"] == "UTC"


@pytest.mark.parametrize(("env", "model"), MATRIX, ids=IDS)
def test_champion_alias_is_dev_in_dev_and_production_elsewhere(env, model):
    config = generated_config(model_docs(env, model))
    assert config["CHAMPION_ALIAS"] == ("dev" if env == "dev" else "production")
    assert config["ENVIRONMENT"] == env


@pytest.mark.parametrize(("env", "model"), MATRIX, ids=IDS)
def test_the_inference_service_is_the_model_serving_its_pin(env, model):
    docs = model_docs(env, model)
    (pin,) = find(docs, "ConfigMap", f"{model}-model-pin")
    (isvc,) = find(docs, "InferenceService", model)
    assert isvc["spec"]["predictor"]["model"]["storageUri"] == pin["data"]["storageUri"]
    assert pin["data"]["modelName"] == model
    # The request log lands under <model>/<environment>, where the drift check reads it.
    assert isvc["spec"]["predictor"]["logger"]["url"].endswith(f"/{model}/{env}")
    (pdb,) = find(docs, "PodDisruptionBudget", f"{model}-predictor")
    assert pdb["spec"]["selector"]["matchLabels"] == {"serving.kserve.io/inferenceservice": model}


@pytest.mark.parametrize(("env", "model"), MATRIX, ids=IDS)
def test_replicas_follow_the_environment_matrix(env, model):
    (isvc,) = find(model_docs(env, model), "InferenceService", model)
    predictor, annotations = isvc["spec"]["predictor"], isvc["metadata"]["annotations"]
    expected = {"dev": ("none", 1, 1), "staging": ("none", 2, 2), "prod": ("hpa", 3, 6)}[env]
    assert (annotations["serving.kserve.io/autoscalerClass"], predictor["minReplicas"], predictor["maxReplicas"]) == (
        expected
    )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_namespace_components_follow_the_environment_matrix(env):
    kinds = {d["kind"] for d in namespace_docs(env)}
    expected = {
        "dev": {"NetworkPolicy"},
        "staging": {"NetworkPolicy", "PrometheusRule"},
        "prod": {"NetworkPolicy", "PrometheusRule", "CronJob"},
    }[env]
    assert {"NetworkPolicy", "PrometheusRule", "CronJob"} & kinds == expected


@pytest.mark.parametrize(("env", "model"), MATRIX, ids=IDS)
def test_the_config_workflow_arguments_read_is_labelled_for_argo(env, model):
    """Argo Workflows reads arguments' configMapKeyRef only from ConfigMaps labelled as parameter sources."""
    docs = model_docs(env, model)
    (template,) = find(docs, "WorkflowTemplate", f"{model}-pipeline")
    names = {
        p["valueFrom"]["configMapKeyRef"]["name"]
        for p in template["spec"]["arguments"]["parameters"]
        if "valueFrom" in p
    }
    for config in (d for d in find(docs, "ConfigMap") if d["metadata"]["name"] in names):
        assert config["metadata"]["labels"]["workflows.argoproj.io/configmap-type"] == "Parameter"
    assert names


def test_the_deploy_step_writes_the_dev_folder_of_its_model():
    """The deploy step's default pin file (mlpipeline.pin.PIN_PATH) is the folder the repo has."""
    for model in MODELS:
        assert (layout.pin_file("dev", model)).parent == layout.model_dir("dev", model)
