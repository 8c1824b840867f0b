"""The keys of the ConfigMaps and Secrets an overlay creates, as the objects that create them define them."""

# External Secrets v2.9.0 pkg/controllers/externalsecret/externalsecret_controller_template.go
# ApplyTemplate: with creationPolicy Merge or CreateOrMerge the Secret keeps keys nobody here
# declares; without a template it holds the provider data (spec.data[].secretKey, and whatever
# dataFrom returns); with one it holds template.data (and templateFrom), plus the provider data
# when mergePolicy is Merge or the template has neither data nor templateFrom.

from __future__ import annotations

from gitops.core.documents import Document
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list


def external_secret_keys(es: Document) -> set[str] | None:
    """The keys the Secret of `es` will hold, or None when they cannot be known from git."""
    spec = as_dict(es.body.get("spec"))
    target = as_dict(spec.get("target"))
    if target.get("creationPolicy") in ("Merge", "CreateOrMerge"):
        return None
    provided = {str(as_dict(d).get("secretKey")) for d in as_list(spec.get("data"))}
    provider_known = not as_list(spec.get("dataFrom"))
    template = target.get("template")
    if not isinstance(template, dict):
        return provided if provider_known else None
    if as_list(template.get("templateFrom")):
        return None
    keys = set(map(str, as_dict(template.get("data"))))
    if template.get("mergePolicy") == "Merge" or not keys:
        if not provider_known:
            return None
        keys |= provided
    return keys


def config_keys(overlay: Overlay, kind: str, name: str, namespace: str, binary: bool = True) -> set[str] | None:
    """The keys of the ConfigMap or Secret the overlay creates under that name (a ConfigMap's
    binaryData too, unless not `binary`); None: not created here (another rule reports a
    missing one), or its keys are not known."""
    doc = overlay.named(kind, name, namespace)
    if doc is not None:
        fields = ("data", "binaryData" if binary else "data") if kind == "ConfigMap" else ("data", "stringData")
        return {str(k) for f in fields for k in as_dict(doc.body.get(f))}
    if kind == "Secret":
        for es in overlay.of_kind("ExternalSecret"):
            if (as_dict(as_dict(es.body.get("spec")).get("target")).get("name") or es.name) == name:
                return external_secret_keys(es)
    return None
