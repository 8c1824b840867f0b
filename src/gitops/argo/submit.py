"""What `argo submit --from workflowtemplate/<name>` refuses, with the server's message.

The Argo server validates the Workflow it makes from a WorkflowTemplate with
workflow/validate/validate.go ValidateWorkflow (ValidateOpts{Submit: true}):
arguments must have values, the entrypoint and every template are checked, each
template once, in this order: the spec arguments; the entrypoint (reached through
the workflowTemplateRef, with the real arguments); the exit handler; the
workflow hooks; podGC; then every template with placeholder arguments, its error
prefixed "templates.<name> ". Within a template: retryPolicy, type, inputs
(ProcessArgs: "inputs.parameters.<p> was not supplied"), timeout, then DAG,
steps or leaf rules, then outputs.

This module implements those checks for container, script, dag and steps
templates (the kinds other code here runs); `problem()` returns the first
message, or None. It is a faithful subset, not all of validate.go: artifacts,
metrics, resource and containerSet rules are not here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gitops.argo import arguments as args_mod
from gitops.argo import depends as depends_mod
from gitops.argo import scope as scope_mod
from gitops.argo.substitution import Unbalanced, is_expression, tags

TYPE_NAMES = {
    "container": "Container",
    "containerSet": "ContainerSet",
    "steps": "Steps",
    "script": "Script",
    "resource": "Resource",
    "dag": "DAG",
    "suspend": "Suspend",
    "data": "Data",
    "http": "HTTP",
    "plugin": "Plugin",
}
NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")
NAME_MESSAGE = (
    "name must consist of alpha-numeric characters or '-', and must start with an alpha-numeric character "
    "(e.g. My-name1-2, 123-NAME)"
)
PARAM_NAME = re.compile(r"^[-a-zA-Z0-9_]+$")
POD_GC = ("", "OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion", "OnWorkflowSuccess")


class Rejected(Exception):
    """str() is the message the server returns."""


@dataclass
class Owner:
    """A WorkflowTemplate whose templates `template:` names resolve in."""

    name: str
    spec: dict[str, Any]

    def template(self, name: str) -> dict[str, Any] | None:
        return next((t for t in self.spec.get("templates") or [] if t.get("name") == name), None)


Lookup = Callable[[str], "Owner | None"]


@dataclass
class _Context:
    globals: set[str]
    lookup: Lookup
    validated: set[tuple[str, str]] = field(default_factory=set)


def _names(items: list[dict[str, Any]], name_pattern: re.Pattern, message: str) -> str | None:
    """validateWorkflowFieldNames: "[i].name is required", "[i].name 'x' is invalid: ...", "not unique"."""
    seen: set[str] = set()
    for i, item in enumerate(items):
        name = item.get("name") or ""
        if not name:
            return f"[{i}].name is required"
        if not name_pattern.match(name) or len(name) > 128:
            return f"[{i}].name: '{name}' is invalid: {message}"
        if name in seen:
            return f"[{i}].name '{name}' is not unique"
        seen.add(name)
    return None


def _type(template: dict[str, Any]) -> str:
    return TYPE_NAMES.get(scope_mod.template_type(template), "")


def _unresolved(scope: scope_mod.Scope, value: Any) -> str | None:
    """resolveAllVariables over every string of `value` (map keys too): the first failing tag."""
    for _, text in _strings(value):
        try:
            found = tags(text)
        except Unbalanced:
            continue  # a lone "{{" is text for the validator; substitution reports it
        for tag in found:
            if not is_expression(tag) and not scope.accepts(tag):
                return f"failed to resolve {{{{{tag}}}}}"
    return None


def _strings(value: Any):
    from gitops.argo.substitution import strings

    return strings(value, "")


def _fake(template: dict[str, Any]) -> dict[str, str]:
    return {p.get("name"): "placeholder" for p in (template.get("inputs") or {}).get("parameters") or []}


def _process_args(template: dict[str, Any], given: dict[str, Any] | None) -> str | None:
    """ProcessArgs at validation (no ConfigMap store): an input left with no value is "not supplied".

    `given` maps argument names to the caller's parameters; None stands for FakeArguments, which
    supply every name.
    """
    if given is None:
        return None
    for p in (template.get("inputs") or {}).get("parameters") or []:
        has_value, value_from = "value" in p or "default" in p, p.get("valueFrom")
        arg = given.get(p.get("name"))
        if arg is not None:  # overwriteWithArguments: a value wins, else the argument's valueFrom
            has_value, value_from = ("value" in arg), (None if "value" in arg else arg.get("valueFrom"))
        if (value_from or {}).get("configMapKeyRef"):
            continue
        if not has_value:
            return f"inputs.parameters.{p.get('name')} was not supplied"
    return None


def _resolve(call: dict[str, Any], owner: Owner, ctx: _Context) -> tuple[dict[str, Any], Owner]:
    """validateTemplateHolder's lookup; Rejected with its message when the reference names nothing."""
    ref = call.get("templateRef")
    if ref:
        if call.get("template"):
            raise Rejected("template name cannot be specified with templateRef.")
        if not ref.get("name"):
            raise Rejected("resource name is required")
        if not ref.get("template"):
            raise Rejected("template name is required")
        target = ctx.lookup(ref["name"]) if not ref.get("clusterScope") else None
        template = target.template(ref["template"]) if target else None
        if template is None:
            raise Rejected(f"template reference {ref['name']}.{ref['template']} not found")
        return template, target
    name = call.get("template") or ""
    template = owner.template(name)
    if template is None:
        raise Rejected(f"template name '{name}' undefined")
    return template, owner


