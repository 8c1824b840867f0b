"""A parameter Argo reads from a ConfigMap needs the ConfigMap labelled as a parameter source."""

# argoproj/argo-workflows v4.0.6: the controller's ConfigMap informer lists only ConfigMaps
# with the label workflows.argoproj.io/configmap-type (workflow/controller/controller.go), and
# workflow/common/configmap.go GetConfigMapValue then wants it to be `Parameter`. Without the
# label the ConfigMap "does not exist. Please make sure it has the label ... to be detectable by
# the controller": the workflow fails, or, when the parameter has valueFrom.default, Argo uses
# the default and the ConfigMap's value is silently ignored (operator.go setGlobalParameters,
# common/util.go for template inputs). A ConfigMap the overlay does not render is not checked.

from __future__ import annotations

from collections.abc import Iterable, Iterator

from gitops.core.documents import Document
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import argo
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list, templated

ID = "argo-configmap-parameter"
DESCRIPTION = "every ConfigMap a workflow parameter reads is labelled workflows.argoproj.io/configmap-type: Parameter"
SEVERITY = ERROR
LABEL, VALUE = "workflows.argoproj.io/configmap-type", "Parameter"


def configmap_parameters(doc: Document) -> Iterator[tuple[str, dict, bool]]:
    """(path of the configMapKeyRef, the ref, has a default) of workflow arguments and template inputs."""
    wf_path, wf = argo.workflow_spec(doc)
    lists = [(f"{wf_path}.arguments.parameters", as_dict(wf.get("arguments")).get("parameters"))]
    tpath, templates = argo.templates(doc)
    lists += [
        (f"{tpath}[{i}].inputs.parameters", as_dict(as_dict(t).get("inputs")).get("parameters"))
        for i, t in enumerate(templates)
    ]
    for where, params in lists:
        for j, param in enumerate(map(as_dict, as_list(params))):
            source = as_dict(param.get("valueFrom"))
            if isinstance(source.get("configMapKeyRef"), dict):
                yield f"{where}[{j}].valueFrom.configMapKeyRef", source["configMapKeyRef"], "default" in source


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind(*argo.KINDS):
        for path, ref, defaulted in configmap_parameters(doc):
            name = ref.get("name")
            configmap = overlay.named("ConfigMap", name, doc.namespace) if isinstance(name, str) else None
            if configmap is None or templated(name):
                continue  # ref-config reports a missing one; Argo fills templated names at run time
            labels = as_dict(configmap.metadata.get("labels"))
            if labels.get(LABEL) == VALUE:
                continue
            if LABEL in labels:
                message = f"ConfigMap '{name}' needs to have the label {LABEL}: {VALUE} to load parameters"
            elif defaulted:
                message = f"ConfigMap '{name}' has no label {LABEL}: the controller never sees it and uses the default"
            else:
                message = (
                    f"ConfigMap '{name}' does not exist. Please make sure it has the label {LABEL}: {VALUE} "
                    "to be detectable by the controller"
                )
            yield overlay.finding(doc, f"{path}.name", message, f"label the ConfigMap {LABEL}: {VALUE}")
