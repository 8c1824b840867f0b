"""Generator hash suffixes: `pipeline-config-9gb9945ktc` is `pipeline-config-{hash}` to a reviewer.

kustomize names a generated ConfigMap or Secret `<name>-<hash of its content>`
and rewrites every reference to it. Any data change therefore also renames
the object and touches every workload that mounts it; a diff that reported
that would bury the one real change (the data) under rename noise.
"""

from __future__ import annotations

import re
from typing import Any

# kustomize's hash: 10 hex digits with 0,1,3,a,e swapped for g,h,k,m,t.
_HASHED = re.compile(r"^(?P<base>.+)-[2456789bcdfghkmt]{10}$")
_GENERATED_KINDS = {("", "ConfigMap"), ("", "Secret")}
PLACEHOLDER = "{hash}"


def normalise(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of `bodies` with generated names, and every exact reference to them, de-hashed."""
    renames = {}
    for body in bodies:
        group = str(body.get("apiVersion", "")).rpartition("/")[0]
        name = str((body.get("metadata") or {}).get("name", ""))
        match = _HASHED.match(name)
        if (group, body.get("kind")) in _GENERATED_KINDS and match:
            renames[name] = f"{match['base']}-{PLACEHOLDER}"
    return [_replace(body, renames) for body in bodies] if renames else bodies


def _replace(value: Any, renames: dict[str, str]) -> Any:
    # Exact string matches only: references hold the whole name (configMapRef.name,
    # volumes[].configMap.name, envFrom, Argo parameters), never a fragment of it.
    if isinstance(value, str):
        return renames.get(value, value)
    if isinstance(value, dict):
        return {key: _replace(item, renames) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace(item, renames) for item in value]
    return value
