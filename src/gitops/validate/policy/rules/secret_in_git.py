"""No Secret values or ciphertext in git: Secrets come from ExternalSecrets at run time."""

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay

ID = "secret-in-git"
DESCRIPTION = "no kind: Secret with data or stringData in the rendered manifests"
SEVERITY = ERROR


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind("Secret"):
        for key in ("data", "stringData"):
            if doc.body.get(key):
                yield overlay.finding(
                    doc,
                    key,
                    "Secret carries values in git",
                    "create it with an ExternalSecret against the platform's ClusterSecretStore",
                )
