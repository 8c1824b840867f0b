"""An ExternalSecret's store exists, or the Secret it should create never appears."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict
from gitops.validate.policy.refs import HINT, missing

ID = "ref-secret-store"
DESCRIPTION = "every ExternalSecret's secretStoreRef is a (Cluster)SecretStore in the overlay or the platform list"
SEVERITY = ERROR


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind("ExternalSecret"):
        ref = as_dict(as_dict(doc.body.get("spec")).get("secretStoreRef"))
        kind, name = str(ref.get("kind") or "SecretStore"), str(ref.get("name") or "")
        if name and not overlay.provides(kind, name, doc.namespace):
            yield overlay.finding(doc, "spec.secretStoreRef.name", missing(kind, name), HINT)
