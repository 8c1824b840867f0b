"""A RenderDiff three ways: text for a terminal, JSON for tools, Markdown for a PR comment."""

from __future__ import annotations

import html
import json
from typing import Any

from gitops.diff.objects import MISSING, ObjectKey, RenderDiff

FORMATS = ("text", "json", "markdown")
# A PR comment holds at most 65,536 characters; long values (scripts in a
# ConfigMap) are cut in the Markdown form only. JSON always carries them whole.
MARKDOWN_VALUE_LIMIT = 200


def summary(diff: RenderDiff) -> str:
    if diff.empty:
        return "no differences"
    return f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed"


def as_text(diff: RenderDiff) -> str:
    lines = [f"{diff.left} -> {diff.right}: {summary(diff)}"]
    lines += [f"+ {key.label}" for key in diff.added]
    lines += [f"- {key.label}" for key in diff.removed]
    for change in diff.changed:
        lines.append(f"~ {change.key.label}")
        lines += [f"    {f.path}: {_value(f.old)} -> {_value(f.new)}" for f in change.fields]
    return "\n".join(lines) + "\n"


def as_json(diff: RenderDiff) -> str:
    return json.dumps(_document(diff), indent=2) + "\n"


def _document(diff: RenderDiff) -> dict[str, Any]:
    return {
        "left": diff.left,
        "right": diff.right,
        "added": [_key(key) for key in diff.added],
        "removed": [_key(key) for key in diff.removed],
        "changed": [
            {**_key(change.key), "fields": [_field(f.path, f.old, f.new) for f in change.fields]}
            for change in diff.changed
        ],
    }


def as_markdown(diff: RenderDiff) -> str:
    lines = [f"#### `{diff.left}` → `{diff.right}`", "", f"**{summary(diff)}**"]
    if diff.empty:
        return "\n".join(lines) + "\n"
    lines += ["", "| | object | field | old | new |", "|---|---|---|---|---|"]
    lines += [f"| added | {code(key.label)} | | | |" for key in diff.added]
    lines += [f"| removed | {code(key.label)} | | | |" for key in diff.removed]
    for change in diff.changed:
        for f in change.fields:
            lines.append(f"| changed | {code(change.key.label)} | {code(f.path)} | {_cell(f.old)} | {_cell(f.new)} |")
    return "\n".join(lines) + "\n"


def render(diff: RenderDiff, fmt: str) -> str:
    return {"text": as_text, "json": as_json, "markdown": as_markdown}[fmt](diff)


def render_all(diffs: list[RenderDiff], fmt: str) -> str:
    """Several folders' diffs: one after another, or a JSON list."""
    if fmt == "json":
        return json.dumps([_document(d) for d in diffs], indent=2) + "\n"
    return "".join(render(d, fmt) for d in diffs)


def _value(value: Any) -> str:
    return "(absent)" if value is MISSING else json.dumps(value, sort_keys=True)


def _key(key: ObjectKey) -> dict[str, str]:
    out = {"group": key.group, "kind": key.kind}
    if key.namespace is not None:
        out["namespace"] = key.namespace
    out["name"] = key.name
    return out


def _field(path: str, old: Any, new: Any) -> dict[str, Any]:
    # An absent side is left out, so `"old": null` still means the value was null.
    out: dict[str, Any] = {"path": path}
    if old is not MISSING:
        out["old"] = old
    if new is not MISSING:
        out["new"] = new
    return out


def _cell(value: Any) -> str:
    if value is MISSING:
        return "*(absent)*"
    text = _value(value)
    if len(text) > MARKDOWN_VALUE_LIMIT:
        text = text[:MARKDOWN_VALUE_LIMIT] + "…"
    return code(text)


def code(text: str) -> str:
    # <code> rather than backticks: values may contain backticks; `|` would end the cell.
    return "<code>" + html.escape(text, quote=False).replace("|", "&#124;").replace("\n", "<br>") + "</code>"
