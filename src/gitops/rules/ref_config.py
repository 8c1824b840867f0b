"""ConfigMap and Secret references resolve: a missing one leaves the pod stuck in CreateContainerConfigError."""
from __future__ import annotations

from typing import Iterable, Iterator

from gitops.findings import ERROR, Finding
from gitops.rules import argo
from gitops.rules.fields import as_dict, as_list, templated
from gitops.rules.overlay import Overlay
from gitops.rules.pods import pods
from gitops.rules.refs import HINT, missing

ID = "ref-config"
DESCRIPTION = "every ConfigMap and Secret a pod reads (env, envFrom, volumes, projected) exists"
SEVERITY = ERROR


def references(overlay: Overlay) -> Iterator[tuple[object, str, str, str, bool]]:
    """(doc, path, kind, name, optional) for every ConfigMap/Secret reference."""
    for pod in pods(overlay.docs):
        for c in pod.containers:
            for i, env in enumerate(as_list(c.body.get("env"))):
                source = as_dict(as_dict(env).get("valueFrom"))
                for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                    if key in source:
                        ref = as_dict(source[key])
                        yield pod.doc, f"{c.path}.env[{i}].valueFrom.{key}.name", kind, ref.get("name"), ref.get("optional") is True
            for i, env in enumerate(as_list(c.body.get("envFrom"))):
                for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                    if key in as_dict(env):
                        ref = as_dict(env[key])
                        yield pod.doc, f"{c.path}.envFrom[{i}].{key}.name", kind, ref.get("name"), ref.get("optional") is True
        for here, vol in pod.volumes:
            if "configMap" in vol:
                ref = as_dict(vol["configMap"])
                yield pod.doc, f"{here}.configMap.name", "ConfigMap", ref.get("name"), ref.get("optional") is True
            if "secret" in vol:
                ref = as_dict(vol["secret"])
                yield pod.doc, f"{here}.secret.secretName", "Secret", ref.get("secretName"), ref.get("optional") is True
            for j, src in enumerate(as_list(as_dict(vol.get("projected")).get("sources"))):
                for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
                    if key in as_dict(src):
                        ref = as_dict(src[key])
                        yield pod.doc, f"{here}.projected.sources[{j}].{key}.name", kind, ref.get("name"), ref.get("optional") is True
        for i, ref in enumerate(as_list(pod.spec.get("imagePullSecrets"))):
            yield pod.doc, f"{pod.path}.imagePullSecrets[{i}].name", "Secret", as_dict(ref).get("name"), False
    for doc in overlay.of_kind(*argo.KINDS):
        tpath, tpls = argo.templates(doc)
        for i, tpl in enumerate(tpls):
            for j, param in enumerate(as_list(as_dict(as_dict(tpl).get("inputs")).get("parameters"))):
                ref = as_dict(as_dict(as_dict(param).get("valueFrom")).get("configMapKeyRef"))
                if ref:
                    path = f"{tpath}[{i}].inputs.parameters[{j}].valueFrom.configMapKeyRef.name"
                    yield doc, path, "ConfigMap", ref.get("name"), ref.get("optional") is True


def secret_exists(overlay: Overlay, targets: set[str], name: str, namespace: str) -> bool:
    """A Secret in git, one an ExternalSecret (`targets`) or SealedSecret creates, or a platform one."""
    if overlay.provides("Secret", name, namespace) or overlay.named("SealedSecret", name, namespace):
        return True
    return name in targets


def external_secret_targets(overlay: Overlay) -> set[str]:
    """Names of the Secrets the overlay's ExternalSecrets create (target.name, else their own name)."""
    return {as_dict(as_dict(d.body.get("spec")).get("target")).get("name") or d.name for d in overlay.of_kind("ExternalSecret")}


def check(overlay: Overlay) -> Iterable[Finding]:
    targets = external_secret_targets(overlay)
    for doc, path, kind, name, optional in references(overlay):
        if optional or not isinstance(name, str) or not name or templated(name):
            continue  # optional refs may be absent by design; Argo fills templated names at run time
        found = secret_exists(overlay, targets, name, doc.namespace) if kind == "Secret" else overlay.provides(kind, name, doc.namespace)
        if not found:
            yield overlay.finding(doc, path, missing(kind, name), HINT)
