"""Template resolution and argument processing, as the controller does them for every node.

workflow/controller/operator.go (v4.0.6) executeTemplate: resolve the template
(by name in the caller's holder, or through templateRef), merge the executing
workflow's templateDefaults under it (gitops.argo.defaults), then ProcessArgs
(workflow/common/util.go): each input takes its default, then the caller's
argument (a value wins, else the argument's valueFrom), then a ConfigMap value
("unable to retrieve inputs.parameters.<p> from ConfigMap: <err>", the default
used only when the ConfigMap or key is NotFound), or fails "inputs.parameters.<p>
was not supplied"; then the globals and the node's locals are substituted over
the whole template, then the inputs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from gitops.argo import arguments as args_mod
from gitops.argo import defaults
from gitops.argo import substitution as subst
from gitops.argo.goformat import go_json

TYPES = ("container", "containerSet", "steps", "script", "resource", "dag", "suspend", "data", "http", "plugin")
POD_TYPES = ("container", "containerSet", "script", "resource", "data")


class NodeError(Exception):
    """executeTemplate's error: the node is (or becomes) Error with this text, and callers wrap it."""


class TemplateTimeout(NodeError):
    """ErrTimeout: a Pending node outlived its template timeout."""

    def __init__(self) -> None:
        super().__init__("timeout")


@dataclass(frozen=True)
class Owner:
    """A set of templates a `template:` resolves in, and the templateScope nodes record for it."""

    kind: str
    name: str
    spec: dict[str, Any]
    scope: str  # "local/" for the running workflow's own, "namespaced/<name>" through templateRef

    def template(self, name: str) -> dict[str, Any] | None:
        return next((t for t in self.spec.get("templates") or [] if t.get("name") == name), None)


def kind_of(template: dict[str, Any]) -> str:
    return next((k for k in TYPES if k in template), "")


def with_defaults(template: dict[str, Any], template_defaults: dict[str, Any] | None) -> dict[str, Any]:
    """mergedTemplateDefaultsInto: type blocks of another template type are dropped from the defaults."""
    if not template_defaults:
        return template
    kind = kind_of(template)
    applicable = {k: v for k, v in template_defaults.items() if k not in TYPES or k == kind}
    return defaults.merged(applicable, template)


def parameters_json(params: list[dict[str, Any]]) -> str:
    """json.Marshal of []wfv1.Parameter (struct field order; AnyStrings as strings)."""
    order = ("name", "default", "value", "valueFrom", "globalName", "enum", "description")
    items = []
    for p in params:
        fields = []
        for key in order:
            if key not in p or p[key] in (None, "", []):
                continue
            value = p[key]
            if key in ("default", "value", "description"):
                value = args_mod.value_text(value)
            elif key == "enum":
                value = [args_mod.value_text(v) for v in value]
            fields.append(f"{go_json(key)}:{go_json(value)}")
        items.append("{" + ",".join(fields) + "}")
    return "[" + ",".join(items) + "]"


def process_args(
    template: dict[str, Any],
    arguments: list[dict[str, Any]],
    globals_: dict[str, str],
    local: dict[str, str],
    config_maps: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """ProcessArgs: the template with its inputs set and every resolvable tag substituted."""
    given = {a.get("name"): a for a in arguments}
    template = copy.deepcopy(template)
    inputs = (template.get("inputs") or {}).get("parameters") or []
    for p in inputs:
        if "value" not in p and "default" in p:
            p["value"] = p["default"]
        arg = given.get(p.get("name"))
        if arg is not None:
            if "value" in arg:
                p["value"] = arg["value"]
                p.pop("valueFrom", None)
            else:
                p.pop("value", None)
                if arg.get("valueFrom") is not None:
                    p["valueFrom"] = arg["valueFrom"]
                else:
                    p.pop("valueFrom", None)
        ref = (p.get("valueFrom") or {}).get("configMapKeyRef")
        if ref:
            try:
                name = subst.replace_text(str(ref.get("name")), globals_, allow_unresolved=False)
                key = subst.replace_text(str(ref.get("key")), globals_, allow_unresolved=False)
            except subst.Unresolved as err:
                raise NodeError(f"failed to substitute configMapKeyRef: {err}") from None
            try:
                p["value"] = args_mod.configmap_value(config_maps, name, key)
            except args_mod.ConfigMapError as err:
                if "default" in p["valueFrom"] and err.not_found:
                    p["value"] = p["valueFrom"]["default"]
                else:
                    raise NodeError(
                        f"unable to retrieve inputs.parameters.{p.get('name')} from ConfigMap: {err}"
                    ) from None
        elif "value" not in p:
            raise NodeError(f"inputs.parameters.{p.get('name')} was not supplied")
        p["value"] = args_mod.value_text(p["value"])
    scope = {**globals_, **local}
    template = subst.replace(template, scope)
    for p in (template.get("inputs") or {}).get("parameters") or []:
        if "value" in p:
            scope[f"inputs.parameters.{p['name']}"] = p["value"]
    scope["inputs.parameters"] = parameters_json((template.get("inputs") or {}).get("parameters") or [])
    for p in (template.get("outputs") or {}).get("parameters") or []:
        if (p.get("valueFrom") or {}).get("path"):
            scope[f"outputs.parameters.{p['name']}.path"] = p["valueFrom"]["path"]
    return subst.replace(template, scope)