def _holder(call, owner: Owner, ctx: _Context, given: dict[str, Any] | None):
    """validateTemplateHolder: resolve, check retryPolicy, validate the template; returns it."""
    template, target = _resolve(call, owner, ctx)
    retry = template.get("retryStrategy")
    if retry is not None and retry.get("retryPolicy", "") not in (
        "Always",
        "OnError",
        "OnFailure",
        "OnTransientError",
        "",
    ):
        raise Rejected(f"{retry['retryPolicy']} is not a valid RetryPolicy")
    _template(template, target, ctx, given)
    return template, target


def _template(template: dict[str, Any], owner: Owner, ctx: _Context, given: dict[str, Any] | None) -> None:
    name = template.get("name")
    kinds = [k for k in TYPE_NAMES if k in template]
    if not kinds:
        raise Rejected(
            f"templates.{name} template type unspecified. choose one of: container, containerSet, steps, script, "
            "resource, dag, suspend, template, template ref"
        )
    if len(kinds) > 1:
        raise Rejected(
            f"templates.{name} multiple template types specified. choose one of: container, containerSet, steps, "
            "script, resource, dag, suspend, template, template ref"
        )
    found = _names(
        (template.get("inputs") or {}).get("parameters") or [],
        PARAM_NAME,
        "Parameter/Artifact name must consist of alpha-numeric characters, '_' or '-' e.g. my_param_1, MY-PARAM-1",
    )
    if found:
        raise Rejected(f"templates.{name}.inputs.parameters{found}")
    missing = _process_args(template, given)
    if missing:
        raise Rejected(f"templates.{name} {missing}")
    kind = kinds[0]
    leaf = kind in scope_mod.LEAF_TYPES
    if template.get("timeout"):
        if not leaf:
            raise Rejected(f"{TYPE_NAMES[kind]} template doesn't support timeout field")
        if re.fullmatch(r"[+-]?[0-9]+", str(template["timeout"])):
            raise Rejected(f"{name} has invalid duration format in timeout")
    key = (owner.name, name)
    if key in ctx.validated:
        return
    ctx.validated.add(key)
    model = scope_mod.Model(ctx.globals, lambda call: _callee(call, owner, ctx))
    base = model.base(template)
    if kind == "dag":
        _dag(template, owner, ctx, model)
    elif kind == "steps":
        _steps(template, owner, ctx, model)
    else:
        _leaf(template, owner, base)
    _outputs(template, kind, base if leaf else _dag_or_steps_scope(template, model))


def _callee(call: dict[str, Any], owner: Owner, ctx: _Context) -> dict[str, Any] | None:
    try:
        return _resolve(call, owner, ctx)[0]
    except Rejected:
        return None


