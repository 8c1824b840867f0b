"""Every InferenceService names a runtime the overlay renders, and that runtime can serve it."""

# Without `runtime:` KServe picks any runtime whose formats match, the stock
# kserve-mlserver among them: its own image and library versions, not the ones
# the model was trained with. Named, the runtime must still pass KServe's own
# checks (components/predictor.go, v0.20.0): not disabled, the protocol listed,
# the format label matched exactly (predictor_model.go: mt:<name> or
# mt:<name>:<version>), a container named kserve-container (utils/utils.go);
# and for MLServer the server-type annotation, without which KServe sets no
# MLSERVER_MODEL_NAME/URI (inference_service_defaults.go).

from __future__ import annotations

from collections.abc import Iterable

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import kserve
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list

ID = "inferenceservice-runtime"
DESCRIPTION = "every InferenceService names a ServingRuntime the overlay renders, which supports its model"
SEVERITY = ERROR

SERVER_TYPE = "serving.kserve.io/server-type"


def _labels(fmt: dict) -> set[str]:
    name, version = fmt.get("name"), fmt.get("version")
    return {f"mt:{name}", f"mt:{name}:{version}"} if version else {f"mt:{name}"}


def check(overlay: Overlay) -> Iterable[Finding]:
    for isvc in overlay.of_kind("InferenceService"):
        model = as_dict(as_dict(as_dict(isvc.body.get("spec")).get("predictor")).get("model"))
        if not model:
            continue
        name = kserve.runtime_name(isvc)
        if not name:
            yield overlay.finding(
                isvc,
                "spec.predictor.model.runtime",
                "names no runtime: KServe picks any runtime whose formats match, with its own image and libraries",
                "name the model's ServingRuntime, whose image was built from the training lock",
            )
            continue
        runtime = kserve.runtime_of(isvc, overlay.docs)
        if runtime is None or runtime.kind != "ServingRuntime":
            yield overlay.finding(
                isvc,
                "spec.predictor.model.runtime",
                f"names runtime {name}, which this overlay does not render as a ServingRuntime",
                "render the model's ServingRuntime beside it (k8s/base/servingruntime-mlserver.yaml)",
            )
            continue
        spec = as_dict(runtime.body.get("spec"))
        fmt = as_dict(model.get("modelFormat"))
        offered = {
            label
            for entry in as_list(spec.get("supportedModelFormats"))
            for label in _labels(as_dict(entry))
            if as_dict(entry).get("name")
        }
        wanted = f"mt:{fmt.get('name')}:{fmt.get('version')}" if fmt.get("version") else f"mt:{fmt.get('name')}"
        problems = []
        if spec.get("disabled") is True:
            problems.append("is disabled")
        if wanted not in offered:
            problems.append(f"does not list model format {wanted.removeprefix('mt:')}")
        protocol = model.get("protocolVersion") or "v1"
        if protocol not in as_list(spec.get("protocolVersions")):
            problems.append(f"does not list protocol {protocol}")
        if not any(as_dict(c).get("name") == kserve.CONTAINER for c in as_list(spec.get("containers"))):
            problems.append(f"has no container named {kserve.CONTAINER}")
        if fmt.get("name") == "mlflow" and runtime.annotations.get(SERVER_TYPE) != "mlserver":
            problems.append(f"lacks annotation {SERVER_TYPE}: mlserver, so KServe sets no MLSERVER_MODEL_URI")
        for problem in problems:
            yield overlay.finding(
                isvc,
                "spec.predictor.model.runtime",
                f"runtime {runtime.name} {problem}",
                "fix the ServingRuntime or the model's format and protocol",
            )
