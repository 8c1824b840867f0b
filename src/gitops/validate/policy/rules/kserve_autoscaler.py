"""An InferenceService's replica settings mean what they say under its autoscaler class (KServe Standard mode)."""

# KServe v0.20.0 (pkg/constants/constants.go; reconcilers/deployment/
# deployment_reconciler.go; reconcilers/hpa/hpa_reconciler.go):
# - the class is serving.kserve.io/autoscalerClass, default hpa; allowed: hpa,
#   external, keda, none;
# - only class none copies minReplicas into the Deployment; under external the
#   Deployment gets no replicas, so Kubernetes runs 1 whatever minReplicas says;
#   under none maxReplicas is ignored;
# - under hpa KServe creates and owns an HPA named <isvc>-predictor; another
#   HPA on the same Deployment fights it, and one of that name is overwritten
#   and then deleted by KServe.

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict

ID = "kserve-autoscaler"
DESCRIPTION = "an InferenceService's minReplicas/maxReplicas and HPAs agree with its KServe autoscaler class"
SEVERITY = ERROR

ANNOTATION = "serving.kserve.io/autoscalerClass"
CLASSES = ("hpa", "external", "keda", "none")


def check(overlay: Overlay) -> Iterable[Finding]:
    hpas = overlay.of_kind("HorizontalPodAutoscaler")
    for isvc in overlay.of_kind("InferenceService"):
        predictor = as_dict(as_dict(isvc.body.get("spec")).get("predictor"))
        if not predictor:
            continue
        cls = str(isvc.annotations.get(ANNOTATION, "hpa"))
        deployment = f"{isvc.name}-predictor"
        mine = [
            h
            for h in hpas
            if as_dict(as_dict(h.body.get("spec")).get("scaleTargetRef")).get("name") == deployment
            and (not h.namespace or not isvc.namespace or h.namespace == isvc.namespace)
        ]
        low, high = predictor.get("minReplicas"), predictor.get("maxReplicas")
        path = f"metadata.annotations.{ANNOTATION}"
        if cls not in CLASSES:
            yield overlay.finding(
                isvc, path, f"autoscaler class {cls!r} is not one KServe knows", f"use one of {', '.join(CLASSES)}"
            )
        elif cls == "none" and high is not None and high != low:
            yield overlay.finding(
                isvc,
                "spec.predictor.maxReplicas",
                f"class none runs exactly minReplicas ({low}); maxReplicas {high} is ignored",
                "set maxReplicas equal to minReplicas, or use class hpa to scale between them",
            )
        elif cls == "external" and not mine and isinstance(low, int) and low != 1:
            yield overlay.finding(
                isvc,
                "spec.predictor.minReplicas",
                f"class external leaves the Deployment's replicas unset, so {deployment} runs 1, not {low}",
                "use class none for a fixed count, or add the HPA that scales it",
            )
        elif cls in ("hpa", "keda") and mine:
            yield overlay.finding(
                mine[0],
                "spec.scaleTargetRef",
                f"scales {deployment}, which KServe's {cls} autoscaler for InferenceService {isvc.name} also scales",
                "drop this HPA and set minReplicas, maxReplicas, scaleMetric on the predictor, or use class external",
            )
        for hpa in mine:
            if cls == "external" and hpa.name == deployment:
                yield overlay.finding(
                    hpa,
                    "metadata.name",
                    f"is named {deployment}, the HPA KServe reconciles: it overwrites it and then deletes it",
                    "give the HPA another name",
                )
