"""Each environment renders to what the environment matrix in DESIGN.md says."""

from __future__ import annotations

import pytest

from tests.manifests.rendering import ENVIRONMENTS, documents, find

# Images, references, pod security: the validator's rules, run on the real repo once
# (tests/validate/test_repo_kustomizations.py). Here: the environment matrix.


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_object_lands_in_the_environment_namespace(env):
    """Only the environment's own Namespace is cluster-scoped; everything else is inside it."""
    namespace = f"iris-{env}"
    outside = [
        f"{d['kind']}/{d['metadata']['name']}"
        for d in documents(f"k8s/overlays/{env}")
        if (d["metadata"]["name"] if d["kind"] == "Namespace" else d["metadata"].get("namespace")) != namespace
    ]
    assert outside == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_drift_schedule_is_suspended_in_dev_only(env):
    (cron,) = find(documents(f"k8s/overlays/{env}"), "CronWorkflow", "iris-drift")
    assert cron["spec"].get("suspend", False) is (env == "dev")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_champion_alias_is_dev_in_dev_and_production_elsewhere(env):
    (config,) = [
        d
        for d in find(documents(f"k8s/overlays/{env}"), "ConfigMap")
        if d["metadata"]["name"].startswith("pipeline-config-")
    ]
    assert config["data"]["CHAMPION_ALIAS"] == ("dev" if env == "dev" else "production")
    assert config["data"]["ENVIRONMENT"] == env


def test_prod_serves_at_least_three_replicas_with_autoscaling_and_a_pdb():
    docs = documents("k8s/overlays/prod")
    (isvc,) = find(docs, "InferenceService", "iris")
    (hpa,) = find(docs, "HorizontalPodAutoscaler")
    (pdb,) = find(docs, "PodDisruptionBudget")
    assert isvc["spec"]["predictor"]["minReplicas"] >= 3
    assert hpa["spec"]["minReplicas"] >= 3
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    # KServe names the predictor Deployment <isvc>-predictor; the HPA must scale it.
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "iris-predictor"}
    assert pdb["spec"]["selector"]["matchLabels"] == {"serving.kserve.io/inferenceservice": "iris"}
    assert pdb["spec"]["minAvailable"] < isvc["spec"]["predictor"]["minReplicas"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_inference_service_serves_the_pinned_storage_uri(env):
    docs = documents(f"k8s/overlays/{env}")
    (pin,) = find(docs, "ConfigMap", "model-pin")
    (isvc,) = find(docs, "InferenceService", "iris")
    assert isvc["spec"]["predictor"]["model"]["storageUri"] == pin["data"]["storageUri"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_components_follow_the_environment_matrix(env):
    kinds = {d["kind"] for d in documents(f"k8s/overlays/{env}")}
    expected = {
        "dev": {"NetworkPolicy"},
        "staging": {"NetworkPolicy", "PrometheusRule"},
        "prod": {"NetworkPolicy", "PrometheusRule", "CronJob"},
    }[env]
    assert {"NetworkPolicy", "PrometheusRule", "CronJob"} & kinds == expected


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_config_workflow_arguments_read_is_labelled_for_argo(env):
    """Argo Workflows reads arguments' configMapKeyRef only from ConfigMaps labelled as parameter sources."""
    docs = documents(f"k8s/overlays/{env}")
    (template,) = find(docs, "WorkflowTemplate", "iris-pipeline")
    names = {
        p["valueFrom"]["configMapKeyRef"]["name"]
        for p in template["spec"]["arguments"]["parameters"]
        if "valueFrom" in p
    }
    for config in (d for d in find(docs, "ConfigMap") if d["metadata"]["name"] in names):
        assert config["metadata"]["labels"]["workflows.argoproj.io/configmap-type"] == "Parameter"
    assert names


@pytest.mark.parametrize("env", ("staging", "prod"))
def test_the_accuracy_alert_fires_below_the_pipelines_own_floor(env):
    docs = documents(f"k8s/overlays/{env}")
    (config,) = [d for d in find(docs, "ConfigMap") if d["metadata"]["name"].startswith("pipeline-config-")]
    (rule,) = [
        r
        for d in find(docs, "PrometheusRule")
        for g in d["spec"]["groups"]
        for r in g["rules"]
        if r.get("alert") == "IrisAccuracyBelowFloor"
    ]
    assert float(rule["expr"].rsplit("<", 1)[1]) == float(config["data"]["ACCURACY_FLOOR"])
