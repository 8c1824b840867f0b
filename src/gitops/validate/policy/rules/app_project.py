"""An Application whose project does not exist is never synced: Argo CD marks it Unknown and stops there."""

# controller/appcontroller.go (v3.5.1) getAppProj + projectErrorToCondition: condition
# InvalidSpecError "Application referencing project <p> which does not exist", sync and
# health Unknown; the ApplicationSet controller does not even create such an Application
# (applicationset_controller.go validateGeneratedApplications). An empty project is
# `default` (types.go GetProject), which Argo CD creates at install: the platform list says so.

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.applications import applications, project_name, projects
from gitops.validate.policy.context import PLATFORM_FILE, Overlay

ID = "app-project"
DESCRIPTION = "every Application's project is an AppProject the repo renders or the platform list names"
SEVERITY = ERROR
SCOPE = "repo"  # Applications and their AppProjects are rendered by different kustomizations


def check(overlay: Overlay) -> Iterable[Finding]:
    known = projects(overlay.docs)
    for app in applications(overlay.docs):
        name = project_name(app)
        if name in known or overlay.context.platform.has("AppProject", name):
            continue
        choices = ", ".join(sorted(known)) or "none rendered"
        yield overlay.finding(
            app,
            "spec.project",
            f"Application referencing project {name} which does not exist",
            f"use one of the rendered AppProjects ({choices}), or list it in {PLATFORM_FILE} with a reason",
        )
