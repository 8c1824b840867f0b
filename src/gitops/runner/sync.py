"""Argo CD's part for dev, on one machine: merge the deploy branch, serve every pin, run the PostSync Jobs.

The reviewer's merge is a fast-forward of the bare remote's base branch; the
sync renders each model folder of the environment from that commit as its
Application has Argo CD render it (the source's kustomize options applied,
gitops.argocd.buildenv: the synced commit reaches the PostSync Job as a pod
annotation), serves every pinned model from one MLServer
with its MLflow runtime (what KServe runs for `modelFormat: mlflow`), each at
/v2/models/<InferenceService name>, and runs each folder's PostSync hook Job
command from its render against it, so every registry alias moves exactly as
it would in the cluster.
"""

from __future__ import annotations

import dataclasses
import io
import subprocess
import tarfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import yaml

from gitops.argocd import applicationset, buildenv
from gitops.core import kustomize as render
from gitops.core import layout, yamlio
from gitops.runner import local_pod, services, workflow
from gitops.runner.errors import RunnerError
from gitops.runner.localenv import git
from gitops.runner.summary import Step
from mlpipeline import pin

HOOK = "argocd.argoproj.io/hook"
RENDER_JOBS = 2


@dataclass
class Synced:
    commit: str
    jobs: list[Step]
    server_url: str
    models: list[str]  # the InferenceServices served, by name


@dataclass
class Folder:
    """One model folder's render at the merged commit: what its Application would sync."""

    path: str
    bodies: list[dict]
    name: str  # the InferenceService's
    storage_uri: str


def merge(remote: Path, branch: str, base: str) -> str:
    """Fast-forward `base` to `branch` in the bare remote (the PR's merge); returns the new commit."""
    ancestor = subprocess.run(["git", "merge-base", "--is-ancestor", base, branch], cwd=remote).returncode == 0
    if not ancestor:
        raise RunnerError(f"{remote}: {branch} does not fast-forward {base}; the deploy branch is stale")
    git("update-ref", f"refs/heads/{base}", f"refs/heads/{branch}", cwd=remote)
    return git("rev-parse", base, cwd=remote)


def export(remote: Path, commit: str, into: Path) -> Path:
    """The tree Argo CD would check out at `commit`."""
    data = git_bytes(remote, "archive", "--format=tar", commit)
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def git_bytes(cwd: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True).stdout


def post_sync_jobs(docs: list[dict]) -> list[dict]:
    return [
        d for d in docs if d.get("kind") == "Job" and (d["metadata"].get("annotations") or {}).get(HOOK) == "PostSync"
    ]


def run(
    remote: Path,
    branch: str,
    base: str,
    env: str,
    cluster: local_pod.Cluster,
    run_dir: Path,
    out: TextIO,
    server: services.Server,
) -> Synced:
    """Merge, render, serve and run the PostSync Jobs on `server`, an MLServer with an empty repository
    (started with the run and stopped by its caller)."""
    commit = merge(remote, branch, base)
    tree_dir = export(remote, commit, run_dir / "synced")
    apps = _applications(tree_dir, commit)
    with ThreadPoolExecutor(max_workers=RENDER_JOBS) as pool:  # kustomize runs as a process: one a core
        renders = pool.map(lambda path: _folder(tree_dir, path, commit, apps), layout.deployable(tree_dir, env))
        folders = [folder for folder in renders if folder]
    if not folders:
        raise RunnerError(f"{layout.OVERLAYS / env} at {commit[:12]}: no model folder pins a model")
    server.wait_ready()
    for folder in folders:
        services.serve(server, folder.name, folder.storage_uri)
    jobs = [job for folder in folders for job in _post_sync(folder, server, cluster, run_dir, out, commit)]
    return Synced(commit, jobs, server.url, [f.name for f in folders])


def _applications(tree_dir: Path, commit: str) -> dict[str, dict]:
    try:
        return buildenv.applications(tree_dir)
    except (OSError, yaml.YAMLError, applicationset.ExpansionError) as err:
        raise RunnerError(
            f"{buildenv.APPS_DIR} at {commit[:12]}: cannot list the Applications Argo CD would sync: {err} "
            "(fix: keep argocd/apps/kustomization.yaml and its ApplicationSet expandable: make validate)"
        ) from None


