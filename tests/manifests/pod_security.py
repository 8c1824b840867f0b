"""The contract's pod conventions, checked on every pod template a render holds:
non-root, read-only root with an emptyDir at /tmp and HOME=/tmp, no privilege
escalation, all capabilities dropped, RuntimeDefault seccomp, requests+limits."""
from __future__ import annotations

from collections.abc import Iterator

from .rendering import label


def pods(doc: dict) -> Iterator[tuple[str, dict, list[dict], list[dict]]]:
    """(where, pod securityContext, containers, volumes) for each pod template in doc."""
    kind, spec = doc["kind"], doc.get("spec", {})
    if kind == "Job":
        pod = spec["template"]["spec"]
        yield "spec.template.spec", pod.get("securityContext", {}), pod["containers"] + pod.get("initContainers", []), pod.get("volumes", [])
    elif kind == "CronJob":
        pod = spec["jobTemplate"]["spec"]["template"]["spec"]
        yield "spec.jobTemplate.spec.template.spec", pod.get("securityContext", {}), pod["containers"] + pod.get("initContainers", []), pod.get("volumes", [])
    elif kind in ("WorkflowTemplate", "CronWorkflow"):
        templates = spec["templates"] if kind == "WorkflowTemplate" else spec["workflowSpec"]["templates"]
        for t in templates:
            if "container" in t:
                yield f"template {t['name']}", t.get("securityContext", {}), [t["container"]], t.get("volumes", [])
    elif kind == "InferenceService":
        p = spec["predictor"]
        yield "spec.predictor", p.get("securityContext", {}), [p["model"]], p.get("volumes", [])


def violations(source: str, docs) -> list[str]:
    messages = []
    for doc in docs:
        for where, pod_sc, containers, volumes in pods(doc):
            prefix = f"{source}: {label(doc)}: {where}"
            if pod_sc.get("runAsNonRoot") is not True:
                messages.append(f"{prefix}: set securityContext.runAsNonRoot: true")
            if pod_sc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
                messages.append(f"{prefix}: set securityContext.seccompProfile.type: RuntimeDefault")
            empty_dirs = {v["name"] for v in volumes if "emptyDir" in v}
            for c in containers:
                cname = c.get("name", "main")
                sc = c.get("securityContext", {})
                expected = {
                    "allowPrivilegeEscalation": (sc.get("allowPrivilegeEscalation") is False, "false"),
                    "readOnlyRootFilesystem": (sc.get("readOnlyRootFilesystem") is True, "true"),
                    "capabilities.drop": (sc.get("capabilities", {}).get("drop") == ["ALL"], "[ALL]"),
                }
                for field, (ok, want) in expected.items():
                    if not ok:
                        messages.append(f"{prefix}: container {cname}: set securityContext.{field}: {want}")
                res = c.get("resources", {})
                if not (res.get("requests") and res.get("limits")):
                    messages.append(f"{prefix}: container {cname}: set resources.requests and resources.limits")
                tmp = [m for m in c.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
                if not tmp or tmp[0]["name"] not in empty_dirs:
                    messages.append(f"{prefix}: container {cname}: mount an emptyDir at /tmp")
                if {"name": "HOME", "value": "/tmp"} not in c.get("env", []):
                    messages.append(f"{prefix}: container {cname}: set env HOME=/tmp")
    return messages
