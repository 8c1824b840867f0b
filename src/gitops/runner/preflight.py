"""Everything the local runner refuses, found before a single process starts.

Three kinds of refusal, each one line naming the field:
- a field the runner does not run (resource templates, artifacts, parallelism,
  volumes other than emptyDir, expression tags, ...), or an image other than the
  step image;
- an expression whose outcome a local run could not reproduce exactly: a `when`
  with a regular expression (Go RE2), a `depends` outside Argo's grammar, a retry
  or hook expression expr would reject or fail on;
- a workflow Argo would accept but never finish: a task reading an output of a
  task it does not depend on, a step reading a step of its own or a later group,
  a semaphore whose limit the controller cannot read (each waits forever).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from gitops.argo import depends as depends_mod
from gitops.argo import expr
from gitops.argo import retry as retry_mod
from gitops.argo import scope as scope_mod
from gitops.argo import synchronization as sync_mod
from gitops.argo.errors import ParseError
from gitops.argo.items import SEQUENCE_FORMAT
from gitops.argo.substitution import Unbalanced, is_expression, strings, tags
from gitops.runner import fields as f
from gitops.runner.errors import RunnerError
from gitops.runner.templates import Owner


class Refused(RunnerError):
    """The workflow cannot run faithfully here; the message names the field and why."""


def _check(obj: Any, runs: frozenset[str], cluster_only: frozenset[str], where: str) -> None:
    if not isinstance(obj, dict):
        raise Refused(f"{where}: expected a mapping, found {type(obj).__name__}")
    for key in obj:
        if key not in runs and key not in cluster_only:
            raise Refused(f"{where}.{key}: not supported by the local runner (it runs {', '.join(sorted(runs))})")


@dataclass
class Preflight:
    """`owners` are the WorkflowTemplates a templateRef may name; `config_maps` the ConfigMap objects."""

    main: Owner
    where: str  # e.g. "WorkflowTemplate/iris-pipeline.spec"
    owners: dict[str, Owner]
    config_maps: dict[str, dict[str, Any]]
    namespace: str
    global_names: set[str]

    def __post_init__(self) -> None:
        # A reference that would leave a task waiting forever is reported after Argo's own submit check,
        # which refuses some of the same references with its own message.
        self.deferred: list[str] = []

    def run(self) -> None:
        spec = self.main.spec
        _check(spec, f.SPEC_RUNS, f.SPEC_CLUSTER_ONLY, self.where)
        self._volumes(spec.get("volumes"), f"{self.where}.volumes")
        self._sync(spec.get("synchronization"), f"{self.where}.synchronization")
        if spec.get("retryStrategy") is not None:
            self._retry(spec["retryStrategy"], f"{self.where}.retryStrategy")
        if spec.get("templateDefaults") is not None:
            self._template_defaults(spec["templateDefaults"], f"{self.where}.templateDefaults")
        for name, hook in (spec.get("hooks") or {}).items():
            self._hook(hook, f"{self.where}.hooks.{name}", self.global_names)
        self._tags(spec, self.where)
        for owner, template, where in self._templates():
            self._template(owner, template, where)

    def _templates(self) -> Iterator[tuple[Owner, dict[str, Any], str]]:
        """Every template of the running workflow, then every one a templateRef reaches."""
        seen: set[tuple[str, str]] = set()
        queue = [(self.main, t, self.where) for t in self.main.spec.get("templates") or []]
        while queue:
            owner, template, prefix = queue.pop(0)
            key = (owner.name, template.get("name", ""))
            if key in seen:
                continue
            seen.add(key)
            yield owner, template, f"{prefix}.templates[{template.get('name', '?')}]"
            for call, where in _calls(template, f"{prefix}.templates[{template.get('name', '?')}]"):
                ref = call.get("templateRef")
                if not ref:
                    continue
                _check(ref, f.TEMPLATE_REF_RUNS, frozenset(), f"{where}.templateRef")
                target = self.owners.get(ref.get("name"))
                found = target.template(ref.get("template")) if target else None
                if found is None:
                    raise Refused(
                        f"{where}.templateRef: no WorkflowTemplate {ref.get('name')!r} with a template "
                        f"{ref.get('template')!r} beside it"
                    )
                queue.append((target, found, f"WorkflowTemplate/{target.name}.spec"))

    # -- pieces ----------------------------------------------------------------------------------
    def _volumes(self, volumes: list[dict[str, Any]] | None, where: str) -> None:
        for i, volume in enumerate(volumes or []):
            kinds = set(volume) - {"name"}
            if not kinds <= f.VOLUME_SOURCES:
                raise Refused(
                    f"{where}[{i}]: volume {volume.get('name')!r} is {', '.join(sorted(kinds))}; "
                    "only emptyDir runs locally"
                )

    def _sync(self, sync: dict[str, Any] | None, where: str) -> None:
        if sync is None:
            return
        _check(sync, f.SYNC_RUNS, frozenset(), where)
        for i, mutex in enumerate(sync.get("mutexes") or []):
            _check(mutex, f.MUTEX_RUNS, frozenset(), f"{where}.mutexes[{i}]")
        for i, sem in enumerate(sync.get("semaphores") or []):
            _check(sem, f.SEMAPHORE_RUNS, frozenset(), f"{where}.semaphores[{i}]")
        try:
            locks = sync_mod.locks(sync, self.namespace)
        except sync_mod.SyncError as err:
            raise Refused(f"{where}: {err}") from None
        for lock in locks:
            if sync_mod.limit(lock, self.config_maps) <= 0:
                raise Refused(
                    f'{where}: Argo would wait forever: "{sync_mod.no_limit(lock.key)}" (no ConfigMap '
                    f"{lock.configmap!r} with an integer key {lock.configmap_key!r} in the render)"
                )

    def _retry(self, retry: dict[str, Any], where: str) -> None:
        _check(retry, f.RETRY_RUNS, f.RETRY_CLUSTER_ONLY, where)
        if retry.get("backoff") is not None:
            _check(retry["backoff"], f.BACKOFF_RUNS, frozenset(), f"{where}.backoff")
        if retry.get("expression"):
            try:
                problems = retry_mod.expression_problems(retry["expression"])
            except ParseError as err:
                problems = [str(err)]
            if problems:
                raise Refused(
                    f"{where}.expression: {problems[0]}; the local runner cannot reproduce how expr reports that "
                    "(Argo marks the Retry node Error with expr's message)"
                )

    def _template_defaults(self, defaults: dict[str, Any], where: str) -> None:
        _check(
            defaults, f.TEMPLATE_RUNS - {"name", "dag", "steps", "inputs", "outputs"}, f.TEMPLATE_CLUSTER_ONLY, where
        )
        for body in ("container", "script"):
            if body in defaults:
                _check(defaults[body], f.CONTAINER_RUNS, f.CONTAINER_CLUSTER_ONLY, f"{where}.{body}")
        if defaults.get("retryStrategy") is not None:
            self._retry(defaults["retryStrategy"], f"{where}.retryStrategy")
        self._volumes(defaults.get("volumes"), f"{where}.volumes")
        self._sync(defaults.get("synchronization"), f"{where}.synchronization")

    def _hook(self, hook: dict[str, Any], where: str, names: set[str]) -> None:
        _check(hook, f.HOOK_RUNS, frozenset(), where)
        expression = hook.get("expression")
        if not expression:
            return
        env = _env_shape(names)
        try:
            problems = expr.parse(expression).check(env)
        except ParseError as err:
            problems = [str(err)]
        if problems:
            raise Refused(
                f"{where}.expression: {problems[0]}; the local runner cannot reproduce how expr reports that "
                "(Argo marks the hook's parent Error with expr's message)"
            )

    def _tags(self, value: Any, where: str) -> None:
        for path, text in strings(value, where):
            try:
                found = tags(text)
            except Unbalanced:
                raise Refused(
                    f"{path}: a '{{{{' with no '}}}}' after it; Argo pairs it with the next '}}}}' anywhere in the "
                    "template's JSON, which the local runner does not emulate"
                ) from None
            for tag in found:
                if is_expression(tag):
                    raise Refused(f"{path}: expression tag {{{{{tag}}}}}: not supported by the local runner")
                key = tag.strip()
                if key.startswith("workflow.creationTimestamp.") and key.split(".")[-1] not in ("s", "RFC3339"):
                    raise Refused(
                        f"{path}: {{{{{tag}}}}}: strftime fields of creationTimestamp are not supported locally"
                    )
                if key.startswith(("workflow.outputs.", "workflow.scheduledTime")):
                    raise Refused(f"{path}: {{{{{tag}}}}}: not supported by the local runner")

    def _template(self, owner: Owner, template: dict[str, Any], where: str) -> None:
        _check(template, f.TEMPLATE_RUNS, f.TEMPLATE_CLUSTER_ONLY, where)
        self._tags(template, where)
        self._volumes(template.get("volumes"), f"{where}.volumes")
        self._sync(template.get("synchronization"), f"{where}.synchronization")
        if template.get("retryStrategy") is not None:
            self._retry(template["retryStrategy"], f"{where}.retryStrategy")
        inputs = template.get("inputs") or {}
        _check(inputs, frozenset({"parameters"}), frozenset(), f"{where}.inputs")
        for p in inputs.get("parameters") or []:
            pw = f"{where}.inputs.parameters[{p.get('name')}]"
            _check(p, f.INPUT_PARAMETER_RUNS, frozenset(), pw)
            if p.get("valueFrom") is not None:
                _check(p["valueFrom"], f.VALUE_FROM_ARGUMENT, frozenset(), f"{pw}.valueFrom")
        kind = scope_mod.template_type(template)
        outputs = template.get("outputs") or {}
        _check(outputs, frozenset({"parameters"}), frozenset(), f"{where}.outputs")
        allowed = f.POD_OUTPUT_VALUE_FROM if kind in ("container", "script") else f.NESTED_OUTPUT_VALUE_FROM
        for p in outputs.get("parameters") or []:
            pw = f"{where}.outputs.parameters[{p.get('name')}]"
            _check(p, f.OUTPUT_PARAMETER_RUNS, frozenset(), pw)
            _check(p.get("valueFrom") or {}, allowed, frozenset(), f"{pw}.valueFrom")
        for body in ("container", "script"):
            if body in template:
                self._container(template[body], template, owner, f"{where}.{body}")
                mounted = [m.get("mountPath", "").rstrip("/") for m in template[body].get("volumeMounts") or []]
                for p in outputs.get("parameters") or []:
                    path = (p.get("valueFrom") or {}).get("path", "")
                    if not any(path == m or path.startswith(m + "/") for m in mounted):
                        raise Refused(
                            f"{where}.outputs.parameters[{p.get('name')}].valueFrom.path: {path!r} is not on a volume "
                            "mount; Argo copies it from the image's filesystem, which a local run does not have "
                            "(mount an emptyDir there)"
                        )
        if "dag" in template:
            _check(template["dag"], f.DAG_RUNS, frozenset(), f"{where}.dag")
            self._dag(owner, template, where)
        if "steps" in template:
            self._steps(owner, template, where)

    def _container(self, body: dict[str, Any], template: dict[str, Any], owner: Owner, where: str) -> None:
        defaults = (self.main.spec.get("templateDefaults") or {}).get(
            "container" if "container" in template else "script"
        )
        merged = {**(defaults or {}), **body}
        _check(body, f.CONTAINER_RUNS, f.CONTAINER_CLUSTER_ONLY, where)
        image = str(merged.get("image", "")).split("@")[0].rsplit(":", 1)[0]
        if image != f.STEP_IMAGE:
            raise Refused(
                f"{where}.image: {merged.get('image')!r} is not the step image ({f.STEP_IMAGE}); "
                "only its commands run locally"
            )
        if not merged.get("command"):
            raise Refused(f"{where}: no command; the image's entrypoint cannot run locally")
        volumes = {v.get("name"): v for v in [*(self.main.spec.get("volumes") or []), *(template.get("volumes") or [])]}
        mounted = []
        for i, mount in enumerate(body.get("volumeMounts") or []):
            if mount.get("name") not in volumes:
                raise Refused(f"{where}.volumeMounts[{i}]: no volume named {mount.get('name')!r}")
            mounted.append(mount.get("mountPath", "").rstrip("/"))
        working = body.get("workingDir")
        if working and not any(working == m or working.startswith(m + "/") for m in mounted):
            raise Refused(
                f"{where}.workingDir: {working!r} is in the image's filesystem, which a local run does not have"
            )
        for i, source in enumerate(body.get("envFrom") or []):
            if set(source) - {"prefix"} not in ({"configMapRef"}, {"secretRef"}):
                raise Refused(f"{where}.envFrom[{i}]: only configMapRef and secretRef are supported")
        for i, var in enumerate(body.get("env") or []):
            ref = var.get("valueFrom")
            if ref is None:
                continue
            if set(ref) - f.ENV_VALUE_FROM or len(ref) != 1:
                raise Refused(
                    f"{where}.env[{i}].valueFrom: only configMapKeyRef, secretKeyRef and fieldRef are supported"
                )
            if "fieldRef" in ref and ref["fieldRef"].get("fieldPath") not in f.POD_FIELDS:
                raise Refused(
                    f"{where}.env[{i}].valueFrom.fieldRef: only {', '.join(sorted(f.POD_FIELDS))} is known locally"
                )

    def _call(self, call: dict[str, Any], runs: frozenset[str], where: str) -> None:
        _check(call, runs, frozenset(), where)
        args = call.get("arguments") or {}
        _check(args, frozenset({"parameters"}), frozenset(), f"{where}.arguments")
        for p in args.get("parameters") or []:
            pw = f"{where}.arguments.parameters[{p.get('name')}]"
            _check(p, f.ARGUMENT_PARAMETER_RUNS, frozenset(), pw)
            if p.get("valueFrom") is not None:
                _check(p["valueFrom"], f.VALUE_FROM_ARGUMENT, frozenset(), f"{pw}.valueFrom")
        if call.get("templateRef") and call["templateRef"].get("clusterScope"):
            raise Refused(f"{where}.templateRef.clusterScope: ClusterWorkflowTemplates are not in the render")
        if call.get("withSequence") is not None:
            seq = call["withSequence"]
            _check(seq, f.SEQUENCE_RUNS, frozenset(), f"{where}.withSequence")
            if seq.get("format") and not SEQUENCE_FORMAT.fullmatch(str(seq["format"])):
                raise Refused(
                    f"{where}.withSequence.format: only one integer verb (%d, %02d, %x, ...) prints as Go would"
                )
        when = call.get("when")
        if when and any(op in when for op in ("=~", "!~")):
            raise Refused(
                f"{where}.when: =~ and !~ are Go RE2 regular expressions, which the local runner does not evaluate"
            )
        if call.get("continueOn") is not None:
            _check(call["continueOn"], frozenset({"error", "failed"}), frozenset(), f"{where}.continueOn")

    def _dag(self, owner: Owner, template: dict[str, Any], where: str) -> None:
        tasks = {t.get("name"): t for t in template["dag"].get("tasks") or []}
        for name, task in tasks.items():
            tw = f"{where}.dag.tasks[{name}]"
            self._call(task, f.TASK_RUNS, tw)
            if task.get("depends"):
                try:
                    depends_mod.parse(task["depends"])
                except ParseError as err:
                    raise Refused(
                        f"{tw}.depends: {err.message} at {err.position}; Argo would only find out at run time, "
                        "with expr's own error text"
                    ) from None
            scope = self._task_env(owner, template, name)
            for hook_name, hook in (task.get("hooks") or {}).items():
                self._hook(hook, f"{tw}.hooks.{hook_name}", scope)
            for path, text in strings({k: v for k, v in task.items() if k != "hooks"}, tw):
                for tag in _safe_tags(text):
                    why = scope_mod.run_problem(tag.strip(), template, name)
                    if why:
                        self.deferred.append(f"{path}: {{{{{tag}}}}}: Argo would wait forever: {why}")

    def _steps(self, owner: Owner, template: dict[str, Any], where: str) -> None:
        for g, group in enumerate(template["steps"] or []):
            if not isinstance(group, list):
                raise Refused(f"{where}.steps[{g}]: expected a list of steps")
            for step in group:
                sw = f"{where}.steps[{g}][{step.get('name')}]"
                self._call(step, f.STEP_RUNS, sw)
                scope = self.global_names | {f"steps.{step.get('name')}.status"}
                for hook_name, hook in (step.get("hooks") or {}).items():
                    self._hook(hook, f"{sw}.hooks.{hook_name}", scope)
                for path, text in strings({k: v for k, v in step.items() if k != "hooks"}, sw):
                    for tag in _safe_tags(text):
                        why = scope_mod.run_problem(tag.strip(), template, step.get("name"))
                        if why:
                            self.deferred.append(f"{path}: {{{{{tag}}}}}: Argo would wait forever: {why}")

    def _task_env(self, owner: Owner, template: dict[str, Any], task: str) -> set[str]:
        """The names a task's hook expressions see: globals, its ancestors' scope and its own status."""
        tasks = {t.get("name"): t for t in template["dag"].get("tasks") or []}
        names = set(self.global_names) | {f"tasks.{task}.status"}
        for ancestor in scope_mod.ancestry(task, tasks):
            names |= {f"tasks.{ancestor}.{k}" for k in ("id", "startedAt", "finishedAt", "status")}
        return names


def _safe_tags(text: str) -> list[str]:
    try:
        return tags(text)
    except Unbalanced:
        return []


def _env_shape(names: set[str]) -> dict[str, Any]:
    """The nested env (util/expand) an expression sees, every value a text."""
    from gitops.runner.hooks import expand_env

    return expand_env({n: expr.TEXT for n in names})


def _calls(template: dict[str, Any], where: str) -> Iterator[tuple[dict[str, Any], str]]:
    for task in (template.get("dag") or {}).get("tasks") or []:
        yield task, f"{where}.dag.tasks[{task.get('name')}]"
        for name, hook in (task.get("hooks") or {}).items():
            yield hook, f"{where}.dag.tasks[{task.get('name')}].hooks.{name}"
    for g, group in enumerate(template.get("steps") or []):
        for step in group or []:
            yield step, f"{where}.steps[{g}][{step.get('name')}]"
            for name, hook in (step.get("hooks") or {}).items():
                yield hook, f"{where}.steps[{g}][{step.get('name')}].hooks.{name}"
