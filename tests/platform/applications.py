"""The platform Applications of argocd/apps, their Helm values, and the Secrets the repo's ExternalSecrets create."""

from __future__ import annotations

from tests.manifests.rendering import documents, find

APPS = "argocd/apps"


def application(name: str) -> dict:
    (app,) = find(documents(APPS), "Application", name)
    return app


def values(name: str) -> dict:
    return application(name)["spec"]["source"]["helm"]["valuesObject"]


def created_secrets(namespace: str) -> dict[str, set[str]]:
    """Secret name -> keys, for every ExternalSecret an Application of argocd/apps renders into `namespace`."""
    out: dict[str, set[str]] = {}
    for app in find(documents(APPS), "Application"):
        path = app["spec"]["source"].get("path")
        if not path:
            continue
        for es in find(documents(path), "ExternalSecret"):
            ns = es["metadata"].get("namespace") or app["spec"]["destination"]["namespace"]
            if ns == namespace:
                name = (es["spec"].get("target") or {}).get("name") or es["metadata"]["name"]
                out[name] = {d["secretKey"] for d in es["spec"].get("data") or []}
    return out
