"""ConfigMaps are plain text for everyone who can read the namespace: no secret-looking keys."""

from __future__ import annotations

import re
from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict

ID = "configmap-secret-keys"
DESCRIPTION = "no ConfigMap key that looks like a credential, no private key in a value"
SEVERITY = ERROR

# Whole words of a key (split on _ . - and camelCase), so TOKENIZER or SECRETARY do not match.
WORDS = {"password", "passwd", "pwd", "secret", "token", "apikey", "credential", "credentials", "privatekey"}
PAIRS = {("api", "key"), ("private", "key"), ("access", "key")}


def words(key: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def secret_looking(key: str) -> bool:
    ws = words(key)
    return bool(WORDS.intersection(ws)) or any(pair in PAIRS for pair in zip(ws, ws[1:], strict=False))


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind("ConfigMap"):
        for key, value in as_dict(doc.body.get("data")).items():
            if secret_looking(str(key)):
                yield overlay.finding(
                    doc,
                    f"data.{key}",
                    "key looks like a credential",
                    "move it to a Secret created by an ExternalSecret",
                )
            elif "PRIVATE KEY-----" in str(value):
                yield overlay.finding(
                    doc, f"data.{key}", "value holds a private key", "move it to a Secret created by an ExternalSecret"
                )
