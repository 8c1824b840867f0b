"""Workflow arguments: what submit accepts, and the values the controller gives them.

- `argo submit -p name=value` puts the value first and keeps the other
  arguments (workflow/util/util.go overrideParameters); a Workflow made from a
  WorkflowTemplate has its arguments merged over the template's, the
  Workflow's winning (util/util.go MergeParameters).
- Submit refuses (validate.go validateArgumentsValues, with `allowEmptyValues`
  false for a submitted Workflow): a parameter with neither value nor
  valueFrom ("spec.arguments.<p>.value or spec.arguments.<p>.valueFrom is
  required": a bare `default:` does not count), a valueFrom without
  configMapKeyRef, event or supplied, or with path/jsonPath/parameter/expression,
  an empty enum, a value outside its enum.
- At run time (operator.go setGlobalParameters) a configMapKeyRef is read
  through the controller's informer, which only sees ConfigMaps carrying the
  label key workflows.argoproj.io/configmap-type (controller.go); any lookup
  error falls back to valueFrom.default, and without one the workflow fails,
  "failed to set global parameters: failed to set global parameter <p> from
  configmap with name <n> and key <k>: <error>" (workflow/common/configmap.go
  GetConfigMapValue for the error texts).
"""

from __future__ import annotations

from typing import Any

LABEL = "workflows.argoproj.io/configmap-type"
LABEL_VALUE = "Parameter"


def override(parameters: list[dict[str, Any]], values: dict[str, str]) -> list[dict[str, Any]]:
    """overrideParameters: the -p values first, then the arguments they did not name."""
    if not values:
        return list(parameters)
    given = [{"name": k, "value": v} for k, v in values.items()]
    return given + [p for p in parameters if p.get("name") not in values]


def merge(*lists: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """MergeParameters: the first list to name a parameter wins."""
    seen: set[str] = set()
    out = []
    for params in lists:
        for p in params or []:
            if p.get("name") not in seen:
                seen.add(p.get("name"))
                out.append(p)
    return out


def value_text(value: Any) -> str:
    """An AnyString's text: YAML numbers and booleans arrive as their JSON text."""
    from gitops.argo.goformat import go_json

    return value if isinstance(value, str) else go_json(value)


def submit_problem(prefix: str, parameters: list[dict[str, Any]], allow_empty: bool = False) -> str | None:
    """validateArgumentsValues for parameters (prefix e.g. "spec.arguments."); the first problem's text."""
    for p in parameters:
        name = p.get("name")
        value_from = p.get("valueFrom")
        if value_from is None and "value" not in p and not allow_empty:
            return f"{prefix}{name}.value or {prefix}{name}.valueFrom is required"
        if value_from is not None:
            allowed = value_from.get("configMapKeyRef") or value_from.get("event") or "supplied" in value_from
            forbidden = any(value_from.get(k) for k in ("path", "jsonPath", "parameter", "expression"))
            if not allowed or forbidden:
                return f"{prefix}{name}.valueFrom only allows: default, configMapKeyRef and supplied"
        if p.get("enum") is not None:
            if len(p["enum"]) == 0:
                return f"{prefix}{name}.enum should contain at least one value"
            if "value" not in p:
                if allow_empty:
                    return None  # validate.go returns here, skipping the parameters after this one
                return f"{prefix}{name}.value is required"
            if value_text(p["value"]) not in [value_text(e) for e in p["enum"]]:
                return f"{prefix}{name}.value should be present in {prefix}{name}.enum list"
    return None


class ConfigMapError(Exception):
    """GetConfigMapValue's error; `not_found` is its NotFound code (what lets an input use its default)."""

    def __init__(self, message: str, not_found: bool):
        super().__init__(message)
        self.not_found = not_found


def configmap_value(config_maps: dict[str, dict[str, Any]], name: str, key: str) -> str:
    """A key of a ConfigMap the controller can see; `config_maps` maps names to ConfigMap objects."""
    cm = config_maps.get(name)
    labels = ((cm or {}).get("metadata") or {}).get("labels") or {}
    if cm is None or LABEL not in labels:  # the informer lists only ConfigMaps with the label key
        raise ConfigMapError(
            f"ConfigMap '{name}' does not exist. Please make sure it has the label {LABEL}: {LABEL_VALUE} "
            "to be detectable by the controller",
            True,
        )
    if labels[LABEL] != LABEL_VALUE:
        raise ConfigMapError(
            f"ConfigMap '{name}' needs to have the label {LABEL}: {LABEL_VALUE} to load parameters", False
        )
    data = cm.get("data") or {}
    if key not in data:
        raise ConfigMapError(f"ConfigMap '{name}' does not have the key '{key}'", True)
    return str(data[key])


class GlobalParameterError(Exception):
    """The workflow fails before any node: str() is its status.message."""


def global_values(parameters: list[dict[str, Any]], config_maps: dict[str, dict[str, Any]]) -> dict[str, str]:
    """setGlobalParameters: workflow.parameters.<name> for each argument."""
    values = {}
    for p in parameters:
        name = p.get("name")
        value_from = p.get("valueFrom") or {}
        if "value" in p:
            values[name] = value_text(p["value"])
        elif value_from.get("configMapKeyRef"):
            ref = value_from["configMapKeyRef"]
            try:
                values[name] = configmap_value(config_maps, ref.get("name"), ref.get("key"))
            except ConfigMapError as err:
                if "default" not in value_from:
                    raise GlobalParameterError(
                        f"failed to set global parameters: failed to set global parameter {name} from configmap "
                        f"with name {ref.get('name')} and key {ref.get('key')}: {err}"
                    ) from err
                values[name] = value_text(value_from["default"])
        else:
            raise GlobalParameterError(
                "failed to set global parameters: either value or valueFrom must be specified in order to set "
                f"global parameter {name}"
            )
    return values