def _dag_or_steps_scope(template: dict[str, Any], model: scope_mod.Model) -> scope_mod.Scope:
    scope = model.base(template)
    scopes = model.dag_scopes(template) if "dag" in template else model.steps_scopes(template)
    for s in scopes.values():
        scope.names |= {n for n in s.names if not n.endswith(".status")}
    return scope


def _leaf(template: dict[str, Any], owner: Owner, scope: scope_mod.Scope) -> None:
    name = template.get("name")
    bad = _unresolved(scope, template)
    if bad:
        raise Rejected(f"templates.{name}: {bad}")
    for body in ("container", "script"):
        if body not in template:
            continue
        mounts: dict[str, str] = {}
        for i, mount in enumerate(template[body].get("volumeMounts") or []):
            path = mount.get("mountPath")
            if path in mounts and body == "container":
                raise Rejected(
                    f"templates.{name}.container.volumeMounts[{i}].mountPath '{path}' already mounted in {mounts[path]}"
                )
            mounts[path] = f"container.volumeMounts.{mount.get('name')}"
        defaults = (owner.spec.get("templateDefaults") or {}).get(body) or {}
        if not template[body].get("image") and not defaults.get("image"):
            raise Rejected(f"templates.{name}.{body}.image may not be empty")
    deadline = template.get("activeDeadlineSeconds")
    if deadline is not None:
        text = str(deadline)
        ok = (
            isinstance(deadline, int)
            or re.fullmatch(r"[+-]?[0-9]+", text)
            or (text.startswith("{{") and text.endswith("}}"))
        )
        if not ok or (re.fullmatch(r"[+-]?[0-9]+", text) and int(text) < 0):
            raise Rejected(f"templates.{name}.activeDeadlineSeconds must be a positive integer > 0 or an argo variable")
    if template.get("parallelism") is not None:
        raise Rejected(f"templates.{name}.parallelism is only valid for steps and dag templates")


def _non_leaf(template: dict[str, Any]) -> None:
    if template.get("activeDeadlineSeconds") is not None:
        raise Rejected(f"templates.{template.get('name')}.activeDeadlineSeconds is only valid for leaf templates")


def _sort(tasks: list[dict[str, Any]]) -> str | None:
    """util/sorting TopologicalSorting: duplicates, unknown dependencies, cycles."""
    names: set[str] = set()
    for task in tasks:
        if task.get("name") in names:
            return f"duplicated nodeName {task.get('name')}"
        names.add(task.get("name"))
    deps = {t.get("name"): scope_mod.task_dependencies(t) for t in tasks}
    for task in tasks:
        for dep in sorted(deps[task.get("name")]):
            if dep not in names:
                return f"invalid dependency {dep}"
    remaining = {n: set(d) for n, d in deps.items()}
    while remaining:
        ready = [n for n, d in remaining.items() if not d]
        if not ready:
            return "graph with cycle"
        for n in ready:
            del remaining[n]
        for d in remaining.values():
            d.difference_update(ready)
    return None


