"""The controller's loop, on one machine: passes over the template tree until the workflow ends.

workflow/controller/operator.go (v4.0.6) is level-triggered: each pass
(operate) updates pod nodes from their pods, then walks the tree from the
entrypoint creating every node whose preconditions hold, then runs the workflow
hooks and, once the entry node is fulfilled, the exit handler, and finally sets
the workflow's phase. Here a pass runs again whenever the last one changed
something, and otherwise the loop sleeps until a process ends, a timer (retry
backoff, a deadline) fires, or a lock held by another run may have freed.

A workflow Argo would leave Running forever (a task waiting on a reference that
can never resolve) is reported as such (`Hang`), with the record as it stands.
"""

from __future__ import annotations

import re
import select
import time
import uuid
from pathlib import Path
from typing import Any

from gitops.argo import durations
from gitops.argo import retry as retry_mod
from gitops.argo import substitution as subst
from gitops.argo import synchronization as sync_mod
from gitops.runner import dag, hooks, local_pod, steps
from gitops.runner.locks import Locks
from gitops.runner.outputs import references_result
from gitops.runner.record import Node, Workflow, pod_name
from gitops.runner.templates import POD_TYPES, NodeError, Owner, TemplateTimeout, kind_of, process_args, with_defaults

NODE_TYPES = {"container": "Pod", "script": "Pod", "dag": "DAG", "steps": "Steps"}
WORKFLOW_PHASE = {
    "Pending": "Pending",
    "Running": "Running",
    "Succeeded": "Succeeded",
    "Skipped": "Succeeded",
    "Omitted": "Succeeded",
    "Failed": "Failed",
    "Error": "Error",
}
LOCK_POLL_S = 0.25  # how often a node waiting for another run's lock looks again


class Hang(Exception):
    """Argo would leave the workflow Running forever; str() says which node waits on what."""


