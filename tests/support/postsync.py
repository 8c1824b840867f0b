"""Argo CD's part for one model folder of any environment, for tests: render it at the remote's main as its
Application has Argo CD render it (gitops.argocd.buildenv), serve its pin with MLServer, and run its PostSync
Job's command the way the kubelet would (envFrom the rendered ConfigMaps, fieldRef from the Job's pod template
metadata, `$(VAR)` in args expanded from the container's env).

The local runner plays this for dev only; promotion tests need staging and prod too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from gitops.argocd import buildenv
from gitops.core import yamlio
from gitops.core.git import Git
from gitops.core.kustomize import build
from gitops.runner import services

HOOK = "argocd.argoproj.io/hook"


def sync(
    remote: Path, environment: str, model: str, tracking_uri: str, mlserver, pushgateway: str, work: Path
) -> subprocess.CompletedProcess:
    commit = Git(remote).run("rev-parse", "main").strip()
    tree = work / f"{environment}-{commit[:12]}"
    Git(remote).export(commit, tree)
    path = f"k8s/overlays/{environment}/{model}"
    buildenv.prepare(tree / path, buildenv.applications(tree)[path], commit)
    folder = tree / path
    bodies, errors = yamlio.load_documents(build(folder, tree).text)
    assert not errors, errors
    maps = {d["metadata"]["name"]: d.get("data") or {} for d in bodies if d["kind"] == "ConfigMap"}
    job = next(d for d in bodies if d["kind"] == "Job" and d["metadata"].get("annotations", {}).get(HOOK))
    container = job["spec"]["template"]["spec"]["containers"][0]
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        env |= maps.get((source.get("configMapRef") or {}).get("name", ""), {})
    annotations = job["spec"]["template"].get("metadata", {}).get("annotations") or {}
    for item in container.get("env") or []:
        ref = item.get("valueFrom") or {}
        if "configMapKeyRef" in ref:
            env[item["name"]] = maps[ref["configMapKeyRef"]["name"]][ref["configMapKeyRef"]["key"]]
        elif "fieldRef" in ref:  # only pod annotations here: metadata.annotations['<key>']
            key = ref["fieldRef"]["fieldPath"].removeprefix("metadata.annotations['").removesuffix("']")
            env[item["name"]] = annotations.get(key, "")
        else:
            env[item["name"]] = item["value"]
    name = next(d for d in bodies if d["kind"] == "InferenceService")["metadata"]["name"]
    served = f"{name}-{environment}"  # one MLServer for every environment of the test: one name each
    services.serve(mlserver, served, env["PIN_STORAGE_URI"])
    # What differs on one machine: the registry, the Pushgateway, the repository and the served model's address.
    env |= {
        "MLFLOW_TRACKING_URI": tracking_uri,
        "MLFLOW_S3_ENDPOINT_URL": "",
        "PUSHGATEWAY_URL": pushgateway,
        "GIT_REPO_URL": str(remote),
        "READINESS": "local",
        "MODEL_SERVER_URL": mlserver.url,
        "SERVED_MODEL_NAME": served,
        "SERVED_STORAGE_URI": env["PIN_STORAGE_URI"],
        "HOME": str(work),
    }
    args = [re.sub(r"\$\((\w+)\)", lambda m: env.get(m.group(1), m.group(0)), arg) for arg in container["args"]]
    args = [f"--outputs-dir={work / environment / 'outputs'}" if a.startswith("--outputs-dir=") else a for a in args]
    command = [sys.executable if part == "python" else part for part in container["command"]]
    return subprocess.run(
        [*command, *args], env={**os.environ, **env}, capture_output=True, text=True, cwd=work, timeout=300
    )
