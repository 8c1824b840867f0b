"""An Application may only deploy where its AppProject permits, to a cluster Argo CD knows."""

# util/argo/argo.go (v3.5.1): GetDestinationCluster resolves spec.destination (name XOR
# server; in-cluster is https://kubernetes.default.svc named in-cluster, other clusters come
# from cluster Secrets), then ValidatePermissions matches the cluster's server and name and
# the namespace against the project's destinations (AppProject.IsDestinationPermitted,
# modelled in gitops/argocd/project.py). Either failure is an InvalidSpecError condition.

from __future__ import annotations

from collections.abc import Iterable

from gitops.argocd.project import IN_CLUSTER, destination_permitted
from gitops.core.documents import Document
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.applications import applications, project_name, projects
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list

ID = "app-project-destination"
DESCRIPTION = "every Application destination is a known cluster and matches its AppProject's destinations"
SEVERITY = ERROR
SCOPE = "repo"
CLUSTER_LABEL = "argocd.argoproj.io/secret-type"


def clusters(docs: Iterable[Document]) -> list[tuple[str, str]]:
    """(name, server) of in-cluster and of every rendered Argo CD cluster Secret (stringData)."""
    found = [IN_CLUSTER]
    for doc in docs:
        if doc.kind == "Secret" and as_dict(doc.metadata.get("labels")).get(CLUSTER_LABEL) == "cluster":
            data = as_dict(doc.body.get("stringData"))
            found.append((str(data.get("name") or ""), str(data.get("server") or "").rstrip("/")))
    return found


def resolve(dest: dict, known: list[tuple[str, str]]) -> tuple[tuple[str, str] | None, str]:
    """(cluster, "") or (None, Argo CD's message for why it does not resolve)."""
    name, raw_server = str(dest.get("name") or ""), str(dest.get("server") or "")
    server = raw_server.rstrip("/")
    if name and raw_server:
        return None, f"application destination can't have both name and server defined: {name} {server}"
    if not name and not server:
        return None, "Destination server missing from app spec"
    found = [c for c in known if (c[0] == name if name else c[1] == server)]
    if not found:
        if name:
            return None, f"there are no clusters with this name: {name}"
        not_found = f'rpc error: code = NotFound desc = cluster "{server}" not found'
        return None, f'error getting cluster by server "{raw_server}": {not_found}'
    return found[0], ""


def check(overlay: Overlay) -> Iterable[Finding]:
    known_projects, known_clusters = projects(overlay.docs), clusters(overlay.docs)
    for app in applications(overlay.docs):
        dest = as_dict(as_dict(app.body.get("spec")).get("destination"))
        cluster, problem = resolve(dest, known_clusters)
        if cluster is None:
            fix = f"use server {IN_CLUSTER[1]} (or name {IN_CLUSTER[0]}), or declare the cluster in a cluster Secret"
            yield overlay.finding(app, "spec.destination", problem, fix)
            continue
        project = known_projects.get(project_name(app))
        if project is None:
            continue  # app-project reports it
        namespace = str(dest.get("namespace") or "")
        allowed = [as_dict(d) for d in as_list(as_dict(project.body.get("spec")).get("destinations"))]
        if not destination_permitted(cluster[1], cluster[0], namespace, allowed):
            shown = dest.get("name") or cluster[1]
            yield overlay.finding(
                app,
                "spec.destination",
                f"application destination server '{shown}' and namespace '{namespace}' do not match any of the "
                f"allowed destinations in project '{project.name}'",
                f"deploy to a namespace AppProject {project.name} lists, or add the destination to it",
            )
