"""What a finished node offers the tasks or steps after it: its scope entries, and a loop's aggregate.

workflow/controller/operator.go (v4.0.6): buildLocalScope (id, startedAt,
finishedAt, status, outputs.result, exitCode, outputs.parameters.<p>; a Retry
node's values are its last attempt's), processAggregateNodeOutputs (only
Succeeded children, hooks and attempts left out, ordered by loop index:
`outputs.parameters` a JSON list of {name: value} maps, `outputs.parameters.<p>`
a JSON list of values, kept as objects when every value parses as a JSON object
or list, `outputs.result` a JSON list of each child's result parsed as JSON).
"""

from __future__ import annotations

import json
import re
from typing import Any

from gitops.argo.goformat import compact_json, go_json
from gitops.argo.items import go_json_error
from gitops.runner.record import Node, Workflow, rfc3339


class AggregateError(Exception):
    """A child's result is not JSON: the consuming task errors with encoding/json's text."""


def last_attempt(wf: Workflow, node: Node) -> Node:
    """possiblyGetRetryChildNode: a Retry node stands for its last attempt that is not a hook."""
    if node.type != "Retry":
        return node
    for child_id in reversed(node.children):
        child = wf.nodes.get(child_id)
        if child is not None and not child.hooked:
            return child
    return node


def node_scope(wf: Workflow, prefix: str, node: Node) -> dict[str, str]:
    node = last_attempt(wf, node)
    scope = {f"{prefix}.id": node.id}
    if node.started_at:
        scope[f"{prefix}.startedAt"] = rfc3339(node.started_at)
    if node.finished_at is not None:
        scope[f"{prefix}.finishedAt"] = rfc3339(node.finished_at)
    if node.phase:
        scope[f"{prefix}.status"] = node.phase
    outputs = node.outputs or {}
    if "result" in outputs:
        scope[f"{prefix}.outputs.result"] = outputs["result"]
    if "exitCode" in outputs:
        scope[f"{prefix}.exitCode"] = outputs["exitCode"]
    for param in outputs.get("parameters") or []:
        if "value" in param:
            scope[f"{prefix}.outputs.parameters.{param['name']}"] = param["value"]
    return scope


def _index(name: str) -> int:
    return int(name.rsplit("(", 1)[-1].split(":", 1)[0].rstrip(")"))


def aggregate(prefix: str, children: list[Node]) -> dict[str, str]:
    children = [c for c in children if not c.hooked and not c.retried]
    if not children:
        return {}
    children.sort(key=lambda c: _index(c.name))
    maps, values, results = [], {}, []
    for child in children:
        outputs = child.outputs
        if outputs is None or child.phase != "Succeeded":
            continue
        params = outputs.get("parameters") or []
        if params:
            maps.append({p["name"]: p.get("value", "") for p in params})
            for p in params:
                values.setdefault(p["name"], []).append(p.get("value", ""))
        if "result" in outputs:
            try:
                json.loads(outputs["result"])
            except json.JSONDecodeError as err:
                raise AggregateError(go_json_error(err)) from None
            results.append(compact_json(outputs["result"]))  # a wfv1.Item keeps its JSON text
    scope = {f"{prefix}.outputs.result": "[" + ",".join(results) + "]", f"{prefix}.outputs.parameters": go_json(maps)}
    for name, listed in values.items():
        scope[f"{prefix}.outputs.parameters.{name}"] = _value_list(listed)
    return scope


def _value_list(values: list[str]) -> str:
    """aggregatedJSONValueList: objects when every value is a JSON object or list, else the strings."""
    parsed = []
    for value in values:
        try:
            item = json.loads(value)
        except json.JSONDecodeError:
            return go_json(values)
        if not isinstance(item, (dict, list)):
            return go_json(values)
        parsed.append(item)
    return go_json(parsed)


def loop_children(wf: Workflow, group: Node, boundary_id: str) -> list[Node]:
    """The expansions of a loop node: same boundary, named `<group>(`."""
    prefix = group.name + "("
    return [n for n in wf.nodes.values() if n.boundary_id == boundary_id and n.name.startswith(prefix)]


def references_result(parent: dict[str, Any], kind: str, name: str) -> bool:
    """hasOutputResultRef: whether the parent template mentions `<kind>.<name>.outputs.result`."""
    text = json.dumps(parent)
    return bool(
        re.search(rf"{kind}\.{re.escape(name)}\.outputs\.result", text)
        or re.search(rf"{kind}\[['\"]{re.escape(name)}['\"]\]\.outputs.result", text)
    )
