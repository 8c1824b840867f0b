"""The per-environment table in k8s/README.md, computed from the renders."""

from __future__ import annotations

from tests.manifests.rendering import ENVIRONMENTS, documents, find

HEADER = (
    "| | namespace | Argo CD sync | champion alias | serving replicas | train step requests | components | "
    "drift CronWorkflow |",
    "|---|---|---|---|---|---|---|---|",
)
COMPONENT_MARKERS = {"security": "NetworkPolicy", "monitoring": "PrometheusRule", "backup": "CronJob"}


def _row(env: str) -> str:
    docs = documents(f"k8s/overlays/{env}")
    (app,) = find(documents("argocd/apps"), "Application", f"iris-{env}")
    (config,) = [d for d in find(docs, "ConfigMap") if d["metadata"]["name"].startswith("pipeline-config-")]
    (isvc,) = find(docs, "InferenceService", "iris")
    (pipeline,) = find(docs, "WorkflowTemplate", "iris-pipeline")
    (cron,) = find(docs, "CronWorkflow", "iris-drift")
    kinds = {d["kind"] for d in docs}
    predictor = isvc["spec"]["predictor"]
    replicas = f"{predictor['minReplicas']}-{predictor['maxReplicas']}"
    if find(docs, "HorizontalPodAutoscaler"):
        replicas += ", HPA"
    if find(docs, "PodDisruptionBudget"):
        replicas += ", PDB"
    train = next(t for t in pipeline["spec"]["templates"] if t["name"] == "train")
    requests = train["container"]["resources"]["requests"]
    sync = "automated, prune, selfHeal" if "automated" in app["spec"]["syncPolicy"] else "manual"
    components = ", ".join(c for c, kind in COMPONENT_MARKERS.items() if kind in kinds)
    drift = "suspended" if cron["spec"].get("suspend") else f"`{', '.join(cron['spec']['schedules'])}` UTC"
    cells = [
        env,
        f"iris-{env}",
        sync,
        config["data"]["CHAMPION_ALIAS"],
        replicas,
        f"{requests['cpu']} CPU, {requests['memory']}",
        components,
        drift,
    ]
    return "| " + " | ".join(cells) + " |"


def environment_table() -> str:
    return "\n".join([*HEADER, *(_row(env) for env in ENVIRONMENTS)])
