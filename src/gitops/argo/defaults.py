"""`templateDefaults` merged into a template, as the controller merges them.

workflow/controller/operator.go (v4.0.6, mergedTemplateDefaultsInto) applies the
template as a strategic merge patch over the defaults, with wfv1.Template's
patch strategies: lists with a merge key (below, from the `patchMergeKey` tags in
pkg/apis/workflow/v1alpha1/workflow_types.go and k8s.io/api core/v1 Container)
merge item by item; other lists and scalars from the template replace the default.
"""

from __future__ import annotations

from typing import Any

# field -> merge key, for the lists strategic merge merges instead of replacing.
MERGE_KEYS = {
    "volumes": "name",
    "initContainers": "name",
    "sidecars": "name",
    "tolerations": "key",
    "hostAliases": "ip",
    "imagePullSecrets": "name",
    "env": "name",
    "ports": "containerPort",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
}


def merged(defaults: dict[str, Any], template: dict[str, Any]) -> dict[str, Any]:
    """The template with `defaults` under it (neither argument is changed)."""
    out = dict(defaults)
    for key, value in template.items():
        base = out.get(key)
        if isinstance(value, dict) and isinstance(base, dict):
            out[key] = merged(base, value)
        elif isinstance(value, list) and isinstance(base, list) and key in MERGE_KEYS:
            out[key] = _merge_list(base, value, MERGE_KEYS[key])
        else:
            out[key] = value
    return out


def _merge_list(base: list[Any], patch: list[Any], key: str) -> list[Any]:
    # Patch items replace (merge into) the base item with the same key; new ones are appended.
    out = list(base)
    index = {_key(item, key): i for i, item in enumerate(out) if _key(item, key) is not None}
    for item in patch:
        where = index.get(_key(item, key))
        if where is None:
            out.append(item)
        else:
            out[where] = merged(out[where], item) if isinstance(out[where], dict) else item
    return out


def _key(item: Any, key: str) -> str | int | None:
    value = item.get(key) if isinstance(item, dict) else None
    return value if isinstance(value, (str, int)) else None  # a malformed item merges with nothing
