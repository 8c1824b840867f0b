"""Every key a pod or a workflow reads from a ConfigMap or Secret of the overlay is a key that object has."""

# Kubernetes: a container whose env configMapKeyRef/secretKeyRef names a missing key is not
# started (CreateContainerConfigError: couldn't find key X in ConfigMap ns/name; env reads a
# ConfigMap's data only), and a volume item with a missing key (data or binaryData) fails the
# mount, unless the reference is `optional: true` (pkg/kubelet/kubelet_pods.go
# makeEnvironmentVariables, pkg/volume/configmap). Argo Workflows
# v4.0.6 workflow/common/configmap.go GetConfigMapValue: "ConfigMap '%s' does not have the key
# '%s'" (cm.Data only), which fails the workflow unless the parameter has valueFrom.default (util.go,
# operator.go setGlobalParameters). The name the error shows is the hashed one kustomize made.

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from gitops.core.documents import Document
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import argo
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list, templated
from gitops.validate.policy.pods import pods
from gitops.validate.policy.secrets import config_keys

ID = "ref-config-key"
DESCRIPTION = "every configMapKeyRef/secretKeyRef (and volume item) key is a key of the ConfigMap or Secret"
SEVERITY = ERROR
ENV_REFS = (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret"))
WHERE = {"ConfigMap": "the ConfigMap (its generator, env file or manifest)", "Secret": "the ExternalSecret's data"}
VOLUMES = (("configMap", "ConfigMap", "name"), ("secret", "Secret", "secretName"))


def _volume_refs(here: str, volume: dict) -> Iterator[tuple[str, str, dict, str]]:
    """(path of the key, kind, the source holding name/optional, key) of each volume item."""
    sources = [(here, volume)]
    sources += [
        (f"{here}.projected.sources[{j}]", as_dict(s))
        for j, s in enumerate(as_list(as_dict(volume.get("projected")).get("sources")))
    ]
    for where, holder in sources:
        for field, kind, name_key in VOLUMES:
            source = as_dict(holder.get(field))
            if not source:
                continue
            named = {"name": source.get(name_key, source.get("name")), "optional": source.get("optional")}
            for i, item in enumerate(map(as_dict, as_list(source.get("items")))):
                yield f"{where}.{field}.items[{i}].key", kind, named, str(item.get("key"))


def references(overlay: Overlay) -> Iterator[tuple[Document, str, str, dict, str, bool]]:
    """(doc, path, kind, ref holding name, key, tolerated) of every key reference; a volume item's
    path ends in `items[i].key`, the only references that also see a ConfigMap's binaryData."""
    for pod in pods(overlay.docs):
        for c in pod.containers:
            for i, env in enumerate(map(as_dict, as_list(c.body.get("env")))):
                source = as_dict(env.get("valueFrom"))
                for field, kind in ENV_REFS:
                    if field in source:
                        ref = as_dict(source[field])
                        path = f"{c.path}.env[{i}].valueFrom.{field}.key"
                        yield pod.doc, path, kind, ref, str(ref.get("key")), ref.get("optional") is True
        for here, volume in pod.volumes:
            for path, kind, ref, key in _volume_refs(here, volume):
                yield pod.doc, path, kind, ref, key, ref.get("optional") is True
    for doc in overlay.of_kind(*argo.KINDS):
        wf_path, wf = argo.workflow_spec(doc)
        params = [(f"{wf_path}.arguments.parameters", as_dict(wf.get("arguments")).get("parameters"))]
        tpath, templates = argo.templates(doc)
        params += [
            (f"{tpath}[{i}].inputs.parameters", as_dict(as_dict(t).get("inputs")).get("parameters"))
            for i, t in enumerate(templates)
        ]
        for where, items in params:
            for j, param in enumerate(map(as_dict, as_list(items))):
                source = as_dict(param.get("valueFrom"))
                if "configMapKeyRef" in source:
                    ref = as_dict(source["configMapKeyRef"])
                    path = f"{where}[{j}].valueFrom.configMapKeyRef.key"
                    yield doc, path, "ConfigMap", ref, str(ref.get("key")), "default" in source


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc, path, kind, ref, key, tolerated in references(overlay):
        name = ref.get("name")
        if tolerated or not isinstance(name, str) or templated(name) or templated(key):
            continue  # optional, defaulted, or filled in by Argo at run time
        keys = config_keys(overlay, kind, name, doc.namespace, binary=".items[" in path)
        if keys is not None and key not in keys:
            near = difflib.get_close_matches(key, sorted(keys), n=1, cutoff=0.75)
            hint = f"did you mean {near[0]}? " if near else ""
            yield overlay.finding(
                doc,
                path,
                f"{kind} {name} has no key {key}",
                f"{hint}add {key} to {WHERE[kind]}, or fix the key",
            )