def _dag(template: dict[str, Any], owner: Owner, ctx: _Context, model: scope_mod.Model) -> None:
    name = template.get("name")
    _non_leaf(template)
    tasks = (template.get("dag") or {}).get("tasks") or []
    if not tasks:
        raise Rejected(f"templates.{name} must have at least one task")
    sorting = _sort(tasks)
    if sorting:
        raise Rejected(f"templates.{name} sorting failed: {sorting}")
    found = _names(tasks, NAME, NAME_MESSAGE)
    if found:
        raise Rejected(f"templates.{name}.tasks{found}")
    by_name = {t["name"]: t for t in tasks}
    using_depends = any(t.get("depends") for t in tasks)
    for task in tasks:
        tname = task["name"]
        if (using_depends or task.get("dependencies")) and tname[0].isdigit():
            raise Rejected(
                f"templates.{name}.tasks.{tname} name cannot begin with a digit when using either 'depends' or "
                "'dependencies'"
            )
        if using_depends and task.get("dependencies"):
            raise Rejected(f"templates.{name} cannot use both 'depends' and 'dependencies' in the same DAG template")
        if using_depends and task.get("continueOn") is not None:
            raise Rejected(
                f"templates.{name} cannot use 'continueOn' when using 'depends'. "
                "Instead use 'dep-task.Failed'/'dep-task.Errored'"
            )
        try:
            _holder(task, owner, ctx, None)
        except Rejected as err:
            raise Rejected(f"templates.{name}.tasks.{tname} {err}") from None
        invalid = depends_mod.invalid_result(task.get("depends") or "")
        if invalid:
            raise Rejected(f"templates.{name}.tasks.{tname} {invalid}")
        kinds = depends_mod.dependencies(task["depends"]) if task.get("depends") else {}
        for dep, kind in kinds.items():
            other = by_name[dep]
            if kind == "items" and not (other.get("withItems") or other.get("withParam") or other.get("withSequence")):
                raise Rejected(
                    f"templates.{name}.tasks.{dep} dependency '{dep}' uses an items-based condition such as "
                    ".AnySucceeded or .AllFailed but does not contain any items"
                )
    target = (template.get("dag") or {}).get("target") or ""
    for item in target.split(" ") if target else []:
        if item not in by_name and not re.fullmatch(r"\{\{[-a-zA-Z0-9]+(\.[-a-zA-Z0-9_]+)*\}\}", item):
            raise Rejected(f"templates.{name}.targets: target '{item}' is not defined")
    scopes = model.dag_scopes(template)
    for task in tasks:
        tname = task["name"]
        if _loops(task) > 1:
            raise Rejected(
                f"templates.{name}.tasks.{tname} only one of withItems, withParam, withSequence can be specified"
            )
        bad = _unresolved(scopes[tname], task)
        if bad:
            raise Rejected(f"templates.{name}.tasks.{tname} {bad}")
        prefix = f"templates.{name}.tasks.{tname}.arguments."
        bad = args_mod.submit_problem(prefix, (task.get("arguments") or {}).get("parameters") or [])
        if bad:
            raise Rejected(bad)
        ancestors = scope_mod.ancestry(tname, by_name)
        for p in (task.get("arguments") or {}).get("parameters") or []:
            value = p.get("value")
            if isinstance(value, str) and value.startswith("{{tasks."):
                ref = value.split(".")[1]
                if ref not in ancestors:
                    raise Rejected(
                        f"templates.{name}.tasks.{tname} missing dependency '{ref}' for parameter '{p.get('name')}'"
                    )
        try:
            _holder(task, owner, ctx, _given(task))
        except Rejected as err:
            raise Rejected(f"templates.{name}.tasks.{tname} {err}") from None


def _loops(call: dict[str, Any]) -> int:
    return sum(1 for k in ("withItems", "withParam") if call.get(k)) + (call.get("withSequence") is not None)


def _given(call: dict[str, Any]) -> dict[str, Any]:
    return {p.get("name"): p for p in (call.get("arguments") or {}).get("parameters") or []}


def _steps(template: dict[str, Any], owner: Owner, ctx: _Context, model: scope_mod.Model) -> None:
    name = template.get("name")
    _non_leaf(template)
    seen: set[str] = set()
    scopes = model.steps_scopes(template)
    for g, group in enumerate(template.get("steps") or []):
        for step in group or []:
            sname = step.get("name") or ""
            if not sname:
                raise Rejected(f"templates.{name}.steps[{g}].name is required")
            if sname in seen:
                raise Rejected(f"templates.{name}.steps[{g}].name '{sname}' is not unique")
            if not NAME.match(sname) or len(sname) > 128:
                raise Rejected(f"templates.{name}.steps[{g}].name '{sname}' is invalid: {NAME_MESSAGE}")
            seen.add(sname)
            if _loops(step) > 1:
                raise Rejected(
                    f"templates.{name}.steps[{g}].{sname} only one of withItems, withParam, withSequence "
                    "can be specified"
                )
            bad = args_mod.submit_problem(
                f"templates.{name}.steps[{g}].{sname}.arguments.", (step.get("arguments") or {}).get("parameters") or []
            )
            if bad:
                raise Rejected(bad)
            try:
                _holder(step, owner, ctx, None)
            except Rejected as err:
                raise Rejected(f"templates.{name}.steps[{g}].{sname} {err}") from None
            for hook, body in (step.get("hooks") or {}).items():
                if hook != "exit" and not body.get("expression"):
                    raise Rejected(f"templates.{name}.steps[{g}].{sname}.{hook} Expression required")
            bad = _unresolved(scopes[sname], step)
            if bad:
                raise Rejected(f"templates.{name}.steps {bad}")
            try:
                _holder(step, owner, ctx, _given(step))
            except Rejected as err:
                raise Rejected(f"templates.{name}.steps[{g}].{sname} {err}") from None


