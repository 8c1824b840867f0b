"""The run's closing summary: what was trained, how it compared, what git would change, what was served."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from gitops.runner.nodes import Node


@dataclass
class Summary:
    lines: list[tuple[str, str]] = field(default_factory=list)
    blocks: dict[int, str] = field(default_factory=dict)  # shown under line N (e.g. the pin diff)

    def add(self, label: str, text: str, block: str = "") -> None:
        if block:
            self.blocks[len(self.lines)] = block
        self.lines.append((label, text))

    def render(self) -> str:
        width = max((len(label) for label, _ in self.lines), default=0)
        out = ["", "Summary"]
        for i, (label, text) in enumerate(self.lines):
            out.append(f"  {label:<{width}}  {text}")
            if i in self.blocks:
                out.extend("    " + line for line in self.blocks[i].splitlines())
        return "\n".join(out)


def step(root: Node, name: str) -> Node | None:
    """The last node that ran template `name` (or `<wt>/name`)."""
    found = None
    for node in root.walk():
        if node.template == name or node.template.endswith(f"/{name}") or node.name == name:
            found = node
    return found


def details(node: Node | None) -> dict:
    if node is None or node.workdir is None:
        return {}
    for candidate in sorted(node.workdir.rglob("summary.json")):
        try:
            return json.loads(candidate.read_text())
        except (OSError, json.JSONDecodeError):
            return {}
    return {}


def pipeline_lines(root: Node, summary: Summary) -> None:
    train, validate, version = step(root, "train"), step(root, "validate"), step(root, "version")
    if train and train.phase == "Succeeded":
        t = details(train)
        # train reuses the version that holds the same content key (mlpipeline.contentkey) instead of training.
        reused = ", reused: same data, parameters, code and libraries; nothing trained" if t.get("reused") else ""
        summary.add(
            "model",
            f"{t.get('model_name', '?')} version {train.outputs.get('model_version')} "
            f"(run {train.outputs.get('run_id')}{reused})",
        )
    if version and version.phase == "Succeeded":
        summary.add(
            "semver",
            version.outputs.get("semver", "?") + ("" if details(version).get("changed", True) else " (unchanged)"),
        )
    if validate and validate.phase == "Succeeded":
        v = details(validate)
        verdict = (
            "passed"
            if validate.outputs.get("passed") == "true"
            else f"failed ({', '.join(v.get('gates_missed') or []) or 'gates'})"
        )
        champion = validate.outputs.get("champion_version") or ""
        against = f"champion version {champion}" if champion else "no champion yet (absolute gates only)"
        summary.add(
            "validation",
            f"{verdict}: accuracy {validate.outputs.get('accuracy')}, macro F1 {v.get('f1_macro', '?')}, "
            f"against {against}",
        )


def probe_line(job: Node) -> str:
    d = details(job)
    if job.phase != "Succeeded":
        return f"{job.name} failed: {job.message}"
    latency = d.get("probe_latency_seconds")
    moved = "moved" if d.get("alias_moved") == "true" else "already there"
    ms = f"{1000 * float(latency):.1f} ms" if latency is not None else "?"
    return (
        f"{d.get('model_name', '?')}: alias {d.get('alias')} -> version {d.get('model_version')} ({moved}); "
        f"probe latency {ms}, accuracy {d.get('probe_accuracy')}"
    )


def write_json(path: Path, root: Node, summary: Summary) -> None:
    def node_dict(n: Node) -> dict:
        return {
            "name": n.name,
            "template": n.template,
            "phase": n.phase,
            "seconds": round(n.seconds, 3),
            "message": n.message,
            "outputs": n.outputs,
            "children": [node_dict(c) for c in n.children],
        }

    path.write_text(json.dumps({"tree": node_dict(root), "summary": dict(summary.lines)}, indent=2))
