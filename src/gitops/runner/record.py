"""The run record: a Workflow object in Argo's own shape, as `argo get -o json` prints it.

Node IDs, display names, timestamps and progress follow the controller
(v4.0.6): pkg/apis/workflow/v1alpha1/workflow_types.go NodeID (the workflow's
name for the entry node, else "<wf>-<FNV-1a 32 of the node name>") and the
NodeStatus JSON field names; workflow/controller/operator.go initializeNode
(displayName is the name with its boundary node's name and a leading "[N]." or
"." removed; a node born fulfilled has finishedAt = startedAt) and markNodePhase
(finishedAt set when a node becomes fulfilled); workflow/progress/updater.go
(a pod node counts "x/1", complete when Succeeded, Skipped or Omitted; other
nodes sum their descendants).
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

FULFILLED = ("Succeeded", "Failed", "Error", "Skipped", "Omitted")
COMPLETED = ("Succeeded", "Failed", "Error")
_SEPARATOR = re.compile(r"^(\[\d+\])?\.")
EXECUTABLE = ("Pod", "Container", "Suspend", "HTTP", "Plugin")


def fnv1a32(text: str) -> int:
    h = 0x811C9DC5
    for byte in text.encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def pod_name(workflow: str, node_name: str, template_name: str) -> str:
    """workflow/util/pod_name.go GeneratePodName (v2 names): "<wf>-<template>-<FNV-1a 32 of the node name>"."""
    if node_name == workflow:
        return workflow
    prefix = f"{workflow}-{template_name}" if template_name else workflow
    return f"{prefix[:242]}-{fnv1a32(node_name)}"


def rfc3339(epoch: float | None) -> str | None:
    """metav1.Time's JSON: whole seconds, UTC."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Node:
    id: str
    name: str
    display_name: str
    type: str
    template_name: str = ""
    template_ref: dict[str, Any] | None = None
    template_scope: str = ""
    phase: str = "Pending"
    boundary_id: str = ""
    message: str = ""
    started_at: float = 0.0
    finished_at: float | None = None
    flag: dict[str, bool] | None = None
    inputs: dict[str, Any] | None = None
    outputs: dict[str, Any] | None = None
    children: list[str] = field(default_factory=list)
    outbound: list[str] = field(default_factory=list)
    waiting_for: str = ""  # synchronizationStatus.waiting
    progress: str = ""

    @property
    def fulfilled(self) -> bool:
        return self.phase in FULFILLED

    @property
    def completed(self) -> bool:
        return self.phase in COMPLETED

    @property
    def hooked(self) -> bool:
        return bool(self.flag and self.flag.get("hooked"))

    @property
    def retried(self) -> bool:
        return bool(self.flag and self.flag.get("retried"))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "displayName": self.display_name, "type": self.type}
        if self.template_name:
            out["templateName"] = self.template_name
        if self.template_ref:
            out["templateRef"] = self.template_ref
        if self.template_scope:
            out["templateScope"] = self.template_scope
        out["phase"] = self.phase
        if self.boundary_id:
            out["boundaryID"] = self.boundary_id
        if self.message:
            out["message"] = self.message
        out["startedAt"] = rfc3339(self.started_at)
        out["finishedAt"] = rfc3339(self.finished_at)
        if self.progress:
            out["progress"] = self.progress
        if self.flag:
            out["nodeFlag"] = self.flag
        if self.inputs:
            out["inputs"] = self.inputs
        if self.outputs:
            out["outputs"] = self.outputs
        if self.children:
            out["children"] = self.children
        if self.outbound:
            out["outboundNodes"] = self.outbound
        if self.waiting_for:
            out["synchronizationStatus"] = {"waiting": self.waiting_for}
        return out


