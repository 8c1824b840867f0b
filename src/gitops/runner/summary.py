"""The run's closing summary: what was trained, how it compared, what git would change, what was served."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from gitops.runner import wording
from gitops.runner.outputs import last_attempt


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


@dataclass
class Step:
    """A step's result as the summary reads it: its phase, message, output parameters, and pod directory."""

    name: str
    phase: str
    message: str
    outputs: dict[str, str]
    pod_dir: Path | None
    seconds: float = 0.0


def step(op, name: str) -> Step | None:
    """The last node that ran template `name` (a pod, or the Retry node around its attempts)."""
    found = None
    for node in op.wf.nodes.values():
        template = node.template_name or (node.template_ref or {}).get("template", "")
        if template == name and node.type in ("Pod", "Retry"):
            found = node
    if found is None:
        return None
    last = last_attempt(op.wf, found)
    params = {p["name"]: p.get("value", "") for p in (found.outputs or {}).get("parameters") or []}
    seconds = (last.finished_at or last.started_at) - last.started_at
    return Step(found.display_name, found.phase, found.message, params, op.pod_dirs.get(last.id), seconds)


def skipped(op, name: str):
    """The node for template `name` when its `when` skipped it (Argo records it as a node of type Skipped)."""
    for node in op.wf.nodes.values():
        template = node.template_name or (node.template_ref or {}).get("template", "")
        if template == name and node.type == "Skipped":
            return node
    return None


def details(node: Step | None) -> dict:
    """The summary.json a step left in its pod's volumes."""
    if node is None or node.pod_dir is None:
        return {}
    for candidate in sorted(node.pod_dir.rglob("summary.json")):
        try:
            return json.loads(candidate.read_text())
        except (OSError, json.JSONDecodeError):
            return {}
    return {}


def pipeline_lines(op, summary: Summary) -> None:
    train, validate, version = step(op, "train"), step(op, "validate"), step(op, "version")
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


def drift_line(op, summary: Summary) -> None:
    """The drift check's verdict, with the feature that decided it: the CronWorkflow's whole point."""
    drift = step(op, "drift")
    if drift is None or drift.phase != "Succeeded":
        return
    d = details(drift)
    features = d.get("features") or {}
    worst = max(features, key=lambda f: features[f]["psi"], default="")
    detected = drift.outputs.get("drift_detected") == "true"
    where = f" on {worst} (KS p-value {features[worst]['ks_pvalue']:.3g})" if worst else ""
    summary.add(
        "drift",
        f"{'detected' if detected else 'none'}: max PSI {float(drift.outputs.get('max_psi') or 0):.3f}{where}, "
        f"{d.get('rows', '?')} recent rows against version {d.get('model_version', '?')}'s training split; "
        + ("the retrain runs" if detected else "no retrain"),
    )


def failure_lines(op, summary: Summary, repo: Path) -> None:
    """Each failed pod's cause (the last line of its log) and where its log is: what to read next."""
    last: dict[str, object] = {}  # a retried step's attempts are `train(0)`, `train(1)`...: the last one speaks
    for node in sorted(op.wf.nodes.values(), key=lambda n: n.started_at):
        if node.type == "Pod" and node.phase in ("Failed", "Error") and node.id in op.pod_dirs:
            last[re.sub(r"\(\d+\)$", "", node.name)] = node
    for node in last.values():
        name = wording.step_name(node.display_name)
        summary.add("failed", f"{name}: {log_pointer(op.pod_dirs[node.id], node.message, repo)}")


def log_pointer(pod_dir: Path, message: str, repo: Path) -> str:
    """`<the step's own last line> (log: <its stderr file>)`; Argo's message when the step said nothing."""
    log = pod_dir / "stderr.txt"
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()] if log.is_file() else []
    shown = log.relative_to(repo) if log.is_relative_to(repo) else log
    return f"{lines[-1][:300] if lines else message} (log: {shown})"


def probe_line(job: Step, repo: Path | None = None) -> str:
    d = details(job)
    if job.phase != "Succeeded":
        if job.pod_dir is not None and repo is not None:
            return f"{job.name} failed: {log_pointer(job.pod_dir, job.message, repo)}"
        return f"{job.name} failed: {job.message}"
    latency = d.get("probe_latency_seconds")
    moved = "moved" if d.get("alias_moved") == "true" else "already there"
    ms = f"{1000 * float(latency):.1f} ms" if latency is not None else "?"
    return (
        f"{d.get('model_name', '?')}: alias {d.get('alias')} -> version {d.get('model_version')} ({moved}); "
        f"probe latency {ms}, accuracy {d.get('probe_accuracy')}"
    )


def write_json(path: Path, op, summary: Summary) -> None:
    """summary.json: the closing lines and each pod's wall time to the tenth of a second (make bench reads it)."""
    steps = {}
    for node in op.wf.nodes.values():
        if node.type == "Pod" and node.finished_at is not None:
            template = node.template_name or (node.template_ref or {}).get("template", "")
            steps[template] = round(steps.get(template, 0.0) + node.finished_at - node.started_at, 2)
    path.write_text(json.dumps({"steps": steps, "summary": dict(summary.lines)}, indent=2))
