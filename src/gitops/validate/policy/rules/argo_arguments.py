"""Workflow and step/task arguments carry a value the way Argo accepts one; a bare `default:` is never used."""

# argoproj/argo-workflows v4.0.6 workflow/validate/validate.go validateArgumentsValues: a
# parameter needs `value` or `valueFrom` ("%s%s.value or %s%s.valueFrom is required"), except in
# a WorkflowTemplate's spec.arguments before submit; valueFrom may only be configMapKeyRef
# (with an optional default), supplied or event ("valueFrom only allows: default,
# configMapKeyRef and supplied"); an enum needs a value in it. A Workflow (and a CronWorkflow's
# workflowSpec, validated with ValidateOpts{}) or a step/task never gets the empty pass. A
# spec.arguments parameter with only `default:` fails at run time even in a WorkflowTemplate:
# workflow/controller/operator.go setGlobalParameters, "either value or valueFrom must be
# specified in order to set global parameter %s" (defaults apply to template inputs only).

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from gitops.core.documents import Document
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import argo
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list

ID = "argo-arguments"
DESCRIPTION = "workflow and step/task arguments have a value or an allowed valueFrom, never only a default"
SEVERITY = ERROR
VALUE_FROM_SOURCES = ("configMapKeyRef", "supplied", "event")
VALUE_FROM_FORBIDDEN = ("path", "jsonPath", "parameter", "expression")
_STEP = re.compile(r"\.steps\[(\d+)\]\[\d+\]$")


def parameter_problems(param: dict, prefix: str, may_be_empty: bool) -> Iterator[tuple[str, str, str]]:
    """(field below the parameter, Argo's message, fix) for one argument parameter."""
    name = str(param.get("name"))
    has_value, value_from = "value" in param, param.get("valueFrom")
    if not has_value and value_from is None:
        if "default" in param:
            yield (
                "default",
                f"{prefix}{name} has only a default, which Argo does not use for arguments: "
                f"{prefix}{name}.value or {prefix}{name}.valueFrom is required",
                "write the value as value:",
            )
        elif not may_be_empty:
            yield "", f"{prefix}{name}.value or {prefix}{name}.valueFrom is required", "give it a value:"
    if isinstance(value_from, dict):
        allowed = any(k in value_from and value_from[k] not in (None, "") for k in VALUE_FROM_SOURCES)
        if not allowed or any(value_from.get(k) for k in VALUE_FROM_FORBIDDEN):
            yield (
                "valueFrom",
                f"{prefix}{name}.valueFrom only allows: default, configMapKeyRef and supplied",
                "read it with configMapKeyRef (a default may accompany it), or use value:",
            )
    enum = param.get("enum")
    if isinstance(enum, list):
        if not enum:
            yield "enum", f"{prefix}{name}.enum should contain at least one value", "list the allowed values"
        elif has_value and param["value"] not in enum:
            yield "value", f"{prefix}{name}.value should be present in {prefix}{name}.enum list", "use a listed value"


def places(doc: Document) -> Iterator[tuple[str, list, str, bool]]:
    """(path of a parameters list, parameters, Argo's message prefix, whether values may be empty)."""
    wf_path, wf = argo.workflow_spec(doc)
    spec_params = as_list(as_dict(wf.get("arguments")).get("parameters"))
    yield f"{wf_path}.arguments.parameters", spec_params, "spec.arguments.", doc.kind == "WorkflowTemplate"
    tpath, templates = argo.templates(doc)
    names = {f"{tpath}[{i}]": str(as_dict(t).get("name")) for i, t in enumerate(templates)}
    for call in argo.calls(doc):
        template, step = names.get(call.caller_path, "?"), str(call.body.get("name"))
        group = _STEP.search(call.path)  # Argo names a step by its group's index
        prefix = f"templates.{template}.steps[{group[1]}].{step}." if group else f"templates.{template}.tasks.{step}."
        params = as_list(as_dict(call.body.get("arguments")).get("parameters"))
        yield f"{call.path}.arguments.parameters", params, f"{prefix}arguments.", False


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind(*argo.KINDS):
        for path, params, prefix, may_be_empty in places(doc):
            for i, param in enumerate(map(as_dict, params)):
                for field, message, fix in parameter_problems(param, prefix, may_be_empty):
                    where = f"{path}[{i}]" + (f".{field}" if field else "")
                    yield overlay.finding(doc, where, message, fix)