def _outputs(template: dict[str, Any], kind: str, scope: scope_mod.Scope) -> None:
    name = template.get("name")
    outputs = template.get("outputs") or {}
    bad = _unresolved(scope, outputs)
    if bad:
        raise Rejected(f"templates.{name}.outputs {bad}")
    for p in outputs.get("parameters") or []:
        ref = f"templates.{name}.outputs.parameters.{p.get('name')}"
        value_from = p.get("valueFrom")
        if value_from is not None and "value" in p:
            raise Rejected(f"{ref} has both valueFrom and value specified. Choose one.")
        if "value" in p:
            continue
        if value_from is None:
            raise Rejected(f"{ref} does not have valueFrom or value specified")
        sources = sum(1 for k in ("path", "jqFilter", "jsonPath", "parameter", "expression") if value_from.get(k))
        sources += "supplied" in value_from
        if sources == 0:
            raise Rejected(
                "valueFrom type unspecified. choose one of: path, jqFilter, jsonPath, parameter, raw, expression"
            )
        if sources > 1:
            raise Rejected(
                "multiple valueFrom types specified. choose one of: path, jqFilter, jsonPath, parameter, raw"
            )
        type_name = TYPE_NAMES[kind]
        if kind in ("container", "containerSet", "script") and not value_from.get("path"):
            raise Rejected(f"{ref}.path must be specified for {type_name} templates")
        if kind in ("dag", "steps") and not (value_from.get("parameter") or value_from.get("expression")):
            raise Rejected(f"{ref}.parameter or expression must be specified for {type_name} templates")


def problem(
    owner: Owner,
    overrides: dict[str, str],
    lookup: Lookup,
    labels: list[str] | None = None,
    annotations: list[str] | None = None,
) -> str | None:
    """The server's refusal of `argo submit --from workflowtemplate/<owner> -p ...`, or None."""
    spec = owner.spec
    arguments = args_mod.merge(args_mod.override([], overrides), (spec.get("arguments") or {}).get("parameters") or [])
    try:
        bad = args_mod.submit_problem("spec.arguments.", arguments)
        if bad:
            raise Rejected(bad)
        names = scope_mod.globals_(spec, arguments, labels or [], annotations or [])
        ctx = _Context(names, lookup)
        entry = spec.get("entrypoint")
        if not entry:
            raise Rejected("spec.entrypoint is required")
        given = {p.get("name"): p for p in arguments}
        _holder({"templateRef": {"name": owner.name, "template": entry}}, owner, ctx, given)
        if spec.get("onExit"):
            ctx.globals = names | {"workflow.failures"}
            _holder({"templateRef": {"name": owner.name, "template": spec["onExit"]}}, owner, ctx, given)
        for hook, body in (spec.get("hooks") or {}).items():
            if hook != "exit" and not body.get("expression"):
                raise Rejected(f"hooks.{hook} Expression required")
        strategy = (spec.get("podGC") or {}).get("strategy", "")
        if strategy not in POD_GC:
            raise Rejected(f"podGC.strategy unknown strategy '{strategy}'")
        for template in spec.get("templates") or []:
            try:
                _holder({"templateRef": {"name": owner.name, "template": template.get("name")}}, owner, ctx, None)
            except Rejected as err:
                raise Rejected(f"templates.{template.get('name')} {err}") from None
    except Rejected as err:
        return str(err)
    return None