def _folder(tree_dir: Path, path: Path, commit: str, apps: dict[str, dict]) -> Folder | None:
    """The folder's render as its Application has Argo CD render it, or None for a folder that serves nothing
    yet (or nothing at all: the namespace)."""
    app = apps.get(str(path))
    if app is None:
        raise RunnerError(
            f"{path}: no Application in {buildenv.APPS_DIR} at {commit[:12]} syncs this folder "
            "(fix: let the ApplicationSet's git directories generator cover it)"
        )
    try:
        buildenv.prepare(tree_dir / path, app, commit)
    except buildenv.SourceError as err:
        raise RunnerError(str(err)) from None
    bodies, errors = yamlio.load_documents(render.build(tree_dir / path, tree_dir).text)
    if errors:
        raise RunnerError(
            f"{path} at {commit[:12]}: cannot parse the render: {errors[0].message} (fix: {errors[0].fix(str(path))})"
        )
    isvcs = [d for d in bodies if d.get("kind") == "InferenceService"]
    pins = [d for d in bodies if d.get("kind") == "ConfigMap" and d["metadata"]["name"].endswith(pin.NAME)]
    if not isvcs:
        return None
    if len(pins) != 1 or len(isvcs) != 1:
        raise RunnerError(
            f"{path}: expected one {pin.NAME} ConfigMap and one InferenceService, found {len(pins)} and {len(isvcs)}"
        )
    storage_uri = str((pins[0].get("data") or {}).get("storageUri") or "")
    return Folder(str(path), bodies, isvcs[0]["metadata"]["name"], storage_uri) if storage_uri else None


def _post_sync(
    folder: Folder, server, cluster: local_pod.Cluster, run_dir: Path, out: TextIO, commit: str
) -> list[Step]:
    synced_cluster = local_pod.Cluster(
        workflow.config_maps(folder.bodies),
        cluster.secrets,
        cluster.overrides,
        extra={
            **cluster.extra,
            "READINESS": "local",
            "MODEL_SERVER_URL": server.url,
            "SERVED_MODEL_NAME": folder.name,
            "SERVED_STORAGE_URI": folder.storage_uri,
        },
        pod_fields=cluster.pod_fields,
        step_server=cluster.step_server,
    )
    jobs = post_sync_jobs(folder.bodies)
    if not jobs:
        raise RunnerError(f"{folder.path}: no Job with {HOOK}: PostSync in the render")
    nodes = [_run_job(job, synced_cluster, run_dir, out) for job in jobs]
    cluster.missing_secrets |= synced_cluster.missing_secrets
    return nodes


def _run_job(job: dict, cluster: local_pod.Cluster, run_dir: Path, out: TextIO) -> Step:
    name = job["metadata"]["name"]
    pod = job["spec"]["template"]["spec"]
    label = f"{name} (PostSync)"
    out.write(f"  ● {label} ...\n")
    out.flush()
    where = f"Job/{name}.spec.template.spec.containers[0]"
    if len(pod.get("containers") or []) != 1 or pod.get("initContainers"):
        raise RunnerError(
            f"Job/{name}.spec.template.spec: the local sync runs exactly one container and no initContainers"
        )
    # The downward API reads the pod's own metadata, i.e. the Job's pod template's (not the Job's).
    meta = job["spec"]["template"].get("metadata") or {}
    fields = {
        f"metadata.{kind}['{k}']": str(v)
        for kind in ("annotations", "labels")
        for k, v in (meta.get(kind) or {}).items()
    }
    pod_cluster = dataclasses.replace(cluster, pod_fields={**cluster.pod_fields, **fields})
    code, seconds, process = local_pod.run(
        {"container": pod["containers"][0]}, pod.get("volumes") or [], pod_cluster, run_dir / "pods" / name, where
    )
    message = ""
    if code:
        lines = [ln for ln in process.stdout.read_text(errors="replace").splitlines() if ln.strip()]
        lines += [ln for ln in process.stderr.read_text(errors="replace").splitlines() if ln.strip()]
        message = f"exit {code}: {lines[-1][:200] if lines else 'no output'}"
    phase = "Succeeded" if code == 0 else "Failed"
    out.write(f"  {'✔' if code == 0 else '✖'} {label} ({seconds:.1f}s){'  ' + message if message else ''}\n")
    out.flush()
    return Step(label, phase, message, {}, process.pod_dir, seconds)
