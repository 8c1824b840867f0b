"""From a rendered WorkflowTemplate (or CronWorkflow) to a finished run record.

A WorkflowTemplate runs as `argo submit --from workflowtemplate/<name> -p ...`
would: the server makes a Workflow named `<name>-<5 characters>` that refers to
the template (workflow/common/convert.go NewWorkflowFromWorkflowTemplate) and
validates it (gitops.argo.submit); the controller then merges the arguments
(the -p values first) and runs the template's spec. A CronWorkflow runs its
workflowSpec as the Workflow the cron controller would create, `<name>-<unix
time>`, validated as ValidateCronWorkflow does ("cannot validate Workflow: ...").
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitops.argo import arguments as args_mod
from gitops.argo import scope as scope_mod
from gitops.argo import submit
from gitops.runner import local_pod
from gitops.runner.errors import RunnerError
from gitops.runner.locks import Locks
from gitops.runner.operator import Operator
from gitops.runner.preflight import Preflight, Refused
from gitops.runner.record import Workflow
from gitops.runner.templates import Owner

RUNNABLE = ("WorkflowTemplate", "CronWorkflow")
# Kubernetes' generateName suffix alphabet (apiserver names.SimpleNameGenerator): no vowels, no look-alikes.
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
DEFAULT_NAMESPACE = "default"  # kubectl's namespace when the object names none


def find(docs: list[dict[str, Any]], kind: str, name: str | None, source: str) -> dict[str, Any]:
    matches = [d for d in docs if d.get("kind") == kind and (name is None or d["metadata"]["name"] == name)]
    if len(matches) == 1:
        return matches[0]
    names = sorted(d["metadata"]["name"] for d in docs if d.get("kind") == kind)
    wanted = f"{kind} {name!r}" if name else f"exactly one {kind}"
    raise RunnerError(f"{source}: expected {wanted}; it has {', '.join(names) or 'none'}")


def config_map_objects(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d.get("kind") == "ConfigMap"}


def config_maps(docs: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """What a pod's envFrom/env can read: every ConfigMap's data as text (kubelet needs no label)."""
    return {name: {k: str(v) for k, v in (d.get("data") or {}).items()} for name, d in config_map_objects(docs).items()}


@dataclass
class Plan:
    """A run that passed every check: what the operator needs."""

    kind: str
    name: str
    namespace: str
    where: str
    main: Owner
    owners: dict[str, Owner]
    arguments: list[dict[str, Any]]
    spec: dict[str, Any]
    record_spec: dict[str, Any]
    labels: dict[str, str]
    config_maps: dict[str, dict[str, Any]]


def prepare(docs: list[dict[str, Any]], doc: dict[str, Any], overrides: dict[str, str]) -> Plan:
    """Every refusal, before anything starts (RunnerError with the field and the reason)."""
    kind, name = doc["kind"], doc["metadata"]["name"]
    namespace = doc["metadata"].get("namespace") or DEFAULT_NAMESPACE
    templates = {d["metadata"]["name"]: d for d in docs if d.get("kind") == "WorkflowTemplate"}
    owners = {n: Owner("WorkflowTemplate", n, d.get("spec") or {}, f"namespaced/{n}") for n, d in templates.items()}
    cms = config_map_objects(docs)
    if kind == "CronWorkflow":
        cron = doc.get("spec") or {}
        if "schedule" in cron and "schedules" not in cron:
            raise Refused(f"CronWorkflow/{name}.spec.schedule: removed in Argo Workflows v4; use schedules: (a list)")
        spec, where = cron.get("workflowSpec") or {}, f"CronWorkflow/{name}.spec.workflowSpec"
        main = Owner(kind, name, spec, "local/")
    else:
        spec, where = doc.get("spec") or {}, f"WorkflowTemplate/{name}.spec"
        main = Owner(kind, name, spec, "local/")
    if spec.get("workflowTemplateRef") is not None:
        raise Refused(f"{where}.workflowTemplateRef: run the referenced WorkflowTemplate directly")
    declared = {p.get("name") for p in (spec.get("arguments") or {}).get("parameters") or []}
    unknown = sorted(set(overrides) - declared)
    if unknown:  # Argo would add it as a new argument; here a typo must not go unnoticed
        raise RunnerError(
            f"-p {unknown[0]}: {kind}/{name} declares no such parameter "
            f"(it has: {', '.join(sorted(declared)) or 'none'})"
        )
    arguments = args_mod.merge(args_mod.override([], overrides), (spec.get("arguments") or {}).get("parameters") or [])
    labels = {f"workflows.argoproj.io/{'cron-workflow' if kind == 'CronWorkflow' else 'workflow-template'}": name}
    global_names = scope_mod.globals_(spec, arguments, list(labels))
    preflight = Preflight(main, where, owners, cms, namespace, global_names)
    preflight.run()
    lookup_owners = {**owners, name: submit.Owner(name, spec)} if kind == "CronWorkflow" else owners
    problem = submit.problem(
        submit.Owner(name, {**spec, "arguments": {"parameters": arguments}}),
        {},
        lambda ref: submit.Owner(ref, lookup_owners[ref].spec) if ref in lookup_owners else None,
        labels=list(labels),
    )
    if problem:
        prefix = "cannot validate Workflow: " if kind == "CronWorkflow" else ""
        raise Refused(f"{kind}/{name}: Argo refuses it at submit: {prefix}{problem}")
    if preflight.deferred:
        raise Refused(preflight.deferred[0])
    exec_spec = {**spec, "arguments": {**(spec.get("arguments") or {}), "parameters": arguments}}
    if kind == "CronWorkflow":
        record_spec = exec_spec
    else:
        record_spec = {"workflowTemplateRef": {"name": name}}
        if overrides:
            record_spec["arguments"] = {"parameters": [{"name": k, "value": v} for k, v in overrides.items()]}
    return Plan(kind, name, namespace, where, main, owners, arguments, exec_spec, record_spec, labels, cms)


def workflow_name(plan: Plan) -> str:
    if plan.kind == "CronWorkflow":
        return f"{plan.name}-{int(time.time())}"
    return f"{plan.name}-" + "".join(random.choice(NAME_ALPHABET) for _ in range(5))


def start(plan: Plan, cluster: local_pod.Cluster, run_dir: Path, state: Path, name: str | None = None) -> Operator:
    """The operator for one run; `Operator.run()` drives it to the end (the global arguments first)."""
    values = args_mod.global_values(plan.arguments, plan.config_maps)  # GlobalParameterError: failed, no nodes
    wf = record(plan, name)
    locks = Locks(state / "locks", plan.namespace, plan.config_maps)
    return Operator(
        wf, plan.spec, plan.main, plan.owners, plan.arguments, values, cluster, plan.config_maps, run_dir, locks
    )


def record(plan: Plan, name: str | None = None) -> Workflow:
    wf = Workflow(name or workflow_name(plan), plan.namespace, dict(plan.labels), plan.record_spec)
    if plan.kind == "WorkflowTemplate":
        wf.stored_spec = plan.spec
    return wf
