"""ConfigMap and Secret references resolve: a missing one leaves the pod stuck in CreateContainerConfigError."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gitops.core.documents import Document
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import argo
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list, templated
from gitops.validate.policy.pods import Container, Pod, pods
from gitops.validate.policy.refs import HINT, missing

ID = "ref-config"
DESCRIPTION = "every ConfigMap and Secret a pod reads (env, envFrom, volumes, projected) exists"
SEVERITY = ERROR

ENV_KEYS = (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret"))
ENV_FROM_KEYS = (("configMapRef", "ConfigMap"), ("secretRef", "Secret"))
PROJECTED_KEYS = (("configMap", "ConfigMap"), ("secret", "Secret"))


@dataclass(frozen=True)
class Ref:
    path: str  # field path of the name
    kind: str  # ConfigMap or Secret
    name: object
    optional: bool  # optional refs may be absent by design


def _ref(path: str, kind: str, body: object, key: str = "name") -> Ref:
    body = as_dict(body)
    return Ref(f"{path}.{key}", kind, body.get(key), body.get("optional") is True)


def container_refs(c: Container) -> Iterator[Ref]:
    for i, env in enumerate(as_list(c.body.get("env"))):
        source = as_dict(as_dict(env).get("valueFrom"))
        yield from (_ref(f"{c.path}.env[{i}].valueFrom.{k}", kind, source[k]) for k, kind in ENV_KEYS if k in source)
    for i, env in enumerate(map(as_dict, as_list(c.body.get("envFrom")))):
        yield from (_ref(f"{c.path}.envFrom[{i}].{k}", kind, env[k]) for k, kind in ENV_FROM_KEYS if k in env)


def pod_refs(pod: Pod) -> Iterator[Ref]:
    for c in pod.containers:
        yield from container_refs(c)
    for here, vol in pod.volumes:
        if "configMap" in vol:
            yield _ref(f"{here}.configMap", "ConfigMap", vol["configMap"])
        if "secret" in vol:
            yield _ref(f"{here}.secret", "Secret", vol["secret"], key="secretName")
        for j, src in enumerate(map(as_dict, as_list(as_dict(vol.get("projected")).get("sources")))):
            yield from (
                _ref(f"{here}.projected.sources[{j}].{k}", kind, src[k]) for k, kind in PROJECTED_KEYS if k in src
            )
    for i, secret in enumerate(as_list(pod.spec.get("imagePullSecrets"))):
        yield _ref(f"{pod.path}.imagePullSecrets[{i}]", "Secret", secret)


def argo_input_refs(doc: Document) -> Iterator[Ref]:
    """Argo input parameters read from a ConfigMap (valueFrom.configMapKeyRef)."""
    tpath, tpls = argo.templates(doc)
    for i, tpl in enumerate(tpls):
        for j, param in enumerate(as_list(as_dict(as_dict(tpl).get("inputs")).get("parameters"))):
            source = as_dict(as_dict(param).get("valueFrom"))
            if "configMapKeyRef" in source:
                path = f"{tpath}[{i}].inputs.parameters[{j}].valueFrom.configMapKeyRef"
                yield _ref(path, "ConfigMap", source["configMapKeyRef"])


def references(overlay: Overlay) -> Iterator[tuple[Document, Ref]]:
    for pod in pods(overlay.docs):
        yield from ((pod.doc, ref) for ref in pod_refs(pod))
    for doc in overlay.of_kind(*argo.KINDS):
        yield from ((doc, ref) for ref in argo_input_refs(doc))


def external_secret_targets(overlay: Overlay) -> set[str]:
    """Names of the Secrets the overlay's ExternalSecrets create (target.name, else their own name)."""
    return {
        as_dict(as_dict(d.body.get("spec")).get("target")).get("name") or d.name
        for d in overlay.of_kind("ExternalSecret")
    }


def check(overlay: Overlay) -> Iterable[Finding]:
    targets = external_secret_targets(overlay)
    for doc, ref in references(overlay):
        if ref.optional or not isinstance(ref.name, str) or not ref.name or templated(ref.name):
            continue  # Argo fills templated names at run time
        found = overlay.provides(ref.kind, ref.name, doc.namespace)
        if ref.kind == "Secret":
            # A Secret is never in git: an ExternalSecret or a SealedSecret creates it.
            found = found or ref.name in targets or overlay.named("SealedSecret", ref.name, doc.namespace) is not None
        if not found:
            yield overlay.finding(doc, ref.path, missing(ref.kind, ref.name), HINT)
