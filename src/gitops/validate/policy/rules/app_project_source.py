"""An Application may only sync from repositories its AppProject permits; otherwise nothing syncs."""

# util/argo/argo.go (v3.5.1) ValidatePermissions: "application repo <url> is not permitted in
# project '<p>'", an InvalidSpecError condition that stops every sync. Matching is
# AppProject.IsSourcePermitted (app_project_types.go), modelled in gitops/argocd/project.py.

from __future__ import annotations

from collections.abc import Iterable

from gitops.argocd.project import source_permitted
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.applications import applications, project_name, projects, sources
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list

ID = "app-project-source"
DESCRIPTION = "every Application source repoURL matches its AppProject's sourceRepos (Argo CD's globs)"
SEVERITY = ERROR
SCOPE = "repo"


def check(overlay: Overlay) -> Iterable[Finding]:
    known = projects(overlay.docs)
    for app in applications(overlay.docs):
        project = known.get(project_name(app))
        if project is None:
            continue  # app-project reports it
        allowed = [str(p) for p in as_list(as_dict(project.body.get("spec")).get("sourceRepos"))]
        for path, source in sources(app):
            url = str(source.get("repoURL") or "")
            if url and not source_permitted(url, allowed):
                yield overlay.finding(
                    app,
                    f"{path}.repoURL",
                    f"application repo {url} is not permitted in project '{project.name}'",
                    f"add a pattern matching it to the sourceRepos of AppProject {project.name} "
                    "(URLs compare lowercased, without .git; * stops at /, ** crosses it)",
                )
