"""Every `{{...}}` reference of a workflow resolves where it is used, at submit and when it runs."""

# Semantics from gitops.argo.scope (shared with the local runner), which follows
# argoproj/argo-workflows v4.0.6: workflow/validate/validate.go resolveAllVariables (only tags
# starting item., steps., inputs., outputs., pod., workflow., tasks. are checked; "failed to
# resolve {{%s}}"), validateDAG (a task sees every task's outputs but tasks.X.status only of
# its ancestors), validateSteps (earlier steps in document order); and at run time
# workflow/controller/dag.go buildLocalScopeFromTask (a task sees only its dependencies'
# outputs, directly or transitively) and steps.go (a step group sees only earlier groups): a
# reference submit lets through but run time cannot resolve leaves the task never started.
# Expression tags ({{=...}}) are not checked, as validate.go does not.

from __future__ import annotations

from collections.abc import Iterable, Iterator

from gitops.argo import scope as argo_scope
from gitops.argo.substitution import Unbalanced, is_expression, strings, tags
from gitops.core.documents import Document
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import argo
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list

ID = "argo-references"
DESCRIPTION = "every {{inputs|outputs|steps|tasks|workflow|item|pod}} reference resolves in its scope, as Argo's"
SEVERITY = ERROR


def _tags(value: object, path: str) -> Iterator[tuple[str, str]]:
    """(field path, tag) of every simple tag in `value`."""
    for where, text in strings(value, path):
        try:
            found = tags(text)
        except Unbalanced:
            continue  # a lone "{{" is text to the validator
        yield from ((where, tag) for tag in found if not is_expression(tag))


def parts(template: dict, here: str) -> Iterator[tuple[str, object, str | None]]:
    """(path, value, scope) for each part of a template: a step or task is checked in its own
    scope (its name), the outputs of a DAG or steps template in any child's ("*"), the rest in
    the template's (None)."""
    calls: list[tuple[str, dict]] = []
    if "dag" in template:
        tasks = as_list(as_dict(template["dag"]).get("tasks"))
        calls = [(f"{here}.dag.tasks[{t}]", as_dict(task)) for t, task in enumerate(tasks)]
    elif "steps" in template:
        groups = enumerate(as_list(template["steps"]))
        calls = [
            (f"{here}.steps[{g}][{s}]", as_dict(step)) for g, group in groups for s, step in enumerate(as_list(group))
        ]
    for path, call in calls:
        yield path, call, str(call.get("name"))
    for key, value in template.items():
        if key not in ("dag", "steps"):
            yield f"{here}.{key}", value, ("*" if key == "outputs" and calls else None)


def problems(doc: Document, overlay: Overlay) -> Iterator[tuple[str, str, str]]:
    """(field path, message, fix) for each reference that does not resolve."""
    tpath, templates = argo.templates(doc)
    late = argo.exit_templates(doc)
    for i, template in enumerate(map(as_dict, templates)):
        model = argo.model(doc, overlay.named, exit_handler=str(template.get("name")) in late)
        base = model.base(template)
        calls = (
            model.dag_scopes(template)
            if "dag" in template
            else model.steps_scopes(template)
            if "steps" in template
            else {}
        )
        for path, value, call in parts(template, f"{tpath}[{i}]"):
            scopes = list(calls.values()) + [base] if call == "*" else [calls.get(call, base) if call else base]
            for where, tag in _tags(value, path):
                if not any(s.accepts(tag) for s in scopes):
                    yield where, f"failed to resolve {{{{{tag}}}}}", fix(tag)
                elif call not in (None, "*") and (late_problem := argo_scope.run_problem(tag.strip(), template, call)):
                    other = tag.strip().split(".")[1]
                    hint = (
                        f"add {other} to {call}'s depends"
                        if "dag" in template
                        else f"move {call} to a later step group"
                    )
                    yield where, f"{{{{{tag.strip()}}}}}: {late_problem}", hint


def fix(tag: str) -> str:
    head = tag.strip().split(".")[0]
    return {
        "inputs": "declare the parameter in this template's inputs, or fix the name",
        "tasks": "name a task of this DAG and an output its template declares; a task's status needs it in depends",
        "steps": "name an earlier step and an output its template declares",
        "workflow": "declare it in spec.arguments (or use a workflow variable Argo defines)",
        "item": "use the keys withItems/withParam provide (withSequence gives only {{item}})",
        "pod": "pod.name exists only in container, script and resource templates",
    }.get(head, "use a variable Argo defines in this scope")


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind(*argo.KINDS):
        try:
            found = list(problems(doc, overlay))
        except (AttributeError, TypeError):
            # gitops.argo reads objects of the CRD's shape; one of another shape (a list where
            # the CRD has a map) is refused by the schema check, which names the field.
            continue
        for path, message, hint in found:
            yield overlay.finding(doc, path, message, hint)