class Workflow:
    """The Workflow object a run builds: metadata, the spec it ran, and its status."""

    def __init__(self, name: str, namespace: str, labels: dict[str, str], spec: dict[str, Any]):
        self.name, self.namespace, self.labels, self.spec = name, namespace, labels, spec
        self.annotations: dict[str, str] = {}
        self.phase, self.message = "", ""
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.nodes: dict[str, Node] = {}
        self.stored_spec: dict[str, Any] | None = None  # status.storedWorkflowTemplateSpec of a templateRef run
        self.on_change: list = []  # callbacks(node) for the live tree

    def node_id(self, name: str) -> str:
        return self.name if name == self.name else f"{self.name}-{fnv1a32(name)}"

    def get(self, name: str) -> Node | None:
        return self.nodes.get(self.node_id(name))

    def by_id(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def init_node(
        self,
        name: str,
        type_: str,
        boundary_id: str,
        phase: str,
        template_name: str = "",
        template_ref: dict[str, Any] | None = None,
        template_scope: str = "",
        flag: dict[str, bool] | None = None,
        message: str = "",
    ) -> Node:
        node_id = self.node_id(name)
        if node_id in self.nodes:
            raise RuntimeError(f"node {name} already initialized")
        boundary = self.nodes.get(boundary_id)
        display = (
            _SEPARATOR.sub("", name[len(boundary.name) :] if name.startswith(boundary.name) else name)
            if boundary
            else name
        )
        now = time.time()
        node = Node(
            node_id,
            name,
            display,
            type_,
            template_name,
            template_ref,
            template_scope,
            phase,
            boundary_id,
            message,
            now,
            now if phase in FULFILLED else None,
            flag,
        )
        self.nodes[node_id] = node
        self._changed(node)
        return node

    def mark(self, name: str, phase: str, message: str | None = None) -> Node:
        """markNodePhase: a message given replaces the old one; finishedAt is set on fulfilment."""
        node = self.get(name)
        if node is None:
            raise RuntimeError(f"no node {name}")
        changed = node.phase != phase or (message is not None and message != node.message)
        node.phase = phase
        if message is not None:
            node.message = message
        if node.fulfilled and node.finished_at is None:
            node.finished_at = time.time()
        if changed:
            self._changed(node)
        return node

    def add_child(self, parent: str, child: str) -> None:
        node, child_id = self.get(parent), self.node_id(child)
        if node is not None and child_id not in node.children:
            node.children.append(child_id)

    def _changed(self, node: Node) -> None:
        for callback in self.on_change:
            callback(node)

    # -- the object --------------------------------------------------------------------------
    def progress(self) -> str:
        done = total = 0
        for node in self.nodes.values():
            if node.type in EXECUTABLE:
                node.progress = "1/1" if node.phase in ("Succeeded", "Skipped", "Omitted") else "0/1"
                done, total = done + int(node.progress[0]), total + 1
        for node in self.nodes.values():
            if node.type not in EXECUTABLE:
                n, m = self._sum(node, set())
                if m > 0:
                    node.progress = f"{n}/{m}"
        return f"{done}/{total}"

    def _sum(self, node: Node, seen: set[str]) -> tuple[int, int]:
        n = m = 0
        for child_id in node.children:
            if child_id in seen or child_id not in self.nodes:
                continue
            seen.add(child_id)
            child = self.nodes[child_id]
            cn, cm = self._sum(child, seen)
            n, m = n + cn, m + cm
            if child.type in EXECUTABLE and child.progress:
                n, m = n + int(child.progress.split("/")[0]), m + int(child.progress.split("/")[1])
        return n, m

    def to_json(self) -> dict[str, Any]:
        progress = self.progress()
        labels = dict(self.labels)
        if self.phase:
            labels["workflows.argoproj.io/phase"] = self.phase
        done = self.phase in ("Succeeded", "Failed", "Error")
        labels["workflows.argoproj.io/completed"] = "true" if done else "false"
        status: dict[str, Any] = {"phase": self.phase or "Pending"}
        if self.started_at is not None:
            status["startedAt"] = rfc3339(self.started_at)
        status["finishedAt"] = rfc3339(self.finished_at)
        status["progress"] = progress
        if self.message:
            status["message"] = self.message
        status["nodes"] = {k: n.to_json() for k, n in self.nodes.items()}
        if done:
            status["conditions"] = [{"type": "Completed", "status": "True"}]
        if self.stored_spec is not None:
            status["storedWorkflowTemplateSpec"] = self.stored_spec
        metadata: dict[str, Any] = {"name": self.name, "labels": labels}
        if self.namespace:
            metadata["namespace"] = self.namespace
        if self.annotations:
            metadata["annotations"] = self.annotations
        return {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Workflow",
            "metadata": metadata,
            "spec": self.spec,
            "status": status,
        }

    def write(self, path: Path) -> None:
        """Atomically: a reader never sees half a record."""
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        os.replace(tmp, path)
