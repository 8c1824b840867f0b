"""A kustomization's `namespace:` puts objects in a namespace the Application deploying them does not target."""

# kustomize v5.8.1 api/filters/namespace (the NamespaceTransformer a kustomization's
# `namespace:` configures) sets metadata.namespace on every namespaced object it sees. Argo CD
# v3.5.1 then applies them where they say, not where spec.destination.namespace says (the
# destination namespace is only a default for objects without one, docs/user-guide/kustomize.md),
# so a typo'd namespace creates objects (and, with CreateNamespace, a namespace) the AppProject
# may refuse at sync (controller/sync.go: namespace ... is not permitted in project) or nobody
# watches. Reported at the kustomization whose namespace survives into the render.

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.applications import applications, source_paths
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict
from gitops.validate.policy.kustomizations import tree

ID = "kustomize-namespace"
DESCRIPTION = "a kustomization's namespace: is the destination namespace of every Application that deploys it"
SEVERITY = ERROR
SCOPE = "repo"  # the Application and the kustomizations it renders are in different places


def check(overlay: Overlay) -> Iterable[Finding]:
    root = overlay.context.root
    wrong: dict[tuple[str, str], list[str]] = {}
    for app in applications(overlay.docs):
        wanted = str(as_dict(as_dict(app.body.get("spec")).get("destination")).get("namespace") or "")
        for _, path in source_paths(app):
            rendered = overlay.context.render(path) if (root / path).is_dir() else None
            if not wanted or not isinstance(rendered, list):
                continue  # app-source-path reports paths that are missing or do not build
            produced = {str(as_dict(o.get("metadata")).get("namespace") or "") for o in rendered}
            for k in tree(root, path):
                namespace = k.data.get("namespace")
                if isinstance(namespace, str) and namespace in produced and namespace != wanted:
                    wrong.setdefault((k.file, namespace), []).append(f"{app.name} deploys {path} to {wanted}")
    for (file, namespace), uses in sorted(wrong.items()):
        yield overlay.file_finding(
            file,
            "namespace",
            f"{namespace} is not where its Applications deploy: {'; '.join(sorted(set(uses)))}",
            "set the namespace the Application's destination names (or change the destination)",
        )