class Operator:
    def __init__(
        self,
        wf: Workflow,
        spec: dict[str, Any],
        main: Owner,
        owners: dict[str, Owner],
        arguments: list[dict[str, Any]],
        global_values: dict[str, str],
        cluster: local_pod.Cluster,
        config_maps: dict[str, dict[str, Any]],
        run_dir: Path,
        locks: Locks,
    ):
        self.wf, self.spec, self.main, self.owners, self.arguments = wf, spec, main, owners, arguments
        self.cluster, self.config_maps, self.run_dir, self.locks = cluster, config_maps, run_dir, locks
        self.globals = self._globals(global_values)
        self.processes: dict[str, tuple[local_pod.Process, dict[str, Any], bool]] = {}
        self.exit_nodes: set[str] = set()  # nodes that are (part of) an exit handler
        self.timers: list[float] = []
        self.waiting_locks = False
        self.stuck: dict[str, str] = {}  # node name -> the reference it waits for (a requeue)
        self.deadline: float | None = None
        self.pods = 0
        self.dirty = False
        self.boundary_templates: dict[str, dict[str, Any]] = {}
        self.pod_dirs: dict[
            str, Path
        ] = {}  # pod node id -> its directory (logs, volumes)  # DAG/Steps node id -> its processed template
        self.note = lambda message: None  # where workflow-level waits are told (the live tree)
        wf.on_change.append(lambda node: setattr(self, "dirty", True))

    # -- globals -----------------------------------------------------------------------------
    def _globals(self, values: dict[str, str]) -> dict[str, str]:
        """setGlobalParameters: workflow.* names (creationTimestamp as RFC3339 and Unix seconds)."""
        from gitops.runner.record import rfc3339
        from gitops.runner.templates import parameters_json

        now = time.time()
        spec, wf = self.spec, self.wf
        out = {
            "workflow.name": wf.name,
            "workflow.namespace": wf.namespace,
            "workflow.mainEntrypoint": spec.get("entrypoint", ""),
            "workflow.serviceAccountName": spec.get("serviceAccountName", ""),
            "workflow.uid": str(uuid.uuid4()),
            "workflow.creationTimestamp": rfc3339(now),
            "workflow.creationTimestamp.s": str(int(now)),
            "workflow.creationTimestamp.RFC3339": rfc3339(now),
            "workflow.parameters": parameters_json(self.arguments),
            "workflow.parameters.json": parameters_json(self.arguments),
            "workflow.annotations": _json_map(wf.annotations),
            "workflow.annotations.json": _json_map(wf.annotations),
            "workflow.labels": _json_map(wf.labels),
            "workflow.labels.json": _json_map(wf.labels),
        }
        if spec.get("priority") is not None:
            out["workflow.priority"] = str(spec["priority"])
        out.update({f"workflow.parameters.{k}": v for k, v in values.items()})
        out.update({f"workflow.labels.{k}": v for k, v in wf.labels.items()})
        out.update({f"workflow.annotations.{k}": v for k, v in wf.annotations.items()})
        out["workflow.status"] = ""
        return out

    # -- the loop ----------------------------------------------------------------------------
    def run(self) -> None:
        """Until the workflow is Succeeded, Failed or Error (Hang when Argo would never get there)."""
        workflow_lock = self.spec.get("synchronization")
        if workflow_lock:
            self._workflow_lock(workflow_lock)
        self.wf.phase, self.wf.started_at = "Running", time.time()
        if self.spec.get("activeDeadlineSeconds") is not None:
            self.deadline = int(self.wf.started_at) + int(self.spec["activeDeadlineSeconds"])
        try:
            while True:
                self.dirty = False
                self.timers, self.waiting_locks, self.stuck = [], False, {}
                if self._pass():
                    return
                if self.dirty:
                    continue
                self._wait()
        finally:
            self._stop_all()
            if workflow_lock:
                self.locks.release(f"{self.wf.namespace}/{self.wf.name}")

    def _workflow_lock(self, sync: dict[str, Any]) -> None:
        """Workflow-level synchronization: Pending, with the lock's message, until every lock is held."""
        while True:
            acquired, message, _ = self.locks.try_acquire(f"{self.wf.namespace}/{self.wf.name}", sync)
            if acquired:
                self.wf.message = ""
                return
            if self.wf.message != message:
                self.wf.phase, self.wf.message = "Pending", message
                self.note(message)
            time.sleep(LOCK_POLL_S)

    def _wait(self) -> None:
        running = [p for p, _, _ in self.processes.values()]
        now = time.time()
        wake = [t for t in self.timers if t > now]
        for process, _, _ in self.processes.values():
            wake += [t for t in (process.deadline, process.execution_deadline) if t]
            if process.kill_sent:
                wake.append(process.kill_sent + local_pod.KILL_GRACE_S + 0.05)
        if self.deadline is not None:
            wake.append(self.deadline + 0.001)
        if self.waiting_locks:
            wake.append(now + LOCK_POLL_S)
        if not running and not wake:
            blocked = "; ".join(f"{name} waits for {why}" for name, why in sorted(self.stuck.items()))
            raise Hang(blocked or "no node can start and nothing is running")
        timeout = max(0.0, min(wake) - now) if wake else None
        fds = [p.pidfd for p in running if p.pidfd is not None]
        if fds and len(fds) == len(running):
            select.select(fds, [], [], timeout)
        else:  # no pidfd on this system: poll briefly
            time.sleep(min(timeout if timeout is not None else 0.05, 0.05))

    def _stop_all(self) -> None:
        for process, _, _ in self.processes.values():
            process.kill("workflow")
        for process, _, _ in self.processes.values():
            try:
                process.popen.wait(timeout=local_pod.KILL_GRACE_S)
            except Exception:  # noqa: BLE001 - a process that ignores SIGTERM gets SIGKILL
                process.poll()
                process.popen.wait()
            process.close()

    # -- one pass -------------------------------------------------------------------------------
    def _pass(self) -> bool:
        """operate(): True when the workflow has ended."""
        self._reconcile_pods()
        try:
            entry = self.execute_template(
                self.wf.name, {"template": self.spec["entrypoint"]}, self.main, self.arguments, ""
            )
        except NodeError as err:
            self._finish("Error", f"error in entry template execution: {err}")
            return True
        status = WORKFLOW_PHASE.get(entry.phase, "Running") if entry is not None else "Running"
        self.globals["workflow.status"] = status
        self.globals["workflow.failures"] = hooks.failures(self)
        hooks_done = True
        try:
            hooks_done = hooks.workflow_hooks(self)
        except NodeError as err:
            self.wf.mark(self.wf.name, "Error", str(err))
        if not hooks_done or entry is None or not entry.fulfilled:
            return False
        exit_node = None
        exit_hook = hooks.exit_hook(self.spec, self.arguments)
        if exit_hook is not None:
            try:
                exit_node = self.execute_template(
                    f"{self.wf.name}.onExit",
                    exit_hook,
                    self.main,
                    (exit_hook.get("arguments") or {}).get("parameters") or [],
                    "",
                    on_exit=True,
                    flag={"hooked": True},
                )
            except NodeError as err:
                self._finish("Error", f"error in exit template execution : {err}")
                return True
            if exit_node is None or not exit_node.fulfilled:
                return False
        if status == "Succeeded" and exit_node is not None and exit_node.phase in ("Failed", "Error"):
            self._finish(exit_node.phase, exit_node.message)
        else:
            self._finish(status, entry.message if status != "Succeeded" else "")
        return True

    def _finish(self, phase: str, message: str) -> None:
        self.wf.phase, self.wf.message, self.wf.finished_at = phase, message, time.time()
        entry = self.wf.get(self.wf.name)
        if phase == "Error" and entry is not None and entry.phase == "Running":
            self.wf.mark(self.wf.name, "Error", "Workflow operation error")
        self.globals["workflow.duration"] = f"{self.wf.finished_at - (self.wf.started_at or 0):f}"

    # -- pods --------------------------------------------------------------------------------------
    def _reconcile_pods(self) -> None:
        now = time.time()
        past_deadline = self.deadline is not None and now > self.deadline
        for node_id, (process, template, include_result) in list(self.processes.items()):
            node = self.wf.nodes[node_id]
            if process.poll() is None:
                if past_deadline and node_id not in self.exit_nodes:
                    process.kill("workflow")
                elif process.deadline is not None and now >= process.deadline:
                    process.kill("deadline")
                elif process.execution_deadline is not None and now >= process.execution_deadline:
                    process.kill("executor")
                continue
            result = local_pod.outcome(process, template, include_result)
            process.close()
            del self.processes[node_id]
            node.outputs = result.outputs
            node.finished_at = result.finished
            self.wf.mark(node.name, result.phase, result.message)
        if past_deadline:
            for node in list(self.wf.nodes.values()):
                if node.phase == "Pending" and node.id not in self.exit_nodes and node.id not in self.processes:
                    self.wf.mark(node.name, "Failed", "Step exceeded its deadline")

    def execute_pod(
        self,
        name: str,
        template: dict[str, Any],
        holder: dict[str, Any],
        scope: str,
        boundary_id: str,
        on_exit: bool,
        flag: dict | None,
        execution_deadline: float | None,
    ) -> Node:
        """executeContainer/executeScript and createWorkflowPod: one process per pod node."""
        node = self.wf.get(name) or self._init_executable(
            name, "Pod", holder, scope, boundary_id, "Pending", flag, template
        )
        if on_exit:
            self.exit_nodes.add(node.id)
        if node.id in self.processes or node.phase != "Pending":
            return node
        now = time.time()
        pod_deadline = None
        active = template.get("activeDeadlineSeconds")
        if active is not None:
            pod_deadline = float(int(str(active)))
        if self.deadline is not None and not on_exit:
            remaining = int(self.deadline - now)
            if remaining <= 0:
                return node  # no pod after the workflow deadline: the node stays Pending until it is failed
        if template.get("timeout"):
            until = node.started_at + durations.go_duration(str(template["timeout"]))
            seconds = int(until - now)
            if seconds <= 1:
                raise NodeError(f"{name} exceeded its deadline")
            pod_deadline = float(seconds)
        self.pods += 1
        # A path safe to paste into a shell line: the spec's /tmp paths are rewritten to it.
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", node.display_name).strip("_")
        pod_dir = self.run_dir / "pods" / f"{self.pods:03d}-{safe}"
        volumes = {v["name"]: v for v in [*(self.spec.get("volumes") or []), *(template.get("volumes") or [])]}
        process = local_pod.start(template, volumes, self.cluster, pod_dir, node.name)
        self.pod_dirs[node.id] = pod_dir
        process.deadline = process.started + pod_deadline if pod_deadline is not None else None
        process.execution_deadline = execution_deadline
        parent = self._boundary_template(boundary_id)
        task = (holder.get("name") or "") if parent is not None else ""
        include = bool(parent) and references_result(parent, "tasks" if "dag" in parent else "steps", task)
        self.processes[node.id] = (process, template, include)
        node.message = ""
        self.wf.mark(name, "Running")
        return node

    def _boundary_template(self, boundary_id: str) -> dict[str, Any] | None:
        return self.boundary_templates.get(boundary_id) if boundary_id else None

    def _init_executable(self, name, type_, holder, scope, boundary_id, phase, flag, template, message=""):
        """initializeExecutableNode: the node, with the processed template's inputs."""
        node = self.wf.init_node(
            name,
            type_,
            boundary_id,
            phase,
            holder.get("template", ""),
            holder.get("templateRef"),
            scope,
            flag,
            message,
        )
        params = (template.get("inputs") or {}).get("parameters") or []
        if params:
            node.inputs = {"parameters": [{k: p[k] for k in ("name", "value") if k in p} for p in params]}
        return node

    def _init_or_error(self, node, name, holder, scope, boundary_id, flag, message) -> None:
        """initializeNodeOrMarkError."""
        if node is not None:
            self.wf.mark(name, "Error", message)
        else:
            self.wf.init_node(
                name,
                "Skipped",
                boundary_id,
                "Error",
                holder.get("template", ""),
                holder.get("templateRef"),
                scope,
                flag,
                message,
            )

    # -- executeTemplate ---------------------------------------------------------------------------
    def resolve(self, holder: dict[str, Any], owner: Owner) -> tuple[dict[str, Any], Owner]:
        ref = holder.get("templateRef")
        if ref:
            target = self.owners.get(ref.get("name"))
            template = target.template(ref.get("template")) if target else None
            if template is None:
                raise NodeError(f"template {ref.get('template')} not found in workflow template {ref.get('name')}")
            return template, target
        template = owner.template(holder.get("template", ""))
        if template is None:
            raise NodeError(f"template {holder.get('template')} not found")
        return template, owner

    def holder(self, name: str) -> str:
        """The lock holder key of a node (sync_manager.go: "<namespace>/<workflow>/<node id>")."""
        return f"{self.wf.namespace}/{self.wf.name}/{self.wf.node_id(name)}"

    def retry_strategy(self, template: dict[str, Any]) -> dict[str, Any] | None:
        return (
            template.get("retryStrategy")
            if template.get("retryStrategy") is not None
            else self.spec.get("retryStrategy")
        )

    def execute_template(
        self,
        name: str,
        holder: dict[str, Any],
        owner: Owner,
        arguments: list[dict[str, Any]],
        boundary_id: str,
        on_exit: bool = False,
        flag: dict[str, bool] | None = None,
        call_kind: str = "",
    ) -> Node | None:
        node = self.wf.get(name)
        scope = owner.scope
        try:
            template, target = self.resolve(holder, owner)
            template = with_defaults(template, self.spec.get("templateDefaults"))
            local = {"node.name": name}
            kind = kind_of(template)
            if kind in POD_TYPES and self.retry_strategy(template) is None:
                local["pod.name"] = pod_name(self.wf.name, name, template.get("name", ""))
            if call_kind:
                local[f"{call_kind}.name"] = holder.get("name", "")
            processed = process_args(template, arguments, self.globals, local, self.config_maps)
        except (NodeError, subst.SubstitutionError) as err:
            self._init_or_error(node, name, holder, scope, boundary_id, flag, str(err))
            raise NodeError(str(err)) from None
        sync = processed.get("synchronization")
        if node is not None and node.fulfilled:
            self.locks.release(self.holder(node.name))
            return node
        if node is not None and processed.get("timeout") and node.phase == "Pending":
            if time.time() > node.started_at + durations.go_duration(str(processed["timeout"])):
                self.wf.mark(name, "Failed", "timeout")
                raise TemplateTimeout()
        if sync:
            try:
                acquired, message, lock_key = self.locks.try_acquire(self.holder(name), sync)
            except sync_mod.SyncError as err:
                self._init_or_error(node, name, holder, scope, boundary_id, flag, str(err))
                raise NodeError(str(err)) from None
            if not acquired:
                if node is None:
                    node = self._init_executable(
                        name,
                        NODE_TYPES.get(kind, "Pod"),
                        holder,
                        scope,
                        boundary_id,
                        "Pending",
                        flag,
                        processed,
                        message,
                    )
                node.waiting_for, node.message = lock_key, message
                self.waiting_locks = True
                return node
            if node is not None and node.waiting_for:
                node.waiting_for, node.message = "", ""
        if on_exit and node is not None:
            self.exit_nodes.add(node.id)
        strategy = self.retry_strategy(processed)
        retry_name, execution_deadline = "", None
        if strategy is not None:
            retry_name = name
            retry_node = node or self._init_executable(
                name, "Retry", holder, scope, boundary_id, "Running", flag, processed
            )
            if on_exit:
                self.exit_nodes.add(retry_node.id)
            attempts = [self.wf.by_id(c) for c in retry_node.children if not self.wf.by_id(c).hooked]
            try:
                decision = retry_mod.decide(strategy, [_attempt(a) for a in attempts], time.time(), self.deadline)
            except retry_mod.StrategyError as err:
                self.wf.mark(name, "Error", str(err))
                self.locks.release(self.holder(retry_node.name))
                raise NodeError(str(err)) from None
            if decision.action == "backoff":
                self.wf.mark(name, retry_node.phase, decision.message)
                self.timers.append(decision.until)
                return retry_node
            if decision.action == "end":
                if attempts:
                    retry_node.outputs = attempts[-1].outputs
                self.wf.mark(name, decision.phase, decision.message)
                self.locks.release(self.holder(retry_node.name))
                return retry_node
            if strategy.get("backoff") is not None and retry_node.message.startswith("Backoff for"):
                self.wf.mark(name, retry_node.phase, "")
            flag = {**(flag or {}), "retried": True}
            if decision.action == "wait":
                number, name, node = len(attempts) - 1, attempts[-1].name, attempts[-1]
            else:
                number, name, node = len(attempts), f"{retry_name}({len(attempts)})", None
                self.wf.add_child(retry_name, name)
            execution_deadline = decision.execution_deadline
            last = attempts[-1] if attempts and decision.action != "wait" else None
            local = {"retries": str(number)}
            if kind in POD_TYPES:
                local["pod.name"] = pod_name(self.wf.name, name, processed.get("name", ""))
            local["lastRetry.exitCode"] = ((last.outputs or {}).get("exitCode") if last else None) or "0"
            local["lastRetry.duration"] = (
                retry_mod.duration_text((last.finished_at or time.time()) - last.started_at) if last else "0"
            )
            local["lastRetry.status"] = last.phase if last else ""
            local["lastRetry.message"] = last.message if last else ""
            processed = subst.replace(processed, {**self.globals, **local})
        try:
            if kind in ("container", "script"):
                node = self.execute_pod(name, processed, holder, scope, boundary_id, on_exit, flag, execution_deadline)
            elif kind == "dag":
                node = dag.execute(self, name, processed, target, holder, scope, boundary_id, on_exit, flag)
            else:
                node = steps.execute(self, name, processed, target, holder, scope, boundary_id, on_exit, flag)
        except TemplateTimeout:
            raise
        except NodeError as err:
            node = self.wf.get(name)
            if node is None:
                node = self.wf.init_node(
                    name,
                    "Skipped",
                    boundary_id,
                    "Error",
                    holder.get("template", ""),
                    holder.get("templateRef"),
                    scope,
                    flag,
                    str(err),
                )
            else:
                self.wf.mark(name, "Error", str(err))
            if strategy is None or retry_mod.policy(strategy) not in ("Always", "OnError", "OnTransientError"):
                self.locks.release(self.holder(node.name))
                raise
        if node.fulfilled:
            self.locks.release(self.holder(node.name))
        if retry_name:
            retry_node = self.wf.get(retry_name)
            if not retry_node.fulfilled and node.fulfilled:
                retry_node = self.execute_template(
                    retry_name,
                    holder,
                    owner,
                    arguments,
                    boundary_id,
                    on_exit,
                    {k: v for k, v in (flag or {}).items() if k != "retried"} or None,
                    call_kind,
                )
            node = retry_node
        return node


def _attempt(node: Node) -> retry_mod.Attempt:
    return retry_mod.Attempt(
        node.phase, node.message, node.started_at, node.finished_at, (node.outputs or {}).get("exitCode")
    )


def _json_map(values: dict[str, str]) -> str:
    from gitops.argo.goformat import go_json

    return go_json(values) if values else "null"
