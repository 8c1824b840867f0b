"""AppProjects fence what their Applications may do; `*` or cluster kinds outside platform breach the fence."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list

ID = "appproject-scope"
DESCRIPTION = "no * destination or source repo; only the platform project may create cluster-scoped kinds"
SEVERITY = ERROR
PLATFORM_PROJECT = "platform"


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind("AppProject"):
        spec = as_dict(doc.body.get("spec"))
        for i, dest in enumerate(as_list(spec.get("destinations"))):
            for key in ("server", "name", "namespace"):
                if as_dict(dest).get(key) == "*":
                    yield overlay.finding(
                        doc,
                        f"spec.destinations[{i}].{key}",
                        "destination allows *",
                        f"list the {key} this project deploys to",
                    )
        for i, repo in enumerate(as_list(spec.get("sourceRepos"))):
            if repo == "*":
                yield overlay.finding(
                    doc,
                    f"spec.sourceRepos[{i}]",
                    "source repos allow *",
                    "list the repositories this project deploys from",
                )
        if doc.name != PLATFORM_PROJECT and as_list(spec.get("clusterResourceWhitelist")):
            yield overlay.finding(
                doc,
                "spec.clusterResourceWhitelist",
                "only the platform project may create cluster-scoped kinds",
                "move cluster-scoped objects to an Application in the platform project",
            )
