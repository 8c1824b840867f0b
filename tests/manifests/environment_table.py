"""The per-environment table in k8s/README.md, computed from the renders (the same for every model)."""

from __future__ import annotations

from tests.manifests.rendering import (
    ENVIRONMENTS,
    MODELS,
    applications,
    find,
    generated_config,
    model_docs,
    namespace_docs,
)

HEADER = (
    "| | namespace | Argo CD sync | champion alias | serving replicas | train step requests | components | "
    "drift CronWorkflow |",
    "|---|---|---|---|---|---|---|---|",
)
COMPONENT_MARKERS = {"security": "NetworkPolicy", "monitoring": "PrometheusRule", "backup": "CronJob"}


def _cells(env: str, model: str) -> list[str]:
    docs = model_docs(env, model)
    (app,) = [a for a in applications() if a["metadata"]["name"] == f"{model}-{env}"]
    (isvc,) = find(docs, "InferenceService", model)
    (pipeline,) = find(docs, "WorkflowTemplate", f"{model}-pipeline")
    (cron,) = find(docs, "CronWorkflow", f"{model}-drift")
    predictor = isvc["spec"]["predictor"]
    replicas = f"{predictor['minReplicas']}-{predictor['maxReplicas']}"
    if isvc["metadata"]["annotations"].get("serving.kserve.io/autoscalerClass") == "hpa":
        replicas += ", HPA (KServe's)"
    if find(docs, "PodDisruptionBudget"):
        replicas += ", PDB"
    train = next(t for t in pipeline["spec"]["templates"] if t["name"] == "train")
    requests = train["container"]["resources"]["requests"]
    sync = "automated, prune, selfHeal" if "automated" in app["spec"]["syncPolicy"] else "manual"
    kinds = {d["kind"] for d in namespace_docs(env)}
    components = ", ".join(c for c, kind in COMPONENT_MARKERS.items() if kind in kinds)
    drift = "suspended" if cron["spec"].get("suspend") else "daily (the model's schedule)"
    return [
        env,
        f"ml-{env}",
        sync,
        generated_config(docs)["CHAMPION_ALIAS"],
        replicas,
        f"{requests['cpu']} CPU, {requests['memory']}",
        components,
        drift,
    ]


def environment_table() -> str:
    rows = []
    for env in ENVIRONMENTS:
        cells = {tuple(_cells(env, model)) for model in MODELS}
        assert len(cells) == 1, f"{env}: the models differ where the environment decides: {cells}"
        rows.append("| " + " | ".join(cells.pop()) + " |")
    return "\n".join([*HEADER, *rows])
